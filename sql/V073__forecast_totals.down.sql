DROP FUNCTION IF EXISTS analytics.render_forecast_totals(bigint);
DROP TABLE IF EXISTS analytics.forecast_totals;
