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

check "db upgrade" quietly "$corrente" db upgrade
api_seed --items 8 --sites 2 --days 60 --seed 3 || tail -3 <<<"$seed_out"
latest=$(psql "$DATABASE_URL" -Atc "SELECT max(full_date) FROM core.fact_demand_daily")

check "serve answers" api_serve

has() { grep -qE -- "$2" <<<"$1"; }
admin_pw=$(demo_pw admin)
token=$(api_login admin "$admin_pw")
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
check "the server logged no error" log_clean
finish
