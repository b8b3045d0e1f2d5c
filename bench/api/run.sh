#!/usr/bin/env bash
# API benchmark (not a test): a throwaway managed cluster in a temp CORRENTE_HOME, the demo
# data (sized by BENCH_ITEMS/BENCH_SITES/BENCH_DAYS), synthetic analytics rows, then wrk at
# the items list, one item's 90-day demand series, forecasts and KPIs, each cached (the same
# URL again and again) and uncached (a unique query string per request, so every request
# runs its SQL). Prints req/s and p50/p99 per case, and a markdown table.
#
# Usage: bench/api/run.sh [path/to/corrente]   (default build/release/corrente)
# Env: BENCH_ITEMS (500) BENCH_SITES (10) BENCH_DAYS (1095) BENCH_SECONDS (10)
#      BENCH_CONNECTIONS (64) BENCH_THREADS (server I/O threads, 0 = one per core)
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
corrente="$(realpath "${1:-$root/build/release/corrente}")"
items=${BENCH_ITEMS:-500} sites=${BENCH_SITES:-10} days=${BENCH_DAYS:-1095}
secs=${BENCH_SECONDS:-10} conns=${BENCH_CONNECTIONS:-64}
if ! command -v wrk >/dev/null; then
  echo "installing wrk..." >&2
  if [ "$(id -u)" = 0 ]; then apt-get install -y wrk >/dev/null; else sudo apt-get install -y wrk >/dev/null; fi
fi
unset DATABASE_URL
export CORRENTE_HOME=$(mktemp -d /tmp/corrente-bench.XXXXXX) CORRENTE_PG_FAST=1
chmod 755 "$CORRENTE_HOME"
spid=""
trap '[ -n "$spid" ] && kill "$spid" 2>/dev/null; "$corrente" db stop >/dev/null 2>&1; rm -rf "$CORRENTE_HOME"' EXIT

"$corrente" db start >/dev/null 2>&1
"$corrente" db upgrade >/dev/null 2>&1
t0=$(date +%s.%N)
out=$("$corrente" seed --items "$items" --sites "$sites" --days "$days" 2>&1)
echo "$out" | grep '^seeded' >&2
admin_pw=$(sed -n 's/^demo login: admin \/ \(\S*\) .*/\1/p' <<<"$out")
url=$("$corrente" db url)
psql "$url" -qX -v ON_ERROR_STOP=1 <<'SQL'
INSERT INTO analytics.pipeline_runs (status, started_at, finished_at, as_of, model_tag)
VALUES ('SUCCEEDED', now() - interval '5 minutes', now(), current_date - 1, 'bench');
INSERT INTO analytics.forecasts (run_id, full_date, item_id, site_id, horizon_days, yhat, yhat_lower, yhat_upper,
                                 yhat_lower_95, yhat_upper_95, model_tag, confidence_level, computed_at)
SELECT 1, current_date + h, i.item_id, s.site_id, h, 10 + h % 7, 8, 12 + h % 7, 7, 14 + h % 7, 'bench', 80, now()
  FROM core.dim_item i, core.dim_site s, generate_series(1, 90) h;
INSERT INTO analytics.kpis_daily (run_id, full_date, total_demand, stockout_rate, abc_a_share, delayed_orders_pct,
                                  forecast_mape, avg_inventory_value, computed_at)
SELECT 1, d::date, 1000, 0.02, 0.8, 0.05, 0.12, 5000, now()
  FROM generate_series(current_date - 365, current_date - 1, interval '1 day') d;
REFRESH MATERIALIZED VIEW analytics.mv_kpis_latest;
ANALYZE;
SQL
demand_rows=$(psql "$url" -Atc "SELECT count(*) FROM core.fact_demand_daily")
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
DATABASE_URL="$url" "$corrente" serve --port "$port" --threads "${BENCH_THREADS:-0}" >"$CORRENTE_HOME/serve.log" 2>&1 &
spid=$!
for _ in $(seq 1 100); do curl -s -o /dev/null "http://127.0.0.1:$port/health" && break; sleep 0.1; done
token=$(curl -s -XPOST "http://127.0.0.1:$port/api/v1/auth/login" -d "{\"username\":\"admin\",\"password\":\"$admin_pw\"}" |
        python3 -c 'import json,sys; print(json.load(sys.stdin)["data"]["access_token"])')
start=$(psql "$url" -Atc "SELECT (max(full_date) - 89)::text FROM core.fact_demand_daily")

# A unique nocache=N per request: the cache key includes every parameter, so each request
# misses and runs its SQL (and the key churn also exercises cache insertion).
cat >"$CORRENTE_HOME/uncached.lua" <<'LUA'
local n = 0
request = function()
  n = n + 1
  local sep = string.find(wrk.path, "?", 1, true) and "&" or "?"
  return wrk.format(nil, wrk.path .. sep .. "nocache=" .. n .. "_" .. math.random(1, 1000000000))
end
LUA

declare -a rows
run() {  # run NAME PATH cached|uncached [CONNECTIONS]
  local name="$1" path="$2" mode="$3" c="${4:-$conns}" out
  local extra=()
  [ "$mode" = uncached ] && extra=(-s "$CORRENTE_HOME/uncached.lua")
  curl -sf -o /dev/null -H "Authorization: Bearer $token" "http://127.0.0.1:$port$path" || { echo "FAILED: $path" >&2; return 1; }
  out=$(wrk -t "$([ "$c" -gt 1 ] && echo 2 || echo 1)" -c "$c" -d "${secs}s" --latency -H "Authorization: Bearer $token" "${extra[@]}" "http://127.0.0.1:$port$path")
  local rps p50 p99 non2xx
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  p50=$(awk '$1 == "50%" {print $2}' <<<"$out")
  p99=$(awk '$1 == "99%" {print $2}' <<<"$out")
  non2xx=$(awk '/Non-2xx/ {print $4}' <<<"$out")
  printf '%-26s %-9s %4s conn %10s req/s   p50 %8s   p99 %8s   %s\n' "$name" "$mode" "$c" "$rps" "$p50" "$p99" "${non2xx:+non-2xx: $non2xx}"
  rows+=("| $name | $mode | $c | $rps | $p50 | $p99 |")
}

echo
echo "corrente serve benchmark: $items items x $sites sites x $days days ($demand_rows demand rows), $(nproc) cores shared with wrk, $conns connections, ${secs}s each"
run "items list (100 rows)" "/api/v1/items" cached
run "items list (100 rows)" "/api/v1/items" uncached
run "demand series 90 days" "/api/v1/demand/timeseries?item_id=7&start_date=$start" cached
run "demand series 90 days" "/api/v1/demand/timeseries?item_id=7&start_date=$start" uncached
run "forecasts item x site" "/api/v1/forecasts?item_id=7&site_id=1" cached
run "forecasts item x site" "/api/v1/forecasts?item_id=7&site_id=1" uncached
run "kpis (default 90 days)" "/api/v1/analytics/kpis" cached
run "kpis (default 90 days)" "/api/v1/analytics/kpis" uncached
# One connection: the latency of a single uncached request, without queueing behind 63 others.
run "demand series 90 days" "/api/v1/demand/timeseries?item_id=7&start_date=$start" uncached 1
run "items list (100 rows)" "/api/v1/items" uncached 1
echo
echo "| endpoint | mode | connections | req/s | p50 | p99 |"
echo "|---|---|---|---|---|---|"
printf '%s\n' "${rows[@]}"
