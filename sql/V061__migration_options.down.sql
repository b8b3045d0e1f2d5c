DROP TABLE IF EXISTS staging.migration_options;
