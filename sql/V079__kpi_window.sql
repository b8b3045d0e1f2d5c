-- The KPI answer asked most, the latest 90 days (GET /api/v1/analytics/kpis without dates), kept
-- whole on the latest day's row at REFRESH: window_json is the JSON array of the days from the
-- latest date - 89 to it, each day's api_json (V070) in date order, and window_rows their
-- number. The API reads that one value instead of 90 rows (docs/api.md). Every other row has
-- NULL there, and so has the latest when a day in the window has no api_json (the column
-- statement then answers). Refreshed with the view, so it is never older than the rows.
DROP MATERIALIZED VIEW analytics.mv_kpis_latest;
CREATE MATERIALIZED VIEW analytics.mv_kpis_latest AS
WITH d AS (
  SELECT k.full_date, k.total_demand, k.stockout_rate, k.abc_a_share, k.delayed_orders_pct,
         k.forecast_mape, k.forecast_wape, k.avg_inventory_value, k.computed_at, k.run_id,
         CASE WHEN NOT (k.full_date BETWEEN date '0001-01-01' AND date '9999-12-31')
                   OR NOT (k.utc >= timestamp '0001-01-01' AND k.utc < timestamp '10000-01-01') THEN NULL
         ELSE '{"full_date":"' || to_char(k.full_date::timestamp, 'YYYY-MM-DD')
           || '","total_demand":' || k.total_demand_j || ',"stockout_rate":' || k.stockout_rate_j
           || ',"abc_a_share":' || k.abc_a_share_j || ',"delayed_orders_pct":' || k.delayed_orders_pct_j
           || ',"forecast_mape":' || k.forecast_mape_j || ',"forecast_wape":' || k.forecast_wape_j
           || ',"avg_inventory_value":' || k.avg_inventory_value_j
           -- "2026-11-22 03:03:59.5+00" in a UTC session, as AppendIsoTimestamp writes it:
           -- "2026-11-22T03:03:59.5Z" (the fraction's trailing zeros dropped)
           || ',"computed_at":"' || to_char(k.utc, 'YYYY-MM-DD"T"HH24:MI:SS')
           || CASE WHEN rtrim(to_char(k.utc, 'US'), '0') = '' THEN ''
                   ELSE '.' || rtrim(to_char(k.utc, 'US'), '0') END
           || 'Z","run_id":' || coalesce(k.run_id::text, 'null') || '}'
         END AS api_json
    FROM (SELECT DISTINCT ON (full_date) d.*, d.computed_at AT TIME ZONE 'UTC' AS utc,
                 -- numbers as AppendValue writes them: NULL, NaN and the infinities as null
                 CASE WHEN d.total_demand IS NULL OR d.total_demand::text IN ('NaN', 'Infinity', '-Infinity')
                      THEN 'null' ELSE d.total_demand::text END AS total_demand_j,
                 CASE WHEN d.stockout_rate IS NULL OR d.stockout_rate::text IN ('NaN', 'Infinity', '-Infinity')
                      THEN 'null' ELSE d.stockout_rate::text END AS stockout_rate_j,
                 CASE WHEN d.abc_a_share IS NULL OR d.abc_a_share::text IN ('NaN', 'Infinity', '-Infinity')
                      THEN 'null' ELSE d.abc_a_share::text END AS abc_a_share_j,
                 CASE WHEN d.delayed_orders_pct IS NULL OR d.delayed_orders_pct::text IN ('NaN', 'Infinity', '-Infinity')
                      THEN 'null' ELSE d.delayed_orders_pct::text END AS delayed_orders_pct_j,
                 CASE WHEN d.forecast_mape IS NULL OR d.forecast_mape::text IN ('NaN', 'Infinity', '-Infinity')
                      THEN 'null' ELSE d.forecast_mape::text END AS forecast_mape_j,
                 CASE WHEN d.forecast_wape IS NULL OR d.forecast_wape::text IN ('NaN', 'Infinity', '-Infinity')
                      THEN 'null' ELSE d.forecast_wape::text END AS forecast_wape_j,
                 CASE WHEN d.avg_inventory_value IS NULL OR d.avg_inventory_value::text IN ('NaN', 'Infinity', '-Infinity')
                      THEN 'null' ELSE d.avg_inventory_value::text END AS avg_inventory_value_j
            FROM analytics.kpis_daily d
           ORDER BY d.full_date DESC, d.computed_at DESC) k),
w AS (SELECT max(full_date) AS e FROM d),
p AS (SELECT count(*) AS n,
             CASE WHEN count(*) = count(d.api_json)
                  THEN '[' || string_agg(d.api_json, ',' ORDER BY d.full_date) || ']' END AS page
        FROM d, w WHERE d.full_date BETWEEN w.e - 89 AND w.e)
SELECT d.*,
       CASE WHEN d.full_date = w.e THEN p.n END AS window_rows,
       CASE WHEN d.full_date = w.e THEN p.page END AS window_json
  FROM d, w, p
WITH NO DATA;
-- Read whole on every such request: kept uncompressed (decompressing 23 KB cost more than
-- reading it).
ALTER MATERIALIZED VIEW analytics.mv_kpis_latest ALTER COLUMN window_json SET STORAGE EXTERNAL;
REFRESH MATERIALIZED VIEW analytics.mv_kpis_latest;
CREATE UNIQUE INDEX ix_mv_kpis_date ON analytics.mv_kpis_latest (full_date DESC);

DO $$
BEGIN
  IF to_regrole('corrente_owner') IS NULL THEN RETURN; END IF;
  GRANT SELECT ON analytics.mv_kpis_latest TO corrente_api, corrente_pipeline;
  IF NOT pg_has_role(current_user, 'corrente_owner', 'MEMBER') THEN RETURN; END IF;
  -- The pipeline refreshes it after each run: only an owner may (as V053 set).
  ALTER MATERIALIZED VIEW analytics.mv_kpis_latest OWNER TO corrente_pipeline;
END
$$;
