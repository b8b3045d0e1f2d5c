DROP TABLE IF EXISTS analytics.simulation_runs;
DROP INDEX IF EXISTS analytics.ix_alerts_open_score;
DROP INDEX IF EXISTS analytics.ix_recommendations_open_score;
ALTER TABLE analytics.alerts DROP COLUMN IF EXISTS priority_score;
ALTER TABLE analytics.recommendations DROP COLUMN IF EXISTS priority_score;
ALTER TABLE analytics.inventory_policy DROP COLUMN IF EXISTS method;
