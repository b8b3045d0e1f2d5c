#!/usr/bin/env bash
# Items lists from each row's rendered JSON (core.dim_item.api_json, V067) on the real
# `corrente serve`: byte for byte what the column statement writes, for every filter, sort and
# page, hostile text too; the column statement answers pages holding a row left NULL (a control
# character) and a server whose schema went below V067 (tests/api/item_pages.py).
set -uo pipefail
corrente="$1"
here="$(cd "$(dirname "$0")" && pwd)"
. "$here/../lib.sh"
api_scratch api_item_pages

"$corrente" db upgrade >/dev/null 2>&1; check "db upgrade" [ $? -eq 0 ]
out=$("$corrente" seed --items 40 --sites 2 --days 30 --seed 9 2>&1); check "seed" [ $? -eq 0 ]
admin_pw=$(sed -nE 's/^demo login: admin \/ (\S+) .*/\1/p' <<<"$out")

port=$(free_port)
"$corrente" serve --port "$port" >"$work/serve.log" 2>&1 &
spid=$!
wait_http "http://127.0.0.1:$port/health" 30; check "serve answers" [ $? -eq 0 ]

BASE="http://127.0.0.1:$port" DSN="$DATABASE_URL" API_DSN="$DATABASE_URL_API" PASSWORD="$admin_pw" \
  CORRENTE="$corrente" OUT="$work" python3 "$here/item_pages.py"
check "item_pages.py" [ $? -eq 0 ]
check "the server logged no error" lacks "$(cat "$work/serve.log")" '"level":"error"|\[error\]'
finish
