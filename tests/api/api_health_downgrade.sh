#!/usr/bin/env bash
# /health of a running server whose schema goes below V064 (`db downgrade --to 63` drops the
# demand rollup it reads the latest demand date from) and back: 200 with the same latest demand
# date throughout, from the fact while the rollup is gone (src/server/health.cpp).
set -uo pipefail
corrente="$1"
here="$(cd "$(dirname "$0")" && pwd)"
. "$here/../lib.sh"
api_scratch api_health_downgrade

"$corrente" db upgrade >/dev/null 2>&1; check "db upgrade" [ $? -eq 0 ]
out=$("$corrente" seed --items 8 --sites 2 --days 60 --seed 3 2>&1); check "seed" [ $? -eq 0 ] || echo "$out" | tail -3
latest=$(psql "$DATABASE_URL" -Atc "SELECT max(full_date) FROM core.fact_demand_daily")

port=$(free_port)
"$corrente" serve --port "$port" >"$work/serve.log" 2>&1 &
spid=$!
wait_http "http://127.0.0.1:$port/health" 30; check "serve answers" [ $? -eq 0 ]

has() { grep -qE -- "$2" <<<"$1"; }
probe() { curl -s -w ' %{http_code}' "http://127.0.0.1:$port/health"; }
check "healthy with the rollup" has "$(probe)" "\"latest_demand_date\":\"$latest\".* 200\$"
"$corrente" db downgrade --to 63 >/dev/null 2>&1; check "db downgrade --to 63" [ $? -eq 0 ]
check "rollup gone" [ "$(psql "$DATABASE_URL" -Atc "SELECT to_regclass('core.demand_item_daily') IS NULL")" = t ]
check "healthy without it, the date from the fact" has "$(probe)" "\"latest_demand_date\":\"$latest\".* 200\$"
check "  and on the next probe" has "$(probe)" "\"latest_demand_date\":\"$latest\".* 200\$"
"$corrente" db upgrade >/dev/null 2>&1; check "db upgrade again" [ $? -eq 0 ]
check "healthy with the rollup back" has "$(probe)" "\"latest_demand_date\":\"$latest\".* 200\$"
check "the server logged no error" lacks "$(cat "$work/serve.log")" '"level":"error"|\[error\]'
finish
