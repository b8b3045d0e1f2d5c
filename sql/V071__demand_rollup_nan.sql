-- core.demand_item_daily (V064) after a NaN fact row is deleted or updated:
-- subtracting NaN leaves NaN (NaN - NaN = NaN), so the item-day stayed NaN while the fact summed
-- to a number, and GET /demand/timeseries (the portfolio and one item) answered null. Those
-- item-days (only the ones whose removed rows held NaN) are summed again from the fact.
-- Only where the rollup is kept: a distributed database dropped its functions and triggers
-- (src/schema/distributed.cpp).
DO $do$
BEGIN
  IF to_regprocedure('core.demand_rollup_dml()') IS NULL THEN RETURN; END IF;
  EXECUTE $ddl$
CREATE OR REPLACE FUNCTION core.demand_rollup_dml() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $fn$
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO core.demand_item_daily AS r (item_id, full_date, quantity, n)
    SELECT item_id, full_date, sum(quantity), count(*) FROM new_rows GROUP BY 1, 2 ORDER BY 1, 2
    ON CONFLICT (item_id, full_date) DO UPDATE SET quantity = r.quantity + EXCLUDED.quantity, n = r.n + EXCLUDED.n;
    RETURN NULL;
  ELSIF TG_OP = 'DELETE' THEN
    INSERT INTO core.demand_item_daily AS r (item_id, full_date, quantity, n)
    SELECT item_id, full_date, -sum(quantity), -count(*) FROM old_rows GROUP BY 1, 2 ORDER BY 1, 2
    ON CONFLICT (item_id, full_date) DO UPDATE SET quantity = r.quantity + EXCLUDED.quantity, n = r.n + EXCLUDED.n;
  ELSE
    INSERT INTO core.demand_item_daily AS r (item_id, full_date, quantity, n)
    SELECT item_id, full_date, sum(q), sum(n)
      FROM (SELECT item_id, full_date, quantity AS q, 1 AS n FROM new_rows
            UNION ALL SELECT item_id, full_date, -quantity, -1 FROM old_rows) d
     GROUP BY 1, 2 HAVING sum(q) <> 0 OR sum(n) <> 0 ORDER BY 1, 2
    ON CONFLICT (item_id, full_date) DO UPDATE SET quantity = r.quantity + EXCLUDED.quantity, n = r.n + EXCLUDED.n;
  END IF;
  IF EXISTS (SELECT 1 FROM old_rows WHERE quantity = 'NaN') THEN
    UPDATE core.demand_item_daily r SET quantity = f.q
      FROM (SELECT item_id, full_date, sum(quantity) AS q FROM core.fact_demand_daily
             WHERE (item_id, full_date) IN (SELECT item_id, full_date FROM old_rows WHERE quantity = 'NaN')
             GROUP BY 1, 2) f
     WHERE r.item_id = f.item_id AND r.full_date = f.full_date;
  END IF;
  DELETE FROM core.demand_item_daily WHERE n = 0;
  RETURN NULL;
END
$fn$
  $ddl$;
  -- The item-days left NaN before this fix.
  UPDATE core.demand_item_daily r SET quantity = f.q
    FROM (SELECT item_id, full_date, sum(quantity) AS q FROM core.fact_demand_daily
           WHERE (item_id, full_date) IN (SELECT item_id, full_date FROM core.demand_item_daily
                                           WHERE quantity = 'NaN')
           GROUP BY 1, 2) f
   WHERE r.item_id = f.item_id AND r.full_date = f.full_date AND r.quantity IS DISTINCT FROM f.q;
END
$do$;
-- (TRUNCATE of a partition needs nothing: an item-day's rows all sit in its date's partition.)
