-- The type each column got at copy (the source's mapping, the SQLite value scan, PostGIS,
-- generated columns), so that verify, diff, sync, the manifest and a resumed copy convert
-- the source as the copy did even when its values changed since (src/migrate/recorded.h).
CREATE TABLE IF NOT EXISTS staging.migration_columns (
  target_schema text NOT NULL,
  table_name    text NOT NULL,
  position      integer NOT NULL,  -- the column's place in the source table, from 0
  column_name   text NOT NULL,     -- its target name
  sql_type      text NOT NULL,     -- "numeric(10,2)"
  choice        text NOT NULL,     -- the type choice, encoded (recorded.h)
  decision      text NOT NULL,     -- the plan's reason
  recorded_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (target_schema, table_name, position)
);
DO $$
BEGIN
  IF to_regrole('corrente_migrate') IS NULL THEN RETURN; END IF;
  GRANT SELECT, INSERT, UPDATE, DELETE ON staging.migration_columns TO corrente_migrate;
END
$$;
