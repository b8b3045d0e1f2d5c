DROP FUNCTION IF EXISTS analytics.render_forecast_pages(bigint);
DROP TABLE IF EXISTS analytics.forecast_pages;
