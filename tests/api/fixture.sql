-- Analytics rows the API tests read back (the pipeline normally writes these).
-- Two published runs (only the latest must be served) and one still running.
INSERT INTO analytics.pipeline_runs (run_id, status, started_at, finished_at, as_of, model_tag) VALUES
  (1, 'SUCCEEDED', now() - interval '2 days', now() - interval '2 days' + interval '1 minute', current_date - 3, 'old_model'),
  (2, 'SUCCEEDED', now() - interval '1 day', now() - interval '1 day' + interval '1 minute', current_date - 1, 'ets_v1'),
  (3, 'RUNNING', now(), NULL, current_date, 'wip');
SELECT setval('analytics.pipeline_runs_run_id_seq', 3);

INSERT INTO analytics.forecasts (run_id, full_date, item_id, site_id, horizon_days, yhat, yhat_lower, yhat_upper,
                                 yhat_lower_95, yhat_upper_95, model_tag, confidence_level, computed_at)
SELECT r, current_date + h, i, s, h, 10 * i + s + h * 0.5 + r, 10 * i + s + h * 0.5 + r - 2,
       10 * i + s + h * 0.5 + r + 2, 10 * i + s + h * 0.5 + r - 3, 10 * i + s + h * 0.5 + r + 3,
       CASE r WHEN 1 THEN 'old_model' WHEN 2 THEN 'ets_v1' ELSE 'wip' END, 80,
       CASE r WHEN 1 THEN timestamptz '2026-01-01 00:00:00+00' WHEN 2 THEN timestamptz '2026-01-02 02:00:00+00'
              ELSE timestamptz '2026-01-03 00:00:00+00' END
  FROM generate_series(1, 3) r, generate_series(1, 30) h, generate_series(1, 3) i, generate_series(1, 2) s;

INSERT INTO analytics.features_store (run_id, full_date, item_id, site_id, features, computed_at)
SELECT r, current_date - d, 1, 1, jsonb_build_object('lag_7d', r * 100 + d, 'holiday_effect', 1.5, 'name', 'ção'),
       timestamptz '2026-01-01 00:00:00+00' + r * interval '1 day'
  FROM generate_series(1, 2) r, generate_series(1, 10) d;

INSERT INTO analytics.kpis_daily (run_id, full_date, total_demand, stockout_rate, abc_a_share, delayed_orders_pct,
                                  forecast_mape, avg_inventory_value, computed_at)
SELECT 2, current_date - d, 1000 + d, 0.01 * (d % 10), 0.8, 0.05, 0.12, 5000.5 + d, timestamptz '2026-01-02 02:00:00+00'
  FROM generate_series(1, 120) d;
-- An older computation of the same days must be shadowed by the newer one.
INSERT INTO analytics.kpis_daily (run_id, full_date, total_demand, stockout_rate, abc_a_share, delayed_orders_pct,
                                  forecast_mape, avg_inventory_value, computed_at)
SELECT 1, current_date - d, 1, 0.5, 0.5, 0.5, 0.5, 1, timestamptz '2026-01-01 00:00:00+00'
  FROM generate_series(1, 120) d;
REFRESH MATERIALIZED VIEW analytics.mv_kpis_latest;

INSERT INTO analytics.recommendations (run_id, item_id, site_id, type, priority, message, action_date, quantity_recommended, details)
VALUES (2, 1, 1, 'REORDER', 'CRITICAL', 'Stock below safety level; reorder 500', current_date, 500, '{"reason":"rop"}'),
       (2, 2, 1, 'REORDER', 'HIGH', 'Reorder 120', current_date, 120, '{}'),
       (2, 3, 2, 'EXPEDITE', 'HIGH', 'Expedite the open order', current_date, NULL, '{}'),
       (2, 4, 2, 'PROMO', 'LOW', 'Overstock; consider a promotion', current_date + 7, NULL, '{}'),
       (2, 5, 3, 'HOLD', 'MEDIUM', 'Hold purchases', NULL, NULL, '{}'),
       (2, 6, 3, 'REALLOCATE', 'MEDIUM', 'Move 40 units to site 1', NULL, 40, '{}');

INSERT INTO analytics.alerts (run_id, item_id, site_id, level, category, message, details, read_at, resolved_at)
VALUES (2, 1, 1, 'CRITICAL', 'STOCKOUT_IMMINENT', 'Item will stock out in 2 days', '{"days":2}', NULL, NULL),
       (2, 2, 1, 'WARNING', 'BELOW_SAFETY_STOCK', 'Below safety stock', '{}', NULL, NULL),
       (2, 3, 2, 'WARNING', 'FORECAST_DRIFT', 'Forecast error rising', '{}', now(), NULL),
       (2, 4, 2, 'NORMAL', 'OVERSTOCK', 'Overstocked', '{}', now(), now()),
       (2, 5, 3, 'CRITICAL', 'STOCKOUT', 'Out of stock', '{}', NULL, NULL);

UPDATE core.fact_inventory_daily SET safety_stock = 12.5, reorder_point = 30, days_to_rupture = 4
 WHERE item_id = 1 AND site_id = 1 AND full_date = current_date - 1;

INSERT INTO analytics.forecast_accuracy (run_id, item_id, site_id, model_tag, mape, wape, mase, bias, n_points) VALUES
       (2, 1, 1, 'ets_AAN@run2', 12.5, 10.0, 0.8, -1.5, 270),
       (2, 1, 2, 'theta@run2', 17.5, 20.0, 1.2, 0.5, 270),
       (1, 1, 1, 'old@run1', 99, 99, 9, 9, 270);

-- Inventory policy of the latest run (served) and of an older one (never served), on the latest
-- inventory day; item 1 at site 1 in stock, two more pairs out of stock. Days to rupture (i + s) % 9 (null for item 7) against
-- lead times 6-8 days; item 20 has no demand (no coverage).
UPDATE core.fact_inventory_daily SET current_stock = CASE WHEN item_id = 1 THEN 40 ELSE 0 END
 WHERE full_date = (SELECT max(full_date) FROM core.fact_inventory_daily)
   AND (item_id, site_id) IN ((1, 1), (2, 1), (3, 2));
INSERT INTO analytics.inventory_policy (run_id, item_id, site_id, as_of, avg_daily_demand, demand_std,
                                        lead_time_days, lead_time_std, service_level, safety_stock,
                                        reorder_point, order_up_to, current_stock, on_order, days_to_rupture)
SELECT r, i, s, (SELECT max(full_date) FROM core.fact_inventory_daily),
       CASE WHEN i = 20 THEN 0 ELSE 2 + i * 0.5 END, 1, 5 + s, 1, 0.95,
       10 * i + s + r, 20 * i + s + r, 40 * i + s, 0, 0,
       CASE WHEN r = 1 THEN 99 WHEN i = 7 THEN NULL ELSE (i + s) % 9 END
  FROM generate_series(1, 2) r, generate_series(1, 20) i, generate_series(1, 3) s;
