#!/usr/bin/env bash
# Lists written from rows PostgreSQL keeps rendered, on the real `corrente serve`, against the
# column statement of the same server: byte for byte, hostile values too, and the fallbacks.
# Usage: api_rendered_pages.sh CORRENTE SCRIPT, where SCRIPT is
#   item_pages.py  the items list (core.dim_item.api_json, V067): every filter, sort and page;
#                  a row with a control character, and a schema below V067, answer from columns;
#   kpi_pages.py   the KPIs (analytics.mv_kpis_latest.api_json, V070): windows and pages, the view
#                  refreshed under other settings; a day outside years 1-9999, and a schema below
#                  V070, answer from columns.
set -uo pipefail
corrente="$1" script="$2"
here="$(cd "$(dirname "$0")" && pwd)"
. "$here/../lib.sh"
api_scratch "api_${script%.py}"

"$corrente" db upgrade >/dev/null 2>&1; check "db upgrade" [ $? -eq 0 ]
out=$("$corrente" seed --items 40 --sites 2 --days 30 --seed 9 2>&1); check "seed" [ $? -eq 0 ]
admin_pw=$(sed -nE 's/^demo login: admin \/ (\S+) .*/\1/p' <<<"$out")

port=$(free_port)
"$corrente" serve --port "$port" >"$work/serve.log" 2>&1 &
spid=$!
wait_http "http://127.0.0.1:$port/health" 30; check "serve answers" [ $? -eq 0 ]

BASE="http://127.0.0.1:$port" DSN="$DATABASE_URL" API_DSN="$DATABASE_URL_API" PASSWORD="$admin_pw" \
  CORRENTE="$corrente" OUT="$work" python3 "$here/$script"
check "$script" [ $? -eq 0 ]
check "the server logged no error" lacks "$(cat "$work/serve.log")" '"level":"error"|\[error\]'
finish
