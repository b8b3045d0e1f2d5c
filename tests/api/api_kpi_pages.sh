#!/usr/bin/env bash
# KPI pages from each day's rendered row (analytics.mv_kpis_latest.api_json, V070) on the real
# `corrente serve`: byte for byte what the column statement writes, for windows and pages,
# hostile values too, refreshed under other settings; the column statement answers pages holding
# a day left NULL (outside years 1-9999) and a server whose schema went below V070
# (tests/api/kpi_pages.py).
set -uo pipefail
corrente="$1"
here="$(cd "$(dirname "$0")" && pwd)"
. "$here/../lib.sh"
api_scratch api_kpi_pages

"$corrente" db upgrade >/dev/null 2>&1; check "db upgrade" [ $? -eq 0 ]
out=$("$corrente" seed --items 40 --sites 2 --days 30 --seed 9 2>&1); check "seed" [ $? -eq 0 ]
admin_pw=$(sed -nE 's/^demo login: admin \/ (\S+) .*/\1/p' <<<"$out")

port=$(free_port)
"$corrente" serve --port "$port" >"$work/serve.log" 2>&1 &
spid=$!
wait_http "http://127.0.0.1:$port/health" 30; check "serve answers" [ $? -eq 0 ]

BASE="http://127.0.0.1:$port" DSN="$DATABASE_URL" API_DSN="$DATABASE_URL_API" PASSWORD="$admin_pw" \
  CORRENTE="$corrente" OUT="$work" python3 "$here/kpi_pages.py"
check "kpi_pages.py" [ $? -eq 0 ]
check "the server logged no error" lacks "$(cat "$work/serve.log")" '"level":"error"|\[error\]'
finish
