-- The mapping options of a copy (--zero-dates, --invalid-text, --strict, --rename), so that
-- verify, diff, sync and a resumed copy of the same schema map the source the same way
-- without repeating them (src/migrate/context.h).
CREATE TABLE IF NOT EXISTS staging.migration_options (
  target_schema text PRIMARY KEY,
  zero_dates    text NOT NULL CHECK (zero_dates IN ('null', 'error')),
  invalid_text  text NOT NULL CHECK (invalid_text IN ('reject', 'escape', 'bytea')),
  strict        boolean NOT NULL,
  renames       text[] NOT NULL DEFAULT '{}',
  recorded_at   timestamptz NOT NULL DEFAULT now()
);
DO $$
BEGIN
  IF to_regrole('corrente_migrate') IS NULL THEN RETURN; END IF;
  GRANT SELECT, INSERT, UPDATE, DELETE ON staging.migration_options TO corrente_migrate;
END
$$;
