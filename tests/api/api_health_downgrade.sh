#!/usr/bin/env bash
# /health of a running server whose schema goes below V064 (`db downgrade --to 63` drops the
# demand rollup it reads the latest demand date from) and back: 200 with the same latest demand
# date throughout, from the fact while the rollup is gone (src/server/health.cpp); and the demand
# series over every site (the portfolio and one item) the same bytes from the fact.
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
admin_pw=$(sed -nE 's/^demo login: admin \/ (\S+) .*/\1/p' <<<"$out")
token=$(curl -s -X POST "http://127.0.0.1:$port/api/v1/auth/login" -d "{\"username\":\"admin\",\"password\":\"$admin_pw\"}" |
  python3 -c 'import json,sys; print(json.load(sys.stdin)["data"]["access_token"])')
n=0
series() {  # the portfolio and item 2 by week, status and body
  for q in "granularity=day" "item_id=2&granularity=week"; do
    n=$((n + 1))
    curl -s -w ' %{http_code}' -H "Authorization: Bearer $token" \
      "http://127.0.0.1:$port/api/v1/demand/timeseries?$q&nocache=$n"
    echo
  done
}
probe() { curl -s -w ' %{http_code}' "http://127.0.0.1:$port/health"; }
check "healthy with the rollup" has "$(probe)" "\"latest_demand_date\":\"$latest\".* 200\$"
before=$(series)
check "the series answer 200" [ "$(grep -c ' 200$' <<<"$before")" = 2 ]
"$corrente" db downgrade --to 63 >/dev/null 2>&1; check "db downgrade --to 63" [ $? -eq 0 ]
check "rollup gone" [ "$(psql "$DATABASE_URL" -Atc "SELECT to_regclass('core.demand_item_daily') IS NULL")" = t ]
check "healthy without it, the date from the fact" has "$(probe)" "\"latest_demand_date\":\"$latest\".* 200\$"
check "  and on the next probe" has "$(probe)" "\"latest_demand_date\":\"$latest\".* 200\$"
check "the series without the rollup: the same bytes, from the fact" [ "$(series)" = "$before" ]
check "  and on the next request" [ "$(series)" = "$before" ]
"$corrente" db upgrade >/dev/null 2>&1; check "db upgrade again" [ $? -eq 0 ]
check "healthy with the rollup back" has "$(probe)" "\"latest_demand_date\":\"$latest\".* 200\$"
check "the series with the rollup back" [ "$(series)" = "$before" ]
check "the server logged no error" lacks "$(cat "$work/serve.log")" '"level":"error"|\[error\]'
finish
