-- Precomputed outputs of the pipeline (specification §3.3), plus the run table, inventory
-- policy and forecast accuracy. Every published row carries the run that produced it.
CREATE TABLE analytics.pipeline_runs (
  run_id      BIGSERIAL PRIMARY KEY,
  status      TEXT NOT NULL DEFAULT 'RUNNING' CHECK (status IN ('RUNNING', 'SUCCEEDED', 'FAILED')),
  started_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
  finished_at TIMESTAMPTZ,
  as_of       DATE,
  model_tag   TEXT,
  stats       JSONB NOT NULL DEFAULT '{}'::jsonb,
  error       TEXT,
  CHECK (finished_at IS NULL OR finished_at >= started_at)
);
CREATE INDEX ix_pipeline_runs_published ON analytics.pipeline_runs (finished_at DESC) WHERE status = 'SUCCEEDED';

CREATE TABLE analytics.forecasts (
  forecast_id      BIGSERIAL PRIMARY KEY,
  run_id           BIGINT REFERENCES analytics.pipeline_runs (run_id) ON DELETE CASCADE,
  full_date        DATE NOT NULL,
  item_id          INT NOT NULL REFERENCES core.dim_item (item_id),
  site_id          INT NOT NULL REFERENCES core.dim_site (site_id),
  horizon_days     SMALLINT NOT NULL CHECK (horizon_days > 0),
  yhat             NUMERIC(18,4) NOT NULL CHECK (yhat >= 0),
  yhat_lower       NUMERIC(18,4),
  yhat_upper       NUMERIC(18,4),
  yhat_lower_95    NUMERIC(18,4),
  yhat_upper_95    NUMERIC(18,4),
  model_tag        TEXT NOT NULL,
  confidence_level NUMERIC(5,2),
  computed_at      TIMESTAMPTZ NOT NULL,
  created_at       TIMESTAMPTZ NOT NULL DEFAULT now(),
  CHECK (yhat_lower IS NULL OR yhat_lower <= yhat),
  CHECK (yhat_upper IS NULL OR yhat_upper >= yhat)
);
CREATE INDEX ix_forecasts_item_site_date ON analytics.forecasts (item_id, site_id, full_date);
CREATE INDEX ix_forecasts_horizon ON analytics.forecasts (horizon_days);
CREATE INDEX ix_forecasts_computed ON analytics.forecasts (computed_at);
CREATE INDEX ix_forecasts_run ON analytics.forecasts (run_id);

CREATE TABLE analytics.features_store (
  feature_id     BIGSERIAL PRIMARY KEY,
  run_id         BIGINT REFERENCES analytics.pipeline_runs (run_id) ON DELETE CASCADE,
  full_date      DATE NOT NULL,
  item_id        INT NOT NULL REFERENCES core.dim_item (item_id),
  site_id        INT REFERENCES core.dim_site (site_id),
  features       JSONB NOT NULL,
  schema_version TEXT NOT NULL DEFAULT 'v1.0',
  computed_at    TIMESTAMPTZ NOT NULL,
  created_at     TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX ix_features_item_date ON analytics.features_store (item_id, full_date);
CREATE INDEX ix_features_item_site_date ON analytics.features_store (item_id, site_id, full_date);
CREATE INDEX gin_features_jsonb ON analytics.features_store USING GIN (features);

CREATE TABLE analytics.kpis_daily (
  kpi_id              BIGSERIAL PRIMARY KEY,
  run_id              BIGINT REFERENCES analytics.pipeline_runs (run_id) ON DELETE SET NULL,
  full_date           DATE NOT NULL,
  total_demand        NUMERIC(18,4),
  stockout_rate       NUMERIC(10,4) CHECK (stockout_rate BETWEEN 0 AND 1),
  abc_a_share         NUMERIC(10,4) CHECK (abc_a_share BETWEEN 0 AND 1),
  delayed_orders_pct  NUMERIC(10,4) CHECK (delayed_orders_pct BETWEEN 0 AND 1),
  forecast_mape       NUMERIC(10,4) CHECK (forecast_mape >= 0),
  avg_inventory_value NUMERIC(18,2),
  computed_at         TIMESTAMPTZ NOT NULL,
  created_at          TIMESTAMPTZ NOT NULL DEFAULT now(),
  UNIQUE (full_date, computed_at)
);
CREATE INDEX ix_kpis_date ON analytics.kpis_daily (full_date DESC);

CREATE TABLE analytics.recommendations (
  recommendation_id    BIGSERIAL PRIMARY KEY,
  run_id               BIGINT REFERENCES analytics.pipeline_runs (run_id) ON DELETE SET NULL,
  item_id              INT REFERENCES core.dim_item (item_id),
  site_id              INT REFERENCES core.dim_site (site_id),
  type                 TEXT NOT NULL CHECK (type IN ('REORDER', 'PROMO', 'REALLOCATE', 'HOLD', 'EXPEDITE')),
  priority             TEXT NOT NULL CHECK (priority IN ('LOW', 'MEDIUM', 'HIGH', 'CRITICAL')),
  message              TEXT NOT NULL,
  action_date          DATE,
  quantity_recommended NUMERIC(18,4) CHECK (quantity_recommended >= 0),
  details              JSONB NOT NULL DEFAULT '{}'::jsonb,
  created_at           TIMESTAMPTZ NOT NULL DEFAULT now(),
  updated_at           TIMESTAMPTZ NOT NULL DEFAULT now(),
  acknowledged_at      TIMESTAMPTZ,
  acknowledged_by      TEXT,
  CHECK ((acknowledged_at IS NULL) = (acknowledged_by IS NULL))
);
CREATE INDEX ix_recommendations_priority ON analytics.recommendations (priority, created_at DESC);
CREATE INDEX ix_recommendations_item ON analytics.recommendations (item_id);
-- At most one open recommendation of a type per item and site: re-runs update it in place.
CREATE UNIQUE INDEX ux_recommendations_open ON analytics.recommendations (item_id, site_id, type)
  WHERE acknowledged_at IS NULL;

CREATE TABLE analytics.alerts (
  alert_id    BIGSERIAL PRIMARY KEY,
  run_id      BIGINT REFERENCES analytics.pipeline_runs (run_id) ON DELETE SET NULL,
  item_id     INT REFERENCES core.dim_item (item_id),
  site_id     INT REFERENCES core.dim_site (site_id),
  level       TEXT NOT NULL CHECK (level IN ('NORMAL', 'WARNING', 'CRITICAL')),
  category    TEXT NOT NULL,
  message     TEXT NOT NULL,
  details     JSONB NOT NULL DEFAULT '{}'::jsonb,
  created_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
  updated_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
  read_at     TIMESTAMPTZ,
  resolved_at TIMESTAMPTZ
);
CREATE INDEX ix_alerts_level_date ON analytics.alerts (level, created_at DESC);
CREATE INDEX ix_alerts_unread ON analytics.alerts (read_at) WHERE read_at IS NULL;
-- At most one open alert of a category per item and site.
CREATE UNIQUE INDEX ux_alerts_open ON analytics.alerts (item_id, site_id, category)
  WHERE resolved_at IS NULL;

-- Inventory policy per item x site as of a run (what /inventory/timeseries reads for today).
CREATE TABLE analytics.inventory_policy (
  run_id           BIGINT NOT NULL REFERENCES analytics.pipeline_runs (run_id) ON DELETE CASCADE,
  item_id          INT NOT NULL REFERENCES core.dim_item (item_id),
  site_id          INT NOT NULL REFERENCES core.dim_site (site_id),
  as_of            DATE NOT NULL,
  avg_daily_demand NUMERIC(18,4) NOT NULL,
  demand_std       NUMERIC(18,4) NOT NULL,
  lead_time_days   NUMERIC(10,2) NOT NULL,
  lead_time_std    NUMERIC(10,2) NOT NULL,
  service_level    NUMERIC(5,4) NOT NULL CHECK (service_level > 0 AND service_level < 1),
  safety_stock     NUMERIC(18,4) NOT NULL CHECK (safety_stock >= 0),
  reorder_point    NUMERIC(18,4) NOT NULL CHECK (reorder_point >= 0),
  order_up_to      NUMERIC(18,4) NOT NULL CHECK (order_up_to >= 0),
  current_stock    NUMERIC(18,4) NOT NULL,
  on_order         NUMERIC(18,4) NOT NULL DEFAULT 0,
  days_to_rupture  INTEGER,
  PRIMARY KEY (run_id, item_id, site_id)
);

-- Backtest accuracy per series and run.
CREATE TABLE analytics.forecast_accuracy (
  run_id    BIGINT NOT NULL REFERENCES analytics.pipeline_runs (run_id) ON DELETE CASCADE,
  item_id   INT NOT NULL REFERENCES core.dim_item (item_id),
  site_id   INT NOT NULL REFERENCES core.dim_site (site_id),
  model_tag TEXT NOT NULL,
  mape      NUMERIC(12,4),
  wape      NUMERIC(12,4),
  mase      NUMERIC(12,4),
  bias      NUMERIC(18,4),
  n_points  INTEGER NOT NULL,
  PRIMARY KEY (run_id, item_id, site_id)
);
