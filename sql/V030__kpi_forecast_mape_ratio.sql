-- kpis_daily.forecast_mape becomes a ratio (0.25 = 25%) like the other KPI rates; rows written
-- before this migration hold percent.
UPDATE analytics.kpis_daily SET forecast_mape = forecast_mape / 100 WHERE forecast_mape IS NOT NULL;
REFRESH MATERIALIZED VIEW analytics.mv_kpis_latest;
