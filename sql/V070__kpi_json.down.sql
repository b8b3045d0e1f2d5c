DROP MATERIALIZED VIEW analytics.mv_kpis_latest;
CREATE MATERIALIZED VIEW analytics.mv_kpis_latest AS
SELECT DISTINCT ON (full_date)
       full_date, total_demand, stockout_rate, abc_a_share, delayed_orders_pct,
       forecast_mape, forecast_wape, avg_inventory_value, computed_at, run_id
  FROM analytics.kpis_daily
 ORDER BY full_date DESC, computed_at DESC;
CREATE UNIQUE INDEX ix_mv_kpis_date ON analytics.mv_kpis_latest (full_date DESC);

DO $$
BEGIN
  IF to_regrole('corrente_owner') IS NULL THEN RETURN; END IF;
  GRANT SELECT ON analytics.mv_kpis_latest TO corrente_api, corrente_pipeline;
  IF NOT pg_has_role(current_user, 'corrente_owner', 'MEMBER') THEN RETURN; END IF;
  ALTER MATERIALIZED VIEW analytics.mv_kpis_latest OWNER TO corrente_pipeline;
END
$$;
