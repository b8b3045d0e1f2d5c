UPDATE analytics.kpis_daily SET forecast_mape = forecast_mape * 100 WHERE forecast_mape IS NOT NULL;
REFRESH MATERIALIZED VIEW analytics.mv_kpis_latest;
