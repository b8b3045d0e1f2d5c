#!/usr/bin/env bash
# Published forecast pages (V066) on the real `corrente serve` and pipeline: every series of the
# run gets its page at publish, GET /forecasts answers from it byte for byte what the row-by-row
# statement answers (hostile values too), and falls back to that statement wherever a page
# cannot answer: an approved override, filters, a short page, an offset, CSV, a run published
# without pages, a model tag with a control character (tests/api/forecast_pages.py).
set -uo pipefail
corrente="$1"
here="$(cd "$(dirname "$0")" && pwd)"
. "$here/../lib.sh"
api_scratch api_forecast_pages

check "db upgrade" quietly "$corrente" db upgrade
api_seed --items 6 --sites 2 --days 200 --seed 5
admin_pw=$(demo_pw admin)
"$corrente" pipeline run --horizon 30 >"$work/run1.log" 2>&1; check "pipeline run" [ $? -eq 0 ] || tail -5 "$work/run1.log"

check "serve answers" api_serve

check "forecast_pages.py" api_py forecast_pages.py "$admin_pw"
# A server still running when the schema goes back to V066's whole-JSON pages (below V078), or
# below V066, answers from the statement; an upgrade renders the latest run's pages at once.
token=$(api_login admin "$admin_pw")
"$corrente" db downgrade --to 77 >/dev/null 2>&1; check "db downgrade --to 77 (V078 out)" [ $? -eq 0 ]
json_pages=$(psql "$DATABASE_URL" -qAtX -c "SELECT count(*) FROM analytics.forecast_pages WHERE rows_json LIKE '[{%'")
check "  V066's pages are rendered again" [ "${json_pages:-0}" -gt 0 ]
code=$(curl -s -o "$work/after77" -w '%{http_code}' -H "Authorization: Bearer $token" \
       "http://127.0.0.1:$port/api/v1/forecasts?item_id=1&site_id=1&nocache=downgraded77")
check "  a running server still answers /forecasts from the statement" [ "$code" = 200 ] && also contains "$(cat "$work/after77")" '"full_date"'
"$corrente" db downgrade --to 65 >/dev/null 2>&1; check "db downgrade --to 65 (V066 out)" [ $? -eq 0 ]
code=$(curl -s -o "$work/after" -w '%{http_code}' -H "Authorization: Bearer $token" \
       "http://127.0.0.1:$port/api/v1/forecasts?item_id=1&site_id=1&nocache=downgraded")
check "  a running server still answers /forecasts from the statement" [ "$code" = 200 ] && also contains "$(cat "$work/after")" '"full_date"'
kill "$spid"; wait "$spid" 2>/dev/null; spid=""
"$corrente" db upgrade >/dev/null 2>&1; check "db upgrade (V066 in)" [ $? -eq 0 ]
latest="(SELECT run_id FROM analytics.pipeline_runs WHERE status = 'SUCCEEDED' ORDER BY finished_at DESC NULLS LAST, run_id DESC LIMIT 1)"
want=$(psql "$DATABASE_URL" -qAtX -c "SELECT count(DISTINCT (item_id, site_id)) FROM analytics.forecasts WHERE run_id = $latest")
got=$(psql "$DATABASE_URL" -qAtX -c "SELECT count(*) FROM analytics.forecast_pages WHERE run_id = $latest")
check "  and the upgrade rendered the latest run's pages ($want)" [ "$got" = "$want" ] && also [ "$got" -gt 0 ]
check "the server logged no error" log_clean
finish
