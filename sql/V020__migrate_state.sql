-- State of `corrente migrate`: crash-safe progress, rejects, notes, verify results, sync log.
CREATE TABLE IF NOT EXISTS staging.migration_tables (
  target_schema text NOT NULL,
  table_name    text NOT NULL,
  source_url    text NOT NULL,
  status        text NOT NULL CHECK (status IN ('loaded', 'constrained')),
  rows_loaded   bigint NOT NULL DEFAULT 0,
  rows_rejected bigint NOT NULL DEFAULT 0,
  seconds       double precision,
  updated_at    timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (target_schema, table_name)
);

CREATE TABLE IF NOT EXISTS staging.migration_rejects (
  id            bigserial PRIMARY KEY,
  target_schema text NOT NULL,
  table_name    text NOT NULL,
  source_key    text NOT NULL,
  column_name   text,
  reason        text NOT NULL,
  created_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS migration_rejects_table_idx
  ON staging.migration_rejects (target_schema, table_name);

-- Values carried over with a documented change (zero date -> NULL, ...).
CREATE TABLE IF NOT EXISTS staging.migration_notes (
  id            bigserial PRIMARY KEY,
  target_schema text NOT NULL,
  table_name    text NOT NULL,
  source_key    text NOT NULL,
  column_name   text,
  note          text NOT NULL,
  created_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS migration_notes_table_idx
  ON staging.migration_notes (target_schema, table_name);

CREATE TABLE IF NOT EXISTS staging.migration_verify (
  id            bigserial PRIMARY KEY,
  target_schema text NOT NULL,
  source_url    text NOT NULL,
  ok            boolean NOT NULL,
  report        jsonb NOT NULL,
  verified_at   timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE IF NOT EXISTS staging.migration_sync_log (
  id            bigserial PRIMARY KEY,
  target_schema text NOT NULL,
  table_name    text NOT NULL,
  mode          text NOT NULL,
  started_at    timestamptz NOT NULL,
  finished_at   timestamptz,
  rows_inserted bigint NOT NULL DEFAULT 0,
  rows_updated  bigint NOT NULL DEFAULT 0,
  rows_deleted  bigint NOT NULL DEFAULT 0,
  watermark     text
);
