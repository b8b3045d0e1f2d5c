-- Decision quality: which method set each policy row, a priority score (money at risk) on
-- recommendations and alerts to sort by, and the simulator's stored runs.
ALTER TABLE analytics.inventory_policy
  ADD COLUMN method TEXT NOT NULL DEFAULT 'normal' CHECK (method IN ('spec', 'normal', 'empirical', 'forecast'));
ALTER TABLE analytics.recommendations ADD COLUMN priority_score NUMERIC(18,4) NOT NULL DEFAULT 0
  CHECK (priority_score >= 0);
ALTER TABLE analytics.alerts ADD COLUMN priority_score NUMERIC(18,4) NOT NULL DEFAULT 0
  CHECK (priority_score >= 0);
CREATE INDEX ix_recommendations_open_score ON analytics.recommendations (priority_score DESC)
  WHERE acknowledged_at IS NULL;
CREATE INDEX ix_alerts_open_score ON analytics.alerts (priority_score DESC)
  WHERE resolved_at IS NULL;

-- One row per `corrente simulate` run (or what-if job): its parameters and, once finished,
-- its results (per policy: overall, per ABC class, alert quality). Written in one transaction
-- when the run ends, so a killed run leaves nothing half-written.
CREATE TABLE analytics.simulation_runs (
  simulation_id BIGSERIAL PRIMARY KEY,
  status        TEXT NOT NULL CHECK (status IN ('RUNNING', 'SUCCEEDED', 'FAILED')),
  source        TEXT NOT NULL,
  params        JSONB NOT NULL DEFAULT '{}'::jsonb,
  results       JSONB,
  error         TEXT,
  created_by    TEXT,
  started_at    TIMESTAMPTZ NOT NULL DEFAULT now(),
  finished_at   TIMESTAMPTZ
);
CREATE INDEX ix_simulation_runs_started ON analytics.simulation_runs (started_at DESC);
