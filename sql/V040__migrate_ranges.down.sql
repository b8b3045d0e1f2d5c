DROP TABLE IF EXISTS staging.migration_ranges;
DELETE FROM staging.migration_tables WHERE status = 'loading';
ALTER TABLE staging.migration_tables DROP CONSTRAINT migration_tables_status_check;
ALTER TABLE staging.migration_tables ADD CONSTRAINT migration_tables_status_check
  CHECK (status IN ('loaded', 'constrained'));
