-- Forecast totals: the latest published run's forecasts summed per site, day and horizon, and
-- over all sites (site_id 0), once at publish. GET /api/v1/forecasts/total sums these rows
-- (about 1,000 for 10 sites x 90 days) instead of the run's 450,000 rows, and re-reads only the
-- series with an approved override to adjust them (src/server/forecast_totals.cpp). The sums
-- are exact (numeric), so a sum of sums is the sum of the rows. n_lower/n_upper count the
-- non-null bounds: an override can turn a null bound into 0 (ABSOLUTE), and a day's sum is null
-- only when every bound it sums is null.
CREATE TABLE analytics.forecast_totals (
  run_id       BIGINT NOT NULL REFERENCES analytics.pipeline_runs (run_id) ON DELETE CASCADE,
  site_id      INT NOT NULL CHECK (site_id >= 0),  -- 0: every site
  full_date    DATE NOT NULL,
  horizon_days SMALLINT NOT NULL,
  series       BIGINT NOT NULL,
  yhat         NUMERIC NOT NULL,
  yhat_lower   NUMERIC,
  yhat_upper   NUMERIC,
  n_lower      BIGINT NOT NULL,
  n_upper      BIGINT NOT NULL,
  PRIMARY KEY (run_id, site_id, full_date, horizon_days)
);

-- Replaces every total with `p_run`'s (the API serves the latest run only); returns the rows.
-- Two statements, not GROUPING SETS, which Citus does not run over a distributed table.
CREATE FUNCTION analytics.render_forecast_totals(p_run bigint) RETURNS bigint
LANGUAGE plpgsql AS $fn$
DECLARE
  n bigint;
  m bigint;
BEGIN
  DELETE FROM analytics.forecast_totals;
  INSERT INTO analytics.forecast_totals (run_id, site_id, full_date, horizon_days, series, yhat,
                                         yhat_lower, yhat_upper, n_lower, n_upper)
  SELECT p_run, f.site_id, f.full_date, f.horizon_days, count(*), sum(f.yhat), sum(f.yhat_lower),
         sum(f.yhat_upper), count(f.yhat_lower), count(f.yhat_upper)
    FROM analytics.forecasts f WHERE f.run_id = p_run
   GROUP BY f.site_id, f.full_date, f.horizon_days;
  GET DIAGNOSTICS n = ROW_COUNT;
  INSERT INTO analytics.forecast_totals (run_id, site_id, full_date, horizon_days, series, yhat,
                                         yhat_lower, yhat_upper, n_lower, n_upper)
  SELECT p_run, 0, t.full_date, t.horizon_days, sum(t.series), sum(t.yhat), sum(t.yhat_lower),
         sum(t.yhat_upper), sum(t.n_lower), sum(t.n_upper)
    FROM analytics.forecast_totals t WHERE t.run_id = p_run AND t.site_id > 0
   GROUP BY t.full_date, t.horizon_days;
  GET DIAGNOSTICS m = ROW_COUNT;
  RETURN n + m;
END
$fn$;

DO $$
BEGIN
  IF to_regrole('corrente_owner') IS NULL THEN RETURN; END IF;
  GRANT SELECT ON analytics.forecast_totals TO corrente_api, corrente_pipeline;
  GRANT INSERT, DELETE ON analytics.forecast_totals TO corrente_pipeline;
  IF NOT pg_has_role(current_user, 'corrente_owner', 'MEMBER') THEN RETURN; END IF;
  ALTER TABLE analytics.forecast_totals OWNER TO corrente_owner;
  ALTER FUNCTION analytics.render_forecast_totals(bigint) OWNER TO corrente_owner;
END
$$;

-- The latest published run gets its totals now, not at the next pipeline run.
DO $$
DECLARE
  latest bigint;
BEGIN
  SELECT run_id INTO latest FROM analytics.pipeline_runs WHERE status = 'SUCCEEDED'
   ORDER BY finished_at DESC NULLS LAST, run_id DESC LIMIT 1;
  IF latest IS NOT NULL THEN
    PERFORM analytics.render_forecast_totals(latest);
  END IF;
END
$$;
