-- Materialized views (specification §3.5), fixed:
--  * mv_kpis_latest keeps the latest computation of every date. The spec put LIMIT 90 after
--    DISTINCT ON, which silently truncated history; the API filters by date instead.
--  * mv_forecasts_latest keeps the latest forecast per item, site and target date (the
--    spec's key included horizon_days, which kept every run's rows).
-- Both have the unique index that REFRESH ... CONCURRENTLY needs.
CREATE MATERIALIZED VIEW analytics.mv_kpis_latest AS
SELECT DISTINCT ON (full_date)
       full_date, total_demand, stockout_rate, abc_a_share, delayed_orders_pct,
       forecast_mape, avg_inventory_value, computed_at, run_id
  FROM analytics.kpis_daily
 ORDER BY full_date DESC, computed_at DESC;
CREATE UNIQUE INDEX ix_mv_kpis_date ON analytics.mv_kpis_latest (full_date DESC);

CREATE MATERIALIZED VIEW analytics.mv_forecasts_latest AS
SELECT DISTINCT ON (item_id, site_id, full_date)
       forecast_id, full_date, item_id, site_id, horizon_days, yhat, yhat_lower, yhat_upper,
       yhat_lower_95, yhat_upper_95, model_tag, confidence_level, computed_at, run_id
  FROM analytics.forecasts
 ORDER BY item_id, site_id, full_date, computed_at DESC, forecast_id DESC;
CREATE UNIQUE INDEX ux_mv_forecasts_latest ON analytics.mv_forecasts_latest (item_id, site_id, full_date);
CREATE INDEX ix_mv_forecasts_item_site ON analytics.mv_forecasts_latest (item_id, site_id, horizon_days);
