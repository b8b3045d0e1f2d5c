-- Daily KPIs for the whole history, written for one pipeline run.
-- Parameters: $1 run_id, $2 computed_at (timestamptz), $3 as_of (last day of history),
-- $4 the first day with facts (the pipeline reads it once with an index scan), $5 and $6 the
-- ceilings above which a quantity and a unit cost or price are data errors
-- (decide/data_quality.h). A NaN, negative or absurd value is read as missing: a demand row as
-- zero demand, a stock row as no row, a price or cost as 0, an order as no order. PostgreSQL
-- sorts NaN above every number, so `x < $5` is false for it. $7, $8 and $9 (item ids, site ids,
-- dates) are the days the run found relative outliers of their series (decide/outliers.h):
-- read as missing too.
-- Definitions (docs/pipeline.md):
--  total_demand        sum of the day's demand (a missing demand row is zero demand)
--  stockout_rate       share of the active item x site pairs with an inventory row that day
--                      whose stock is zero
--  abc_a_share         share of the day's revenue (quantity x unit_price) from class A items
--  delayed_orders_pct  orders due that day (expected_delivery_date, not cancelled) that were
--                      delivered late, are marked DELAYED, or are still undelivered at the end
--                      of their due day (as_of is a whole day: due on it and not in is late),
--                      over ALL orders due that day (the spec divided the count by itself)
--  forecast_mape       ratio (0.25 = 25%, like the other KPI columns); MAPE over nonzero actuals of the most recent retained forecast
--                      made before the day (earlier runs); carried over from the previous
--                      KPI rows once those forecasts are no longer retained. On the as-of
--                      day with no matured forecast (e.g. the first run), the run's own
--                      backtest MAPE (mean over its series of analytics.forecast_accuracy.mape,
--                      which is in percent, / 100)
--  forecast_wape       ratio; WAPE of the same forecasts at item x site x day, zero-demand days
--                      included: sum |forecast - actual| / sum actual. Same fallbacks, with the
--                      backtest's mean WAPE
--  avg_inventory_value mean over the active pairs of stock x unit_cost (capped at 1e13, as
--                      decide::kMaxPublished: usable stock x usable cost can pass the column)
WITH bounds AS (
  SELECT $4::date AS lo, $3::date AS hi
), days AS (
  SELECT g::date AS full_date FROM bounds, generate_series(bounds.lo, bounds.hi, interval '1 day') g
), outliers AS (
  SELECT * FROM unnest($7::int[], $8::int[], $9::date[]) AS o(item_id, site_id, full_date)
), usable_demand AS (
  SELECT d.full_date, d.item_id, d.site_id,
         CASE WHEN d.quantity >= 0 AND d.quantity < $5 THEN d.quantity ELSE 0 END AS quantity
    FROM core.fact_demand_daily d, bounds
   WHERE d.full_date BETWEEN bounds.lo AND bounds.hi
     AND NOT EXISTS (SELECT 1 FROM outliers o WHERE o.item_id = d.item_id
                     AND o.site_id = d.site_id AND o.full_date = d.full_date)
), item_value AS (
  SELECT i.item_id, i.active, i.abc_class,
         CASE WHEN i.unit_price >= 0 AND i.unit_price < $6 THEN i.unit_price ELSE 0 END AS unit_price,
         CASE WHEN i.unit_cost >= 0 AND i.unit_cost < $6 THEN i.unit_cost ELSE 0 END AS unit_cost
    FROM core.dim_item i
), demand AS (
  SELECT d.full_date, sum(d.quantity) AS total,
         sum(d.quantity * i.unit_price) AS revenue,
         sum(d.quantity * i.unit_price) FILTER (WHERE i.abc_class = 'A') AS revenue_a
    FROM usable_demand d JOIN item_value i ON i.item_id = d.item_id
   GROUP BY d.full_date
), inv AS (
  SELECT v.full_date,
         count(*) FILTER (WHERE v.current_stock = 0)::numeric / count(*) AS stockout_rate,
         avg(v.current_stock * i.unit_cost) AS avg_value
    FROM core.fact_inventory_daily v
    JOIN item_value i ON i.item_id = v.item_id AND i.active
    JOIN core.dim_site s ON s.site_id = v.site_id AND s.active, bounds
   WHERE v.full_date BETWEEN bounds.lo AND bounds.hi
     AND v.current_stock >= 0 AND v.current_stock < $5
   GROUP BY v.full_date
), ord AS (
  SELECT o.expected_delivery_date AS full_date,
         count(*) FILTER (WHERE o.status = 'DELAYED'
                             OR o.actual_delivery_date > o.expected_delivery_date
                             OR (o.actual_delivery_date IS NULL AND o.expected_delivery_date <= $3::date)
                         )::numeric / count(*) AS delayed_pct
    FROM core.fact_orders o, bounds
   WHERE o.status <> 'CANCELLED' AND o.expected_delivery_date BETWEEN bounds.lo AND bounds.hi
     AND o.quantity >= 0 AND o.quantity < $5
   GROUP BY o.expected_delivery_date
), latest_forecast AS (
  SELECT DISTINCT ON (f.item_id, f.site_id, f.full_date) f.item_id, f.site_id, f.full_date, f.yhat
    FROM analytics.forecasts f JOIN analytics.pipeline_runs r ON r.run_id = f.run_id
   WHERE r.status = 'SUCCEEDED' AND f.full_date <= $3::date AND r.as_of < f.full_date
   ORDER BY f.item_id, f.site_id, f.full_date, r.as_of DESC, f.run_id DESC
), mape AS (
  SELECT lf.full_date, avg(abs(lf.yhat - d.quantity) / d.quantity) AS mape
    FROM latest_forecast lf
    JOIN core.fact_demand_daily d
      ON d.item_id = lf.item_id AND d.site_id = lf.site_id AND d.full_date = lf.full_date
   WHERE d.quantity > 0 AND d.quantity < $5
     AND NOT EXISTS (SELECT 1 FROM outliers o WHERE o.item_id = d.item_id
                     AND o.site_id = d.site_id AND o.full_date = d.full_date)
   GROUP BY lf.full_date
), wape AS (
  SELECT w.full_date, sum(abs(w.yhat - w.actual)) / nullif(sum(w.actual), 0) AS wape
    FROM (SELECT lf.full_date, lf.yhat,
                 CASE WHEN d.quantity >= 0 AND d.quantity < $5 THEN d.quantity ELSE 0 END AS actual
            FROM latest_forecast lf
            LEFT JOIN core.fact_demand_daily d
              ON d.item_id = lf.item_id AND d.site_id = lf.site_id AND d.full_date = lf.full_date
             AND NOT EXISTS (SELECT 1 FROM outliers o WHERE o.item_id = d.item_id
                             AND o.site_id = d.site_id AND o.full_date = d.full_date)) w
   GROUP BY w.full_date
), backtest AS (
  SELECT avg(a.mape) / 100 AS mape, avg(a.wape) / 100 AS wape
    FROM analytics.forecast_accuracy a WHERE a.run_id = $1::bigint
), previous AS (
  SELECT DISTINCT ON (full_date) full_date, forecast_mape, forecast_wape
    FROM analytics.kpis_daily WHERE forecast_mape IS NOT NULL OR forecast_wape IS NOT NULL
   ORDER BY full_date, computed_at DESC
)
INSERT INTO analytics.kpis_daily (run_id, full_date, total_demand, stockout_rate, abc_a_share,
                                  delayed_orders_pct, forecast_mape, forecast_wape,
                                  avg_inventory_value, computed_at)
SELECT $1::bigint, days.full_date, coalesce(demand.total, 0), round(inv.stockout_rate, 4),
       round(CASE WHEN demand.revenue > 0 THEN coalesce(demand.revenue_a, 0) / demand.revenue END, 4),
       round(ord.delayed_pct, 4), round(coalesce(mape.mape,
                      CASE WHEN days.full_date = $3::date THEN backtest.mape END,
                      previous.forecast_mape), 4),
       round(coalesce(wape.wape,
                      CASE WHEN days.full_date = $3::date THEN backtest.wape END,
                      previous.forecast_wape), 4),
       round(least(inv.avg_value, 1e13), 2), $2::timestamptz
  FROM days
  LEFT JOIN demand ON demand.full_date = days.full_date
  LEFT JOIN inv ON inv.full_date = days.full_date
  LEFT JOIN ord ON ord.full_date = days.full_date
  LEFT JOIN mape ON mape.full_date = days.full_date
  LEFT JOIN wape ON wape.full_date = days.full_date
  LEFT JOIN previous ON previous.full_date = days.full_date
  CROSS JOIN backtest
 ORDER BY days.full_date
