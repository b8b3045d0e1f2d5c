CREATE INDEX IF NOT EXISTS ix_forecasts_run ON analytics.forecasts (run_id);
DROP INDEX IF EXISTS analytics.ix_forecasts_run_series;
