DROP TABLE IF EXISTS staging.migration_sync_log;
DROP TABLE IF EXISTS staging.migration_verify;
DROP TABLE IF EXISTS staging.migration_notes;
DROP TABLE IF EXISTS staging.migration_rejects;
DROP TABLE IF EXISTS staging.migration_tables;
