-- The API reads one run's forecasts (the latest published), by series and date: an index that
-- starts with run_id finds them without reading the other runs' rows (the pipeline keeps
-- --keep-runs, 3 by default), and gives a whole run in series order. It covers what
-- ix_forecasts_run (run_id) served (the retention DELETE, a run's first row), so that one goes.
CREATE INDEX ix_forecasts_run_series ON analytics.forecasts (run_id, item_id, site_id, full_date);
DROP INDEX analytics.ix_forecasts_run;
