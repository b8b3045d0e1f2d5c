-- Large tables load in key ranges, one transaction each, so that a crash loses one range.
-- A table is 'loading' from its creation until every range of it is in.
ALTER TABLE staging.migration_tables DROP CONSTRAINT migration_tables_status_check;
ALTER TABLE staging.migration_tables ADD CONSTRAINT migration_tables_status_check
  CHECK (status IN ('loading', 'loaded', 'constrained'));

CREATE TABLE IF NOT EXISTS staging.migration_ranges (
  target_schema text NOT NULL,
  table_name    text NOT NULL,
  range_no      int NOT NULL CHECK (range_no >= 0),
  key_column    text NOT NULL,
  key_lo        bigint,  -- key >= key_lo; NULL: no lower bound
  key_hi        bigint,  -- key < key_hi; NULL: no upper bound
  done          boolean NOT NULL DEFAULT false,
  rows_loaded   bigint NOT NULL DEFAULT 0,
  rows_rejected bigint NOT NULL DEFAULT 0,
  seconds       double precision,
  PRIMARY KEY (target_schema, table_name, range_no),
  CHECK (key_lo IS NULL OR key_hi IS NULL OR key_lo < key_hi)
);
