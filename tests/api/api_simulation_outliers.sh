#!/usr/bin/env bash
# What-if jobs (POST /api/v1/simulations) read relative demand outliers as zero, as
# `corrente simulate` does, and say so: a 1e6 typo on a slow series is one day in
# params.demand_outliers, and the job's figures are those of a zero that day.
set -uo pipefail
corrente="$1"
here="$(cd "$(dirname "$0")" && pwd)"
. "$here/../lib.sh"
api_scratch api_simulation_outliers

q() { psql "$DATABASE_URL" -qAtX -v ON_ERROR_STOP=1 -c "$1"; }
check "db upgrade" quietly "$corrente" db upgrade
api_seed --items 20 --sites 3 --days 300 --seed 5
password=$(demo_pw analyst)
also [ -n "$password" ]

check "server answers" api_serve
token=$(api_login analyst "$password")
check "analyst logs in" [ -n "$token" ]

# whatif -> the finished job's {params, results} as JSON on one line ("" when it did not finish).
whatif() {
  local id status i
  id=$(curl -s -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
         -d '{"sample": 500, "lead_time_scale": 1.5, "seed": 3}' "$base/simulations" |
       python3 -c 'import json,sys; print(json.load(sys.stdin)["data"]["simulation_id"])')
  for i in $(seq 1 600); do
    curl -s -H "Authorization: Bearer $token" "$base/simulations/$id" >"$work/job.json"
    status=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["data"]["status"])' "$work/job.json")
    [ "$status" != RUNNING ] && break
    sleep 0.2
  done
  [ "$status" = SUCCEEDED ] || return 0
  python3 -c 'import json,sys
d = json.load(open(sys.argv[1]))["data"]
r = d["results"]
print(json.dumps({"params": d["params"], "results": json.loads(r) if isinstance(r, str) else r}, sort_keys=True))' "$work/job.json"
}
field() { python3 -c 'import json,sys; d=json.loads(sys.argv[1]); print(eval(sys.argv[2], {"d": d}))' "$1" "$2"; }

clean=$(whatif)
check "a what-if on the seeded data succeeds" [ -n "$clean" ]
check "  and reports no demand outlier: {days: 0, concerned: 0}" \
  [ "$(field "$clean" 'd["params"]["demand_outliers"] == {"days": 0, "concerned": 0}')" = True ]

# The slowest series with demand on a day 60 days before the end: that day becomes 1e6.
key=$(q "select item_id || ' ' || site_id || ' ' || full_date from core.fact_demand_daily d
         where full_date = (select max(full_date) - 60 from core.fact_demand_daily) and quantity > 0
         order by (select sum(quantity) from core.fact_demand_daily s
                    where s.item_id = d.item_id and s.site_id = d.site_id), item_id, site_id limit 1")
read -r item site day <<<"$key"
check "a slow series to spoil" [ -n "$day" ]
set_day() { q "update core.fact_demand_daily set quantity = $1 where item_id = $item and site_id = $site and full_date = '$day'" >/dev/null; }

set_day 1000000
typo=$(whatif)
check "a what-if over a 1e6 day succeeds" [ -n "$typo" ]
check "  and reports it: {days: 1, concerned: 1}" \
  [ "$(field "$typo" 'd["params"]["demand_outliers"] == {"days": 1, "concerned": 1}')" = True ]
set_day 0
zero=$(whatif)
check "the same what-if with that day at 0 succeeds" [ -n "$zero" ]
also [ "$(field "$zero" 'd["params"]["demand_outliers"]["days"]')" = 0 ]
figures() { python3 -c 'import json,sys; print(json.dumps(json.loads(sys.argv[1])["results"], sort_keys=True))' "$1"; }
check "its results (baseline, what-if, change) equal the typo's" [ "$(figures "$typo")" = "$(figures "$zero")" ]
also contains "$(figures "$zero")" '"stockout_rate_points"'
check "  and the stored params say the same as the API" \
  [ "$(q "select params->'demand_outliers'->>'days' from analytics.simulation_runs order by simulation_id")" = "$(printf '0\n1\n0')" ]
check "the server logged no error" log_clean
finish
