-- Minimal analytics rows for the e2e tests when the binary has no `pipeline` subcommand.
-- Derived from the seeded facts so the pages have plausible data: one SUCCEEDED run, daily KPIs,
-- 90-day forecasts per item x site (flat at the recent mean, with 80% and 95% bands), features,
-- recommendations and alerts from the latest inventory. Not a substitute for `corrente pipeline run`.
BEGIN;
CREATE TEMP TABLE asof AS SELECT max(full_date) AS d FROM core.fact_inventory_daily;

INSERT INTO analytics.pipeline_runs (status, finished_at, as_of, model_tag)
SELECT 'SUCCEEDED', now(), d, 'e2e_mean' FROM asof;
CREATE TEMP TABLE run AS SELECT max(run_id) AS id FROM analytics.pipeline_runs;

INSERT INTO analytics.kpis_daily (run_id, full_date, total_demand, stockout_rate, abc_a_share, delayed_orders_pct,
                                  forecast_mape, avg_inventory_value, computed_at)
SELECT (SELECT id FROM run), i.full_date,
       coalesce((SELECT sum(quantity) FROM core.fact_demand_daily d WHERE d.full_date = i.full_date), 0),
       avg((i.current_stock = 0)::int)::numeric(10,4),
       0.8, 0.05, 0.15,
       sum(i.current_stock * coalesce(it.unit_cost, 1))::numeric(18,2),
       now()
  FROM core.fact_inventory_daily i JOIN core.dim_item it USING (item_id), asof
 WHERE i.full_date > asof.d - 120
 GROUP BY i.full_date;

CREATE TEMP TABLE recent AS
SELECT item_id, site_id, avg(quantity) AS m, coalesce(stddev(quantity), 0) AS s
  FROM core.fact_demand_daily, asof WHERE full_date > asof.d - 90 GROUP BY item_id, site_id;

INSERT INTO analytics.forecasts (run_id, full_date, item_id, site_id, horizon_days, yhat, yhat_lower, yhat_upper,
                                 yhat_lower_95, yhat_upper_95, model_tag, confidence_level, computed_at)
SELECT (SELECT id FROM run), asof.d + h, r.item_id, r.site_id, h, r.m,
       greatest(0, r.m - 1.2816 * r.s), r.m + 1.2816 * r.s, greatest(0, r.m - 1.96 * r.s), r.m + 1.96 * r.s,
       'e2e_mean', 80, now()
  FROM recent r, asof, generate_series(1, 90) h;

INSERT INTO analytics.features_store (run_id, full_date, item_id, site_id, features, computed_at)
SELECT (SELECT id FROM run), d.full_date, d.item_id, d.site_id,
       jsonb_build_object('quantity', d.quantity, 'dow', extract(isodow FROM d.full_date)), now()
  FROM core.fact_demand_daily d, asof WHERE d.full_date > asof.d - 14;

-- Coverage = stock / recent mean demand; the 12 item-sites with the least get a recommendation and an alert.
CREATE TEMP TABLE cover AS
SELECT i.item_id, i.site_id, i.current_stock, i.reorder_point,
       floor(i.current_stock / nullif(r.m, 0))::int AS days
  FROM core.fact_inventory_daily i JOIN recent r USING (item_id, site_id), asof
 WHERE i.full_date = asof.d AND r.m > 0
 ORDER BY i.current_stock / r.m LIMIT 12;

INSERT INTO analytics.recommendations (run_id, item_id, site_id, type, priority, message, quantity_recommended)
SELECT (SELECT id FROM run), item_id, site_id, 'REORDER',
       CASE WHEN days < 3 THEN 'CRITICAL' WHEN days < 7 THEN 'HIGH' ELSE 'MEDIUM' END,
       'Stock lasts ' || days || ' days: reorder', greatest(0, coalesce(reorder_point, 0) * 2 - current_stock)
  FROM cover;

INSERT INTO analytics.alerts (run_id, item_id, site_id, level, category, message)
SELECT (SELECT id FROM run), item_id, site_id, CASE WHEN days < 5 THEN 'CRITICAL' ELSE 'WARNING' END,
       'STOCKOUT_IMMINENT', 'Stock runs out in ' || days || ' days'
  FROM cover;
COMMIT;
REFRESH MATERIALIZED VIEW analytics.mv_kpis_latest;
REFRESH MATERIALIZED VIEW analytics.mv_forecasts_latest;
-- What the pipeline's publish writes last: each series' page for GET /forecasts (V066).
SELECT analytics.render_forecast_pages(id) FROM run;
