-- Forecast pages: each series of the latest published run, rendered once at publish as the
-- JSON rows GET /api/v1/forecasts answers for it (docs/api.md). The API reads one row instead of
-- reading, formatting and serialising 90. Rows with an approved override, filters, CSV and
-- pages shorter than the series still take the row-by-row statement, which stays the reference.
CREATE TABLE analytics.forecast_pages (
  run_id    BIGINT NOT NULL REFERENCES analytics.pipeline_runs (run_id) ON DELETE CASCADE,
  item_id   INT NOT NULL,
  site_id   INT NOT NULL,
  n_rows    INT NOT NULL CHECK (n_rows > 0),
  rows_json TEXT NOT NULL,
  PRIMARY KEY (run_id, item_id, site_id)
);

-- Replaces every page with `p_run`'s (the API serves the latest run only). Each row is written
-- as the API's row writer (AppendValue in src/server/api.cpp) writes the columns of Forecasts()'
-- statement without an override (src/server/handlers_analytics.cpp), in their order, from the
-- values' text under TimeZone UTC and ISO dates, as in the API's sessions. Returns the pages.
CREATE FUNCTION analytics.render_forecast_pages(p_run bigint) RETURNS bigint
LANGUAGE plpgsql SET TimeZone = 'UTC' SET DateStyle = 'ISO, YMD' AS $fn$
DECLARE
  n bigint;
BEGIN
  DELETE FROM analytics.forecast_pages;
  -- Inline expressions only (no functions of ours), so Citus can run it on the workers.
  INSERT INTO analytics.forecast_pages (run_id, item_id, site_id, n_rows, rows_json)
  SELECT p_run, r.item_id, r.site_id, count(*),
         '[' || string_agg(r.j, ',' ORDER BY r.full_date) || ']'
    FROM (SELECT f.item_id, f.site_id, f.full_date,
                 '{"full_date":"' || f.full_date::text || '","item_id":' || f.item_id
                 || ',"site_id":' || f.site_id || ',"horizon_days":' || f.horizon_days
                 || ',"yhat":' || f.yhat_j || ',"yhat_lower":' || f.yhat_lower_j
                 || ',"yhat_upper":' || f.yhat_upper_j || ',"yhat_lower_95":' || f.yhat_lower_95_j
                 || ',"yhat_upper_95":' || f.yhat_upper_95_j || ',"yhat_statistical":' || f.yhat_j
                 || ',"overridden":false,"override_id":null,"override_author":null,'
                 || '"override_state":null,"confidence_level":' || f.confidence_level_j
                 || ',"model_tag":"' || replace(replace(f.model_tag, '\', '\\'), '"', '\"')
                 || '","computed_at":"'
                 || CASE WHEN length(f.ts) > 10 AND substr(f.ts, 11, 1) = ' '
                         THEN left(f.ts, 10) || 'T' || substr(f.ts, 12) ELSE f.ts END
                 || CASE WHEN f.utc THEN 'Z' ELSE '' END || '"}' AS j,
                 f.model_tag ~ '[\x01-\x1f]' AS control
            FROM (SELECT f.*,
                         -- numbers as AppendValue writes them: NaN and the infinities as null
                         CASE WHEN f.yhat::text IN ('NaN', 'Infinity', '-Infinity') THEN 'null'
                              ELSE f.yhat::text END AS yhat_j,
                         CASE WHEN f.yhat_lower IS NULL OR f.yhat_lower::text IN ('NaN', 'Infinity', '-Infinity')
                              THEN 'null' ELSE f.yhat_lower::text END AS yhat_lower_j,
                         CASE WHEN f.yhat_upper IS NULL OR f.yhat_upper::text IN ('NaN', 'Infinity', '-Infinity')
                              THEN 'null' ELSE f.yhat_upper::text END AS yhat_upper_j,
                         CASE WHEN f.yhat_lower_95 IS NULL OR f.yhat_lower_95::text IN ('NaN', 'Infinity', '-Infinity')
                              THEN 'null' ELSE f.yhat_lower_95::text END AS yhat_lower_95_j,
                         CASE WHEN f.yhat_upper_95 IS NULL OR f.yhat_upper_95::text IN ('NaN', 'Infinity', '-Infinity')
                              THEN 'null' ELSE f.yhat_upper_95::text END AS yhat_upper_95_j,
                         CASE WHEN f.confidence_level IS NULL OR f.confidence_level::text IN ('NaN', 'Infinity', '-Infinity')
                              THEN 'null' ELSE f.confidence_level::text END AS confidence_level_j,
                         -- computed_at as AppendIsoTimestamp writes it: "2026-11-22 03:03:59.5+00"
                         -- becomes "2026-11-22T03:03:59.5Z"
                         CASE WHEN right(f.computed_at::text, 3) = '+00' THEN left(f.computed_at::text, -3)
                              ELSE f.computed_at::text END AS ts,
                         right(f.computed_at::text, 3) = '+00' AS utc
                    FROM analytics.forecasts f WHERE f.run_id = p_run) f) r
   GROUP BY r.item_id, r.site_id
  -- A model tag with a control character (JSON escapes it as \u00xx): that series keeps the
  -- row-by-row statement.
  HAVING NOT bool_or(r.control);
  GET DIAGNOSTICS n = ROW_COUNT;
  RETURN n;
END
$fn$;

DO $$
BEGIN
  IF to_regrole('corrente_owner') IS NULL THEN RETURN; END IF;
  GRANT SELECT ON analytics.forecast_pages TO corrente_api, corrente_pipeline;
  GRANT INSERT, DELETE ON analytics.forecast_pages TO corrente_pipeline;
  IF NOT pg_has_role(current_user, 'corrente_owner', 'MEMBER') THEN RETURN; END IF;
  ALTER TABLE analytics.forecast_pages OWNER TO corrente_owner;
  ALTER FUNCTION analytics.render_forecast_pages(bigint) OWNER TO corrente_owner;
END
$$;

-- The latest published run gets its pages now, not at the next pipeline run.
SELECT analytics.render_forecast_pages(run_id)
  FROM analytics.pipeline_runs WHERE status = 'SUCCEEDED'
 ORDER BY finished_at DESC NULLS LAST, run_id DESC LIMIT 1;
