DROP MATERIALIZED VIEW IF EXISTS analytics.mv_forecasts_latest;
DROP MATERIALIZED VIEW IF EXISTS analytics.mv_kpis_latest;
