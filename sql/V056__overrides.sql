-- Mirror + Delta (seed 004): the published pipeline output is the mirror, read-only; planners'
-- overrides are the delta, kept here and never written into it. The API merges the approved
-- delta over the mirror in SQL; the pipeline reads approved overrides when it recomputes.
CREATE TABLE analytics.overrides (
  override_id       BIGSERIAL PRIMARY KEY,
  kind              TEXT NOT NULL CHECK (kind IN ('FORECAST', 'POLICY', 'RECOMMENDATION')),
  item_id           INT NOT NULL REFERENCES core.dim_item(item_id),
  site_id           INT NOT NULL REFERENCES core.dim_site(site_id),
  valid_from        DATE NOT NULL,
  valid_to          DATE NOT NULL,
  -- FORECAST: an absolute daily quantity, or a percentage change of the statistical forecast.
  mode              TEXT CHECK (mode IN ('ABSOLUTE', 'PERCENT')),
  value             NUMERIC(18,4),
  -- POLICY: any of a service level, a floor under the reorder point, a cap on the
  -- order-up-to level, a lead time.
  service_level     NUMERIC(6,4) CHECK (service_level > 0 AND service_level < 1),
  min_stock         NUMERIC(18,4) CHECK (min_stock >= 0),
  max_stock         NUMERIC(18,4) CHECK (max_stock >= 0),
  lead_time_days    NUMERIC(8,2) CHECK (lead_time_days >= 0 AND lead_time_days <= 365),
  -- RECOMMENDATION: the quantity of one open recommendation (no foreign key: recommendations
  -- that no longer apply are withdrawn, and the override then simply has nothing to change).
  recommendation_id BIGINT,
  quantity          NUMERIC(18,4) CHECK (quantity >= 0),
  reason            TEXT NOT NULL CHECK (char_length(reason) BETWEEN 3 AND 500),
  state             TEXT NOT NULL DEFAULT 'DRAFT'
                    CHECK (state IN ('DRAFT', 'SUBMITTED', 'APPROVED', 'REJECTED', 'EXPIRED')),
  author            TEXT NOT NULL,
  decided_by        TEXT,
  decided_at        TIMESTAMPTZ,
  decision_note     TEXT CHECK (char_length(decision_note) <= 500),
  version           INT NOT NULL DEFAULT 1 CHECK (version >= 1),
  created_at        TIMESTAMPTZ NOT NULL DEFAULT now(),
  updated_at        TIMESTAMPTZ NOT NULL DEFAULT now(),
  CHECK (valid_to >= valid_from AND valid_to - valid_from <= 366),
  CHECK (kind <> 'FORECAST' OR (mode IS NOT NULL AND value IS NOT NULL
         AND ((mode = 'ABSOLUTE' AND value >= 0) OR (mode = 'PERCENT' AND value BETWEEN -100 AND 1000)))),
  CHECK (kind <> 'POLICY' OR num_nonnulls(service_level, min_stock, max_stock, lead_time_days) > 0),
  CHECK (min_stock IS NULL OR max_stock IS NULL OR min_stock <= max_stock),
  CHECK (kind <> 'RECOMMENDATION' OR (recommendation_id IS NOT NULL AND quantity IS NOT NULL)),
  CHECK ((state IN ('APPROVED', 'REJECTED')) = (decided_by IS NOT NULL) OR state = 'EXPIRED')
);
-- The live merge looks up approved overrides by series and date.
CREATE INDEX ix_overrides_approved ON analytics.overrides (item_id, site_id, kind, valid_from)
  WHERE state = 'APPROVED';
CREATE INDEX ix_overrides_state ON analytics.overrides (state, updated_at DESC);
CREATE INDEX ix_overrides_author ON analytics.overrides (author, updated_at DESC);

-- The statistical forecast an approved FORECAST override replaced, kept at approval so its
-- value added can be scored once actuals arrive (the forecasts table keeps only recent runs).
CREATE TABLE analytics.override_baselines (
  override_id BIGINT NOT NULL REFERENCES analytics.overrides(override_id) ON DELETE CASCADE,
  full_date   DATE NOT NULL,
  run_id      BIGINT,
  yhat        NUMERIC(18,4) NOT NULL,
  PRIMARY KEY (override_id, full_date)
);

-- Least privilege (V053): the owner owns them; the API drafts, decides and records baselines;
-- the pipeline reads them and marks them EXPIRED. Skipped where V053 could not set the roles up.
DO $grants$
BEGIN
  IF to_regrole('corrente_owner') IS NULL OR to_regrole('corrente_api') IS NULL
     OR to_regrole('corrente_pipeline') IS NULL
     OR NOT pg_has_role(current_user, 'corrente_owner', 'MEMBER') THEN
    RETURN;  -- V053 warned: commands keep connecting as the migrating user
  END IF;
  ALTER TABLE analytics.overrides OWNER TO corrente_owner;
  ALTER TABLE analytics.override_baselines OWNER TO corrente_owner;
  GRANT SELECT ON analytics.overrides, analytics.override_baselines TO corrente_api, corrente_pipeline;
  GRANT INSERT, UPDATE ON analytics.overrides TO corrente_api;
  GRANT INSERT ON analytics.override_baselines TO corrente_api;
  EXECUTE format('GRANT USAGE ON SEQUENCE %s TO corrente_api',
                 pg_get_serial_sequence('analytics.overrides', 'override_id'));
  GRANT UPDATE ON analytics.overrides TO corrente_pipeline;
END
$grants$;
