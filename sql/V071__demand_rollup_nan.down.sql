-- Restores V064's body (NaN subtracted: the item-day stays NaN).
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
  DELETE FROM core.demand_item_daily WHERE n = 0;
  RETURN NULL;
END
$fn$
  $ddl$;
END
$do$;
