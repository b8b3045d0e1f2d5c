-- Forecast pages, compact: a series' rows as their varying values only (date, horizon and the
-- five forecast numbers, 4.5 KB for 90 days instead of 35 KB of JSON), and the row ending every
-- row of the series shares, once. The API writes the JSON rows from them (src/server/
-- forecast_page.cpp): reading 35 KB of compressed JSON cost PostgreSQL more than the rest of
-- the statement. With them, the answer's metadata as Forecasts() writes it for one item and
-- site (the run, its computed_at, the series' backtest accuracy), so the API's statement reads
-- the latest run and the page only. A series whose rows do not share that ending gets no page. rows_json stays,
-- always NULL now: a server of an earlier version still running reads NULL as "no page" and
-- answers from its statement.
DELETE FROM analytics.forecast_pages;
-- Each change run as its own command: on Citus, where the table is distributed, it is sent to
-- the shards with the text of the command that made it, and this file's whole text is several
-- commands ("cannot insert multiple commands into a prepared statement").
DO $$
BEGIN
  EXECUTE 'ALTER TABLE analytics.forecast_pages ALTER COLUMN rows_json DROP NOT NULL';
  EXECUTE 'ALTER TABLE analytics.forecast_pages ADD COLUMN row_tail TEXT NOT NULL';
  EXECUTE 'ALTER TABLE analytics.forecast_pages ADD COLUMN rows_compact TEXT NOT NULL';
  EXECUTE 'ALTER TABLE analytics.forecast_pages ADD COLUMN meta_json TEXT NOT NULL';
END
$$;

-- Replaces every page with `p_run`'s (the API serves the latest run only); returns the pages.
-- rows_compact: per row, by date, "full_date,horizon_days,yhat,yhat_lower,yhat_upper,
-- yhat_lower_95,yhat_upper_95" (each number as the API's row writer, AppendValue in
-- src/server/api.cpp, writes it: NULL, NaN and the infinities as null), rows joined by ';'.
-- row_tail: the JSON after yhat_statistical, from ',"overridden":false' to the closing brace,
-- as Forecasts()' statement without an override writes it (src/server/handlers_analytics.cpp)
-- in the API's sessions (TimeZone UTC, ISO dates). No value's text here depends on a setting
-- (to_char, AT TIME ZONE), because on Citus the workers build the rows under their own
-- settings. A series gets no page, and keeps the row-by-row statement, where a page could
-- differ from it: a model tag with a control character (escaped as \u00xx there; the rows' or
-- the accuracy's), a date or
-- computed_at outside years 1-9999, two rows on one date (their order is not fixed), or rows
-- with different endings.
CREATE OR REPLACE FUNCTION analytics.render_forecast_pages(p_run bigint) RETURNS bigint
LANGUAGE plpgsql SET standard_conforming_strings = on AS $fn$
DECLARE
  n bigint;
  run_at text;
BEGIN
  DELETE FROM analytics.forecast_pages;
  -- The run's computed_at as the metadata gives it: its first row's, in the order of the index.
  SELECT to_char(x.utc, 'YYYY-MM-DD"T"HH24:MI:SS')
         || CASE WHEN rtrim(to_char(x.utc, 'US'), '0') = '' THEN ''
                 ELSE '.' || rtrim(to_char(x.utc, 'US'), '0') END || 'Z'
    INTO run_at
    FROM (SELECT f.computed_at AT TIME ZONE 'UTC' AS utc FROM analytics.forecasts f
           WHERE f.run_id = p_run ORDER BY f.run_id, f.item_id, f.site_id, f.full_date LIMIT 1) x
   WHERE x.utc >= timestamp '0001-01-01' AND x.utc < timestamp '10000-01-01';
  IF run_at IS NULL THEN RETURN 0; END IF;
  -- Inline expressions only (no functions of ours), so Citus can run it on the workers.
  INSERT INTO analytics.forecast_pages (run_id, item_id, site_id, n_rows, row_tail, rows_compact,
                                        meta_json)
  SELECT p_run, r.item_id, r.site_id, count(*), min(r.tail),
         string_agg(r.compact, ';' ORDER BY r.full_date),
         '"run_id":' || p_run || ',"computed_at":"' || run_at || '","accuracy":' || min(r.accuracy)
    FROM (SELECT f.item_id, f.site_id, f.full_date,
                 -- the series' backtest accuracy as ForecastMeta writes it
                 CASE WHEN a.item_id IS NULL THEN 'null'
                 ELSE '{"mape":' || coalesce(a.a_mape::text, 'null') || ',"wape":'
                   || coalesce(a.a_wape::text, 'null') || ',"bias":' || coalesce(a.a_bias::text, 'null')
                   || ',"mase":' || coalesce(a.a_mase::text, 'null') || ',"n_points":'
                   || coalesce(a.a_n_points::text, 'null') || ',"model_tag":'
                   || coalesce('"' || replace(replace(a.a_model_tag, '\', '\\'), '"', '\"') || '"', 'null')
                   || '}' END AS accuracy,
                 coalesce(a.a_model_tag ~ '[\x01-\x1f]', false) AS accuracy_control,
                 to_char(f.full_date::timestamp, 'YYYY-MM-DD') || ',' || f.horizon_days
                 || ',' || f.yhat_j || ',' || f.yhat_lower_j || ',' || f.yhat_upper_j
                 || ',' || f.yhat_lower_95_j || ',' || f.yhat_upper_95_j AS compact,
                 ',"overridden":false,"override_id":null,"override_author":null,'
                 || '"override_state":null,"confidence_level":' || f.confidence_level_j
                 || ',"model_tag":"' || replace(replace(f.model_tag, '\', '\\'), '"', '\"')
                 -- "2026-11-22 03:03:59.5+00" in a UTC session, as AppendIsoTimestamp writes it:
                 -- "2026-11-22T03:03:59.5Z" (the fraction's trailing zeros dropped)
                 || '","computed_at":"' || to_char(f.utc, 'YYYY-MM-DD"T"HH24:MI:SS')
                 || CASE WHEN rtrim(to_char(f.utc, 'US'), '0') = '' THEN ''
                         ELSE '.' || rtrim(to_char(f.utc, 'US'), '0') END
                 || 'Z"}' AS tail,
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
                    FROM analytics.forecasts f WHERE f.run_id = p_run) f
            LEFT JOIN (SELECT item_id, site_id, round(avg(mape) / 100, 4) AS a_mape,
                              round(avg(wape) / 100, 4) AS a_wape, round(avg(bias), 4) AS a_bias,
                              round(avg(mase), 4) AS a_mase, sum(n_points)::bigint AS a_n_points,
                              min(model_tag) AS a_model_tag
                         FROM analytics.forecast_accuracy WHERE run_id = p_run
                        GROUP BY item_id, site_id) a
              ON a.item_id = f.item_id AND a.site_id = f.site_id) r
   GROUP BY r.item_id, r.site_id
  HAVING NOT bool_or(r.control) AND NOT bool_or(r.accuracy_control)
     AND count(*) = count(DISTINCT r.full_date) AND count(DISTINCT r.tail) = 1;
  GET DIAGNOSTICS n = ROW_COUNT;
  RETURN n;
END
$fn$;

-- The latest published run gets its pages now. The run is looked up first: on Citus a query
-- over pipeline_runs (a reference table) runs on a worker.
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
