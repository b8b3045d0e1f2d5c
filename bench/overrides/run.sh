#!/usr/bin/env bash
# Overrides benchmark (not a test): the live merge of Mirror + Delta (seed 004 asks for under
# 100 ms with 20,000 overrides). A throwaway managed cluster with 500 items x 10 sites, a
# published run of 90-day forecasts (450,000 rows), then `corrente serve`, and the median
# latency of uncached requests (a unique query string each, one keep-alive connection) with no overrides (the peer: the
# mirror alone) and with 20,000 approved FORECAST overrides of 1-14 days:
#   - one item's forecast at every site (900 rows, the item page);
#   - one item x site (90 rows);
#   - the portfolio total (every row merged, then summed per day: the dashboard's chart).
# Usage: bench/overrides/run.sh [path/to/corrente]   Env: BENCH_OVERRIDES (20000), BENCH_REQUESTS (25)
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
corrente="$(realpath "${1:-$root/build/release/corrente}")"
n_over=${BENCH_OVERRIDES:-20000} reqs=${BENCH_REQUESTS:-25}
unset DATABASE_URL
export CORRENTE_HOME=$(mktemp -d /tmp/corrente-bench-ov.XXXXXX) CORRENTE_PG_FAST=1
chmod 755 "$CORRENTE_HOME"
export CORRENTE_JWT_SECRET=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')
spid=""
trap '[ -n "$spid" ] && kill "$spid" 2>/dev/null; "$corrente" db stop >/dev/null 2>&1; rm -rf "$CORRENTE_HOME"' EXIT
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
"$corrente" db start >/dev/null 2>&1
"$corrente" db upgrade >/dev/null 2>&1
out=$("$corrente" seed --items 500 --sites 10 --days 120 2>&1)
admin_pw=$(sed -n 's/^demo login: admin \/ \(\S*\) .*/\1/p' <<<"$out")
url=$("$corrente" db url)
psql "$url" -qX -v ON_ERROR_STOP=1 <<'SQL'
INSERT INTO analytics.pipeline_runs (status, started_at, finished_at, as_of, model_tag)
VALUES ('SUCCEEDED', now() - interval '5 minutes', now(), current_date - 1, 'bench');
INSERT INTO analytics.forecasts (run_id, full_date, item_id, site_id, horizon_days, yhat, yhat_lower, yhat_upper,
                                 yhat_lower_95, yhat_upper_95, model_tag, confidence_level, computed_at)
SELECT (SELECT max(run_id) FROM analytics.pipeline_runs), current_date + h, i.item_id, s.site_id, h,
       10 + h % 7, 8, 12 + h % 7, 7, 14 + h % 7, 'bench', 80, now()
  FROM core.dim_item i, core.dim_site s, generate_series(1, 90) h;
VACUUM ANALYZE analytics.forecasts;
SQL
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$corrente" serve --port "$port" >"$CORRENTE_HOME/serve.log" 2>&1 &
spid=$!
for _ in $(seq 1 60); do curl -sf "http://127.0.0.1:$port/health" >/dev/null && break; sleep 0.5; done
base="http://127.0.0.1:$port/api/v1"
tok=$(curl -s -XPOST "$base/auth/login" -d "{\"username\":\"admin\",\"password\":\"$admin_pw\"}" |
      python3 -c 'import json,sys; print(json.load(sys.stdin)["data"]["access_token"])')
# median ms of $reqs uncached GETs of PATH over one keep-alive connection, as a browser sends
# them (a nonce makes each one miss the response cache)
median() {
  python3 - "$port" "$tok" "$1" "$reqs" <<'PY'
import http.client, random, statistics, sys, time
port, tok, path, n = int(sys.argv[1]), sys.argv[2], sys.argv[3], int(sys.argv[4])
c = http.client.HTTPConnection("127.0.0.1", port)
sep = "&" if "?" in path else "?"
ms = []
for i in range(n):
    t = time.perf_counter()
    c.request("GET", f"/api/v1{path}{sep}limit=1000&nonce={random.random()}", headers={"Authorization": f"Bearer {tok}"})
    r = c.getresponse(); r.read()
    assert r.status == 200, r.status
    ms.append((time.perf_counter() - t) * 1000)
print(f"{statistics.median(ms):.1f}")
PY
}
declare -A before
cases=("/forecasts?item_id=7" "/forecasts?item_id=7&site_id=3" "/forecasts/total")
for c in "${cases[@]}"; do before[$c]=$(median "$c"); done
t0=$(date +%s.%N)
psql "$url" -qX -v ON_ERROR_STOP=1 -c "
INSERT INTO analytics.overrides (kind, item_id, site_id, valid_from, valid_to, mode, value, reason,
                                 state, author, decided_by, decided_at)
SELECT 'FORECAST', 1 + (g * 7919) % 500, 1 + (g * 31) % 10, current_date + 1 + (g * 13) % 76,
       current_date + 1 + (g * 13) % 76 + g % 14, CASE WHEN g % 2 = 0 THEN 'PERCENT' ELSE 'ABSOLUTE' END,
       CASE WHEN g % 2 = 0 THEN 20 ELSE 15 END, 'bench', 'APPROVED', 'analyst', 'admin', now()
  FROM generate_series(1, $n_over) g;
ANALYZE analytics.overrides;"
echo "inserted $n_over approved overrides in $(python3 -c "print(f'{$(date +%s.%N)-$t0:.1f}')") s"
covered=$(psql "$url" -qAtX -c "select count(*) from analytics.forecasts f where exists (select 1 from analytics.overrides o where o.state = 'APPROVED' and o.kind = 'FORECAST' and o.item_id = f.item_id and o.site_id = f.site_id and f.full_date between o.valid_from and o.valid_to)")
echo "forecast rows an override covers: $covered of 450000"
echo
printf '%-34s %14s %16s %8s\n' "request (uncached, median of $reqs)" "mirror only" "with $n_over" "ratio"
for c in "${cases[@]}"; do
  after=$(median "$c")
  printf '%-34s %11s ms %13s ms %7sx\n' "$c" "${before[$c]}" "$after" "$(python3 -c "print(f'{$after/${before[$c]}:.2f}')")"
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
