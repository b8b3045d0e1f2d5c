-- core.demand_item_daily: core.fact_demand_daily summed over sites, one row per item and day
-- (n = the fact rows summed). The demand series of one item reads 90 rows of it by primary key
-- instead of ~900 fact rows from four monthly partitions (docs/api.md).
--
-- It is kept exact in the writing transaction by statement triggers with transition tables:
-- on the parent (rows written through it, COPY included) and on every partition (rows written
-- straight into one; the parent's statement triggers do not fire for those, and a partition's
-- do not fire for rows routed through the parent, so nothing counts twice). core.ensure_partitions
-- guards the partitions it creates; the seed, which ATTACHes partitions built elsewhere, adds
-- their totals and guards them itself. DETACH or DROP of a demand partition that holds rows fires
-- no trigger: run core.demand_rollup_rebuild() in the same transaction.
CREATE TABLE core.demand_item_daily (
  item_id   integer NOT NULL,
  full_date date NOT NULL,
  quantity  numeric NOT NULL,
  n         bigint NOT NULL,
  PRIMARY KEY (item_id, full_date)
);
CREATE INDEX ix_demand_item_daily_empty ON core.demand_item_daily (item_id) WHERE n = 0;

-- INSERT, UPDATE and DELETE of fact rows: the totals per item and day move by the difference.
CREATE FUNCTION core.demand_rollup_dml() RETURNS trigger
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
$fn$;

-- TRUNCATE of the parent empties the rollup (after the partitions' BEFORE TRUNCATE triggers).
CREATE FUNCTION core.demand_rollup_truncate() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $fn$
BEGIN
  TRUNCATE core.demand_item_daily;
  RETURN NULL;
END
$fn$;

-- TRUNCATE of one partition takes its rows out, read before they go (as the truncating role,
-- which may read partitions that the rollup's owner may not).
CREATE FUNCTION core.demand_rollup_truncate_partition() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $fn$
BEGIN
  EXECUTE format('INSERT INTO core.demand_item_daily AS r (item_id, full_date, quantity, n)'
                 ' SELECT item_id, full_date, -sum(quantity), -count(*) FROM ONLY %s GROUP BY 1, 2 ORDER BY 1, 2'
                 ' ON CONFLICT (item_id, full_date) DO UPDATE SET quantity = r.quantity + EXCLUDED.quantity,'
                 ' n = r.n + EXCLUDED.n', TG_RELID::regclass);
  DELETE FROM core.demand_item_daily WHERE n = 0;
  RETURN NULL;
END
$fn$;

-- Puts the rollup's triggers on a partition of core.fact_demand_daily (idempotent).
CREATE FUNCTION core.demand_rollup_guard(part regclass) RETURNS void LANGUAGE plpgsql AS $fn$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_trigger WHERE tgrelid = part AND tgname = 'demand_rollup_ins') THEN
    RETURN;
  END IF;
  EXECUTE format('CREATE TRIGGER demand_rollup_ins AFTER INSERT ON %s REFERENCING NEW TABLE AS new_rows'
                 ' FOR EACH STATEMENT EXECUTE FUNCTION core.demand_rollup_dml()', part);
  EXECUTE format('CREATE TRIGGER demand_rollup_upd AFTER UPDATE ON %s REFERENCING OLD TABLE AS old_rows'
                 ' NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION core.demand_rollup_dml()', part);
  EXECUTE format('CREATE TRIGGER demand_rollup_del AFTER DELETE ON %s REFERENCING OLD TABLE AS old_rows'
                 ' FOR EACH STATEMENT EXECUTE FUNCTION core.demand_rollup_dml()', part);
  EXECUTE format('CREATE TRIGGER demand_rollup_trunc BEFORE TRUNCATE ON %s'
                 ' FOR EACH STATEMENT EXECUTE FUNCTION core.demand_rollup_truncate_partition()', part);
END
$fn$;

-- Refills the rollup from the fact (after a DETACH or DROP of a partition that held rows).
CREATE FUNCTION core.demand_rollup_rebuild() RETURNS bigint LANGUAGE plpgsql AS $fn$
DECLARE
  n_rows bigint;
BEGIN
  TRUNCATE core.demand_item_daily;
  INSERT INTO core.demand_item_daily (item_id, full_date, quantity, n)
  SELECT item_id, full_date, sum(quantity), count(*) FROM core.fact_demand_daily GROUP BY 1, 2 ORDER BY 1, 2;
  GET DIAGNOSTICS n_rows = ROW_COUNT;
  RETURN n_rows;
END
$fn$;

-- The item-days where the rollup and the fact disagree (0 when exact): a full read of both.
CREATE FUNCTION core.demand_rollup_drift() RETURNS bigint LANGUAGE sql STABLE AS $fn$
  SELECT count(*) FROM (SELECT item_id, full_date, sum(quantity) AS q, count(*) AS n
                          FROM core.fact_demand_daily GROUP BY 1, 2) f
  FULL JOIN core.demand_item_daily r USING (item_id, full_date)
  WHERE f.q IS DISTINCT FROM r.quantity OR f.n IS DISTINCT FROM r.n
$fn$;

CREATE TRIGGER demand_rollup_ins AFTER INSERT ON core.fact_demand_daily REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION core.demand_rollup_dml();
CREATE TRIGGER demand_rollup_upd AFTER UPDATE ON core.fact_demand_daily REFERENCING OLD TABLE AS old_rows
  NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION core.demand_rollup_dml();
CREATE TRIGGER demand_rollup_del AFTER DELETE ON core.fact_demand_daily REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION core.demand_rollup_dml();
CREATE TRIGGER demand_rollup_trunc AFTER TRUNCATE ON core.fact_demand_daily
  FOR EACH STATEMENT EXECUTE FUNCTION core.demand_rollup_truncate();
SELECT core.demand_rollup_guard(i.inhrelid::regclass) FROM pg_inherits i
 WHERE i.inhparent = 'core.fact_demand_daily'::regclass;
SELECT core.demand_rollup_rebuild();

-- V001's, and a new partition of a parent with the rollup's triggers gets them too.
CREATE OR REPLACE FUNCTION core.ensure_partitions(parent regclass, from_date date, to_date date)
RETURNS integer LANGUAGE plpgsql AS $fn$
DECLARE
  m date := date_trunc('month', from_date)::date;
  nxt date;
  created integer := 0;
  sch text;
  tbl text;
  keycol text;
  cols text;
  moved bigint;
BEGIN
  IF from_date IS NULL OR to_date IS NULL OR to_date < from_date THEN
    RAISE EXCEPTION 'ensure_partitions: bad range % .. %', from_date, to_date USING ERRCODE = '22023';
  END IF;
  IF to_date - from_date > 366 * 200 THEN
    RAISE EXCEPTION 'ensure_partitions: range of % days is too large', to_date - from_date USING ERRCODE = '22023';
  END IF;
  PERFORM pg_advisory_xact_lock(hashtext('corrente.ensure_partitions'));
  SELECT n.nspname, c.relname INTO sch, tbl
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = parent;
  SELECT a.attname INTO keycol
    FROM pg_partitioned_table p
    JOIN pg_attribute a ON a.attrelid = p.partrelid AND a.attnum = p.partattrs[0]
   WHERE p.partrelid = parent;
  IF keycol IS NULL THEN
    RAISE EXCEPTION 'ensure_partitions: % is not partitioned', parent USING ERRCODE = '42809';
  END IF;
  SELECT string_agg(quote_ident(attname), ', ' ORDER BY attnum) INTO cols
    FROM pg_attribute WHERE attrelid = parent AND attnum > 0 AND NOT attisdropped AND attgenerated = '';
  WHILE m <= to_date LOOP
    nxt := (m + interval '1 month')::date;
    IF to_regclass(format('%I.%I', sch, tbl || '_' || to_char(m, 'YYYY_MM'))) IS NULL THEN
      EXECUTE format('SELECT count(*) FROM %I.%I WHERE %I >= %L AND %I < %L',
                     sch, tbl || '_default', keycol, m, keycol, nxt) INTO moved;
      IF moved > 0 THEN
        EXECUTE format('CREATE TEMP TABLE corrente_moved ON COMMIT DROP AS SELECT %s FROM %I.%I WHERE %I >= %L AND %I < %L',
                       cols, sch, tbl || '_default', keycol, m, keycol, nxt);
        EXECUTE format('DELETE FROM %I.%I WHERE %I >= %L AND %I < %L',
                       sch, tbl || '_default', keycol, m, keycol, nxt);
      END IF;
      EXECUTE format('CREATE TABLE %I.%I PARTITION OF %s FOR VALUES FROM (%L) TO (%L)',
                     sch, tbl || '_' || to_char(m, 'YYYY_MM'), parent, m, nxt);
      IF EXISTS (SELECT 1 FROM pg_trigger WHERE tgrelid = parent AND tgname = 'demand_rollup_ins') THEN
        PERFORM core.demand_rollup_guard(format('%I.%I', sch, tbl || '_' || to_char(m, 'YYYY_MM'))::regclass);
      END IF;
      IF moved > 0 THEN
        EXECUTE format('INSERT INTO %s (%s) SELECT %s FROM corrente_moved', parent, cols, cols);
        DROP TABLE corrente_moved;
      END IF;
      created := created + 1;
    END IF;
    m := nxt;
  END LOOP;
  RETURN created;
END
$fn$;

DO $$
BEGIN
  IF to_regrole('corrente_owner') IS NULL THEN RETURN; END IF;
  GRANT SELECT ON core.demand_item_daily TO corrente_api, corrente_pipeline;
  IF NOT pg_has_role(current_user, 'corrente_owner', 'MEMBER') THEN RETURN; END IF;
  ALTER TABLE core.demand_item_daily OWNER TO corrente_owner;
  ALTER FUNCTION core.demand_rollup_dml() OWNER TO corrente_owner;
  ALTER FUNCTION core.demand_rollup_truncate() OWNER TO corrente_owner;
  ALTER FUNCTION core.demand_rollup_truncate_partition() OWNER TO corrente_owner;
  ALTER FUNCTION core.demand_rollup_guard(regclass) OWNER TO corrente_owner;
  ALTER FUNCTION core.demand_rollup_rebuild() OWNER TO corrente_owner;
  ALTER FUNCTION core.demand_rollup_drift() OWNER TO corrente_owner;
END
$$;
