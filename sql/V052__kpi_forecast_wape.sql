-- The forecast error that decisions read: WAPE at item x site x day (sum |forecast - actual| /
-- sum actual, zero-demand days included), next to MAPE, which skips zero actuals and so says
-- little on intermittent demand. The KPI view carries it.
ALTER TABLE analytics.kpis_daily ADD COLUMN forecast_wape NUMERIC(10,4) CHECK (forecast_wape >= 0);
DROP MATERIALIZED VIEW analytics.mv_kpis_latest;
CREATE MATERIALIZED VIEW analytics.mv_kpis_latest AS
SELECT DISTINCT ON (full_date)
       full_date, total_demand, stockout_rate, abc_a_share, delayed_orders_pct,
       forecast_mape, forecast_wape, avg_inventory_value, computed_at, run_id
  FROM analytics.kpis_daily
 ORDER BY full_date DESC, computed_at DESC;
CREATE UNIQUE INDEX ix_mv_kpis_date ON analytics.mv_kpis_latest (full_date DESC);
