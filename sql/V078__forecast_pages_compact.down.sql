-- Back to V066's pages: the whole JSON rows of each series.
DELETE FROM analytics.forecast_pages;
-- Each change its own command, for Citus (see V078).
DO $$
BEGIN
  EXECUTE 'ALTER TABLE analytics.forecast_pages DROP COLUMN row_tail';
  EXECUTE 'ALTER TABLE analytics.forecast_pages DROP COLUMN rows_compact';
  EXECUTE 'ALTER TABLE analytics.forecast_pages DROP COLUMN meta_json';
  EXECUTE 'ALTER TABLE analytics.forecast_pages ALTER COLUMN rows_json SET NOT NULL';
END
$$;

-- Replaces every page with `p_run`'s (the API serves the latest run only); returns the pages.
-- Each row is written as the API's row writer (AppendValue in src/server/api.cpp) writes the
-- columns of Forecasts()' statement without an override (src/server/handlers_analytics.cpp), in
-- their order, in the API's sessions (TimeZone UTC, ISO dates). No value's text here depends on
-- a setting (to_char, AT TIME ZONE), because on Citus the workers build the rows under their
-- own settings. A series gets no page, and keeps the row-by-row statement, where a page could
-- differ from it: a model tag with a control character (escaped as \u00xx there), a date or
-- computed_at outside years 1-9999, or two rows on one date (their order is not fixed).
CREATE OR REPLACE FUNCTION analytics.render_forecast_pages(p_run bigint) RETURNS bigint
LANGUAGE plpgsql SET standard_conforming_strings = on AS $fn$
DECLARE
  n bigint;
BEGIN
  DELETE FROM analytics.forecast_pages;
  -- Inline expressions only (no functions of ours), so Citus can run it on the workers.
  INSERT INTO analytics.forecast_pages (run_id, item_id, site_id, n_rows, rows_json)
  SELECT p_run, r.item_id, r.site_id, count(*),
         '[' || string_agg(r.j, ',' ORDER BY r.full_date) || ']'
    FROM (SELECT f.item_id, f.site_id, f.full_date,
                 '{"full_date":"' || to_char(f.full_date::timestamp, 'YYYY-MM-DD') || '","item_id":' || f.item_id
                 || ',"site_id":' || f.site_id || ',"horizon_days":' || f.horizon_days
                 || ',"yhat":' || f.yhat_j || ',"yhat_lower":' || f.yhat_lower_j
                 || ',"yhat_upper":' || f.yhat_upper_j || ',"yhat_lower_95":' || f.yhat_lower_95_j
                 || ',"yhat_upper_95":' || f.yhat_upper_95_j || ',"yhat_statistical":' || f.yhat_j
                 || ',"overridden":false,"override_id":null,"override_author":null,'
                 || '"override_state":null,"confidence_level":' || f.confidence_level_j
                 || ',"model_tag":"' || replace(replace(f.model_tag, '\', '\\'), '"', '\"')
                 -- "2026-11-22 03:03:59.5+00" in a UTC session, as AppendIsoTimestamp writes it:
                 -- "2026-11-22T03:03:59.5Z" (the fraction's trailing zeros dropped)
                 || '","computed_at":"' || to_char(f.utc, 'YYYY-MM-DD"T"HH24:MI:SS')
                 || CASE WHEN rtrim(to_char(f.utc, 'US'), '0') = '' THEN ''
                         ELSE '.' || rtrim(to_char(f.utc, 'US'), '0') END
                 || 'Z"}' AS j,
                 f.model_tag ~ '[\x01-\x1f]'
                 OR NOT (f.full_date BETWEEN date '0001-01-01' AND date '9999-12-31')
                 OR NOT (f.utc >= timestamp '0001-01-01' AND f.utc < timestamp '10000-01-01')
                 AS control
            FROM (SELECT f.*, f.computed_at AT TIME ZONE 'UTC' AS utc,
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
                              THEN 'null' ELSE f.confidence_level::text END AS confidence_level_j
                    FROM analytics.forecasts f WHERE f.run_id = p_run) f) r
   GROUP BY r.item_id, r.site_id
  HAVING NOT bool_or(r.control) AND count(*) = count(DISTINCT r.full_date);
  GET DIAGNOSTICS n = ROW_COUNT;
  RETURN n;
END
$fn$;

-- The latest published run gets its pages now, not at the next pipeline run. The run is looked
-- up first: on Citus a query over pipeline_runs (a reference table) runs on a worker.
DO $$
DECLARE
  latest bigint;
BEGIN
  SELECT run_id INTO latest FROM analytics.pipeline_runs WHERE status = 'SUCCEEDED'
   ORDER BY finished_at DESC NULLS LAST, run_id DESC LIMIT 1;
  IF latest IS NOT NULL THEN
    PERFORM analytics.render_forecast_pages(latest);
  END IF;
END
$$;
