-- Core star schema: dimensions and monthly-partitioned facts (specification §3.2).
-- Deviations from the spec, on purpose:
--  * timestamps are timestamptz; dim_item gains unit_cost, unit_price and supplier_id;
--  * facts do not reference dim_calendar, so a row is never refused for its date
--    (every fact table has a DEFAULT partition; core.ensure_partitions moves rows out of it);
--  * (item_id, site_id, full_date) is unique on both daily facts: one row per item, site, day.
--    A missing demand row means zero demand.
CREATE SCHEMA IF NOT EXISTS core;
CREATE SCHEMA IF NOT EXISTS analytics;
CREATE SCHEMA IF NOT EXISTS support;
CREATE SCHEMA IF NOT EXISTS staging;

CREATE TABLE core.dim_calendar (
  date_id        SERIAL PRIMARY KEY,
  full_date      DATE UNIQUE NOT NULL,
  year           SMALLINT NOT NULL,
  month          SMALLINT NOT NULL CHECK (month BETWEEN 1 AND 12),
  quarter        SMALLINT NOT NULL CHECK (quarter BETWEEN 1 AND 4),
  weekday        SMALLINT NOT NULL CHECK (weekday BETWEEN 0 AND 6),
  day_of_month   SMALLINT NOT NULL CHECK (day_of_month BETWEEN 1 AND 31),
  week_of_year   SMALLINT NOT NULL CHECK (week_of_year BETWEEN 1 AND 53),
  is_weekend     BOOLEAN NOT NULL DEFAULT false,
  is_holiday     BOOLEAN NOT NULL DEFAULT false,
  holiday_name   TEXT,
  fiscal_year    SMALLINT,
  fiscal_quarter SMALLINT,
  created_at     TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX ix_dim_calendar_date ON core.dim_calendar (full_date);
CREATE INDEX ix_dim_calendar_year_month ON core.dim_calendar (year, month);
CREATE INDEX ix_dim_calendar_holidays ON core.dim_calendar (full_date) WHERE is_holiday;

CREATE TABLE core.dim_region (
  region_id     SERIAL PRIMARY KEY,
  name          TEXT UNIQUE NOT NULL,
  state_code    CHAR(2),
  economic_zone TEXT,
  created_at    TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE TABLE core.dim_supplier (
  supplier_id           SERIAL PRIMARY KEY,
  code                  TEXT UNIQUE NOT NULL,
  name                  TEXT NOT NULL,
  supplier_type         TEXT CHECK (supplier_type IN ('DOMESTIC', 'IMPORT', 'HYBRID')),
  reliability_score     NUMERIC(5,2) CHECK (reliability_score BETWEEN 0 AND 100),
  avg_lead_time_days    INTEGER CHECK (avg_lead_time_days >= 0),
  on_time_delivery_rate NUMERIC(5,2) CHECK (on_time_delivery_rate BETWEEN 0 AND 100),
  active                BOOLEAN NOT NULL DEFAULT true,
  created_at            TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX ix_dim_supplier_type ON core.dim_supplier (supplier_type);

CREATE TABLE core.dim_item (
  item_id          SERIAL PRIMARY KEY,
  sku              TEXT UNIQUE NOT NULL,
  name             TEXT NOT NULL,
  description      TEXT,
  family           TEXT,
  category         TEXT,
  subcategory      TEXT,
  unit_measure     TEXT NOT NULL DEFAULT 'UN',
  abc_class        CHAR(1) CHECK (abc_class IN ('A', 'B', 'C')),
  criticality      SMALLINT CHECK (criticality BETWEEN 0 AND 10),
  active           BOOLEAN NOT NULL DEFAULT true,
  unit_cost        NUMERIC(18,4) CHECK (unit_cost >= 0),
  unit_price       NUMERIC(18,4) CHECK (unit_price >= 0),
  supplier_id      INT REFERENCES core.dim_supplier (supplier_id),
  min_order_qty    NUMERIC(18,4) CHECK (min_order_qty >= 0),
  max_order_qty    NUMERIC(18,4) CHECK (max_order_qty >= 0),
  extra_attributes JSONB NOT NULL DEFAULT '{}'::jsonb,
  created_at       TIMESTAMPTZ NOT NULL DEFAULT now(),
  updated_at       TIMESTAMPTZ NOT NULL DEFAULT now(),
  CHECK (max_order_qty IS NULL OR min_order_qty IS NULL OR max_order_qty >= min_order_qty)
);
CREATE INDEX ix_dim_item_sku ON core.dim_item (sku);
CREATE INDEX ix_dim_item_family ON core.dim_item (family);
CREATE INDEX ix_dim_item_abc ON core.dim_item (abc_class);
CREATE INDEX ix_dim_item_active ON core.dim_item (item_id) WHERE active;
CREATE INDEX gin_dim_item_attrs ON core.dim_item USING GIN (extra_attributes);

CREATE TABLE core.dim_site (
  site_id    SERIAL PRIMARY KEY,
  code       TEXT UNIQUE NOT NULL,
  name       TEXT NOT NULL,
  region_id  INT REFERENCES core.dim_region (region_id),
  latitude   NUMERIC(9,6) CHECK (latitude BETWEEN -90 AND 90),
  longitude  NUMERIC(9,6) CHECK (longitude BETWEEN -180 AND 180),
  site_type  TEXT CHECK (site_type IN ('WAREHOUSE', 'STORE', 'DISTRIBUTION_CENTER')),
  active     BOOLEAN NOT NULL DEFAULT true,
  created_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX ix_dim_site_region ON core.dim_site (region_id);

CREATE TABLE core.fact_demand_daily (
  demand_id        BIGSERIAL,
  full_date        DATE NOT NULL,
  item_id          INT NOT NULL REFERENCES core.dim_item (item_id),
  site_id          INT NOT NULL REFERENCES core.dim_site (site_id),
  supplier_id      INT REFERENCES core.dim_supplier (supplier_id),
  quantity         NUMERIC(18,4) NOT NULL CHECK (quantity >= 0),
  unit_cost        NUMERIC(18,4),
  total_cost       NUMERIC(18,4) GENERATED ALWAYS AS (quantity * unit_cost) STORED,
  lead_time_days   INTEGER,
  extra_attributes JSONB NOT NULL DEFAULT '{}'::jsonb,
  created_at       TIMESTAMPTZ NOT NULL DEFAULT now(),
  PRIMARY KEY (demand_id, full_date)
) PARTITION BY RANGE (full_date);
CREATE TABLE core.fact_demand_daily_default PARTITION OF core.fact_demand_daily DEFAULT;
CREATE INDEX ix_fact_demand_date ON core.fact_demand_daily (full_date);
CREATE INDEX ix_fact_demand_item ON core.fact_demand_daily (item_id);
CREATE INDEX ix_fact_demand_site ON core.fact_demand_daily (site_id);
CREATE UNIQUE INDEX ix_fact_demand_composite ON core.fact_demand_daily (item_id, site_id, full_date);

CREATE TABLE core.fact_inventory_daily (
  inventory_id    BIGSERIAL,
  full_date       DATE NOT NULL,
  item_id         INT NOT NULL REFERENCES core.dim_item (item_id),
  site_id         INT NOT NULL REFERENCES core.dim_site (site_id),
  current_stock   NUMERIC(18,4) NOT NULL CHECK (current_stock >= 0),
  safety_stock    NUMERIC(18,4) CHECK (safety_stock >= 0),
  reorder_point   NUMERIC(18,4) CHECK (reorder_point >= 0),
  days_to_rupture INTEGER CHECK (days_to_rupture >= 0),
  created_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
  PRIMARY KEY (inventory_id, full_date)
) PARTITION BY RANGE (full_date);
CREATE TABLE core.fact_inventory_daily_default PARTITION OF core.fact_inventory_daily DEFAULT;
CREATE INDEX ix_fact_inventory_date ON core.fact_inventory_daily (full_date);
-- The spec's (item_id, site_id) index, extended by date and made unique.
CREATE UNIQUE INDEX ix_fact_inventory_item_site ON core.fact_inventory_daily (item_id, site_id, full_date);
CREATE INDEX ix_fact_inventory_stockout ON core.fact_inventory_daily (full_date) WHERE current_stock = 0;

CREATE TABLE core.fact_orders (
  order_id               BIGSERIAL,
  order_date             DATE NOT NULL,
  item_id                INT NOT NULL REFERENCES core.dim_item (item_id),
  supplier_id            INT NOT NULL REFERENCES core.dim_supplier (supplier_id),
  site_id                INT NOT NULL REFERENCES core.dim_site (site_id),
  quantity               NUMERIC(18,4) NOT NULL CHECK (quantity > 0),
  unit_price             NUMERIC(18,4) CHECK (unit_price >= 0),
  status                 TEXT NOT NULL CHECK (status IN ('PLACED', 'RECEIVED', 'CANCELLED', 'DELAYED')),
  expected_delivery_date DATE,
  actual_delivery_date   DATE,
  created_at             TIMESTAMPTZ NOT NULL DEFAULT now(),
  PRIMARY KEY (order_id, order_date),
  CHECK (expected_delivery_date IS NULL OR expected_delivery_date >= order_date),
  CHECK (actual_delivery_date IS NULL OR actual_delivery_date >= order_date)
) PARTITION BY RANGE (order_date);
CREATE TABLE core.fact_orders_default PARTITION OF core.fact_orders DEFAULT;
CREATE INDEX ix_fact_orders_date ON core.fact_orders (order_date);
CREATE INDEX ix_fact_orders_status ON core.fact_orders (status);
CREATE INDEX ix_fact_orders_item_site ON core.fact_orders (item_id, site_id);
CREATE INDEX ix_fact_orders_open ON core.fact_orders (expected_delivery_date)
  WHERE status IN ('PLACED', 'DELAYED') AND actual_delivery_date IS NULL;

-- Creates the monthly partitions of `parent` covering [from_date, to_date]. Rows of those
-- months already sitting in the DEFAULT partition are moved into the new partition.
-- Returns the number of partitions created. Serialized by an advisory lock.
CREATE FUNCTION core.ensure_partitions(parent regclass, from_date date, to_date date)
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
