-- Pipeline workers (docs/scale.md): `pipeline run --workers N` cuts a run into slices of series
-- that `pipeline worker` processes claim with FOR UPDATE SKIP LOCKED. A worker writes forecasts,
-- accuracy and policy under the run id (readers take the published run's only) and stages what
-- readers would otherwise see before the publish: features, recommendations and alerts. The
-- coordinator moves those in, in the one publish transaction.
CREATE TABLE analytics.pipeline_work (
  run_id          BIGINT PRIMARY KEY,
  as_of           DATE NOT NULL,
  first_day       DATE NOT NULL,
  computed_at_us  BIGINT NOT NULL,  -- the run's computed_at, microseconds since 1970
  computed_at     TEXT NOT NULL,    -- the same as the KPI SQL takes it
  horizon         INT NOT NULL,
  feature_days    INT NOT NULL,
  history_days    INT NOT NULL,
  yearly_season   TEXT NOT NULL,
  review_days     FLOAT8 NOT NULL,
  hold_days       FLOAT8 NOT NULL,
  promo_days      FLOAT8 NOT NULL,
  policy          TEXT NOT NULL,
  global_model    BOOLEAN NOT NULL,  -- the forecaster's global model (forecast/global.h)
  created_at      TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- One row per slice: its series (item_ids[k], site_ids[k]), their ABC class (abc's k-th
-- letter) and order cycle, all decided over every series by the coordinator. A worker holds
-- the row lock for as long as it computes the slice, in the transaction that writes its rows:
-- killed, it loses the lock and its writes together, and the slice is PENDING again.
CREATE TABLE analytics.pipeline_slices (
  run_id       BIGINT NOT NULL,
  slice        INT NOT NULL,
  shard        BIGINT,  -- on Citus: the shard of core.fact_demand_daily holding its items
  item_ids     INT[] NOT NULL,
  site_ids     INT[] NOT NULL,
  abc          TEXT NOT NULL,
  cycle_days   FLOAT8[] NOT NULL,
  state        TEXT NOT NULL DEFAULT 'PENDING'
               CHECK (state IN ('PENDING', 'DONE', 'FAILED', 'CANCELLED')),
  worker       TEXT,
  finished_at  TIMESTAMPTZ,
  stats        JSONB,  -- {"stage": [seconds, rows], ...}
  error        TEXT,
  PRIMARY KEY (run_id, slice)
);

CREATE TABLE analytics.pipeline_features (
  run_id          BIGINT NOT NULL,
  full_date       DATE NOT NULL,
  item_id         INT NOT NULL,
  site_id         INT NOT NULL,
  features        JSONB NOT NULL,
  schema_version  TEXT NOT NULL,
  computed_at     TIMESTAMPTZ NOT NULL
);

CREATE TABLE analytics.pipeline_recommendations (
  run_id       BIGINT NOT NULL,
  item_id      INT NOT NULL,
  site_id      INT NOT NULL,
  type         TEXT NOT NULL,
  priority     TEXT NOT NULL,
  score        NUMERIC,
  message      TEXT,
  action_date  DATE,
  quantity     NUMERIC,
  details      JSONB
);

CREATE TABLE analytics.pipeline_alerts (
  run_id    BIGINT NOT NULL,
  item_id   INT NOT NULL,
  site_id   INT NOT NULL,
  level     TEXT NOT NULL,
  category  TEXT NOT NULL,
  score     NUMERIC,
  message   TEXT,
  details   JSONB
);

DO $$
BEGIN
  IF to_regrole('corrente_pipeline') IS NULL THEN RETURN; END IF;
  GRANT SELECT, INSERT, UPDATE, DELETE ON analytics.pipeline_work, analytics.pipeline_slices,
    analytics.pipeline_features, analytics.pipeline_recommendations, analytics.pipeline_alerts
    TO corrente_pipeline;
END
$$;
