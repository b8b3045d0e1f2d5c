DROP TABLE IF EXISTS staging.migration_columns;
