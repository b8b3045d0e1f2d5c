#!/usr/bin/env bash
# Request coalescing and the one token check per request (not a test): two `corrente` binaries,
# e.g. before and after a change, alternated on one throwaway managed cluster (100 items x 5
# sites x 400 days), with wrk at one VIEWER's demand series:
#   unique  every request a unique URL (each a cache miss that computes alone);
#   hot     4 URLs asked again and again while a publish (NOTIFY corrente_data) drops the cache
#           about every 100 ms, so each key's next requests all miss at once.
# Prints per run: wrk's requests, non-2xx (429s), p50/p99, the server's CPU per request
# (utime+stime from /proc), the database's committed transactions per request, and the
# server's coalescing and in-flight metrics. Compare medians: the machine may be shared.
#
# Usage: bench/coalesce/run.sh BEFORE AFTER [ROUNDS=3] [SECONDS=8]
# Env: INFLIGHT (serve --max-in-flight; empty: the default, half the workers, which answers most
#      of the one token's 64 unique-URL connections 429: give 64 to measure misses)
#      CASES ("unique hot")
set -uo pipefail
before=$(realpath "$1") after=$(realpath "$2") rounds=${3:-3} secs=${4:-8}
here=$(cd "$(dirname "$0")" && pwd)
command -v wrk >/dev/null || { echo "needs wrk: scripts/deps.sh bench" >&2; exit 2; }
unset DATABASE_URL
export CORRENTE_HOME=$(mktemp -d /tmp/corrente-coalesce.XXXXXX) CORRENTE_PG_FAST=1
chmod 755 "$CORRENTE_HOME"
export CORRENTE_JWT_SECRET=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')
spid="" nloop=""
trap '[ -n "$spid" ] && kill "$spid" 2>/dev/null; [ -n "$nloop" ] && kill "$nloop" 2>/dev/null; "$after" db stop >/dev/null 2>&1; rm -rf "$CORRENTE_HOME"' EXIT
"$after" db start >/dev/null 2>&1
"$after" db upgrade >/dev/null 2>&1 || { echo "db upgrade failed" >&2; exit 1; }
"$after" seed --items 100 --sites 5 --days 400 --no-demo-users >/dev/null 2>&1 || { echo "seed failed" >&2; exit 1; }
pw='Twelve-Phrase-Of-Coalescing-9'
echo "$pw" | "$after" user add bench --role VIEWER --password-stdin >/dev/null 2>&1
url=$("$after" db url)
clk=$(getconf CLK_TCK)
cpu() { awk '{print $14+$15}' "/proc/$1/stat"; }
xacts() { psql "$url" -qAtX -c "select xact_commit from pg_stat_database where datname = current_database()"; }
for round in $(seq 1 "$rounds"); do
  for which in before after; do
    bin=${!which}
    port=$(python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])')
    "$bin" serve --port "$port" ${INFLIGHT:+--max-in-flight $INFLIGHT} >"$CORRENTE_HOME/serve-$which.log" 2>&1 &
    spid=$!
    for _ in $(seq 1 100); do curl -fs "http://127.0.0.1:$port/health" >/dev/null && break; sleep 0.1; done
    TOKEN=$(curl -fs -X POST -H 'Content-Type: application/json' -d "{\"username\":\"bench\",\"password\":\"$pw\"}" \
      "http://127.0.0.1:$port/api/v1/auth/login" | python3 -c 'import json,sys;print(json.load(sys.stdin)["data"]["access_token"])')
    export TOKEN
    for case in ${CASES:-unique hot}; do
      if [ "$case" = hot ]; then
        ( while true; do psql "$url" -qAtX -c "NOTIFY corrente_data, '0'" >/dev/null; sleep 0.1; done ) &
        nloop=$!
      fi
      c0=$(cpu "$spid"); x0=$(xacts)
      out=$(wrk -t 2 -c 64 -d "${secs}s" -s "$here/$case.lua" "http://127.0.0.1:$port" 2>&1 | grep RESULT)
      c1=$(cpu "$spid"); x1=$(xacts)
      if [ -n "$nloop" ]; then kill "$nloop"; wait "$nloop" 2>/dev/null; nloop=""; fi
      reqs=$(sed -n 's/.*requests=\([0-9]*\).*/\1/p' <<<"$out")
      awk -v r="$round" -v w="$which" -v c="$case" -v o="$out" -v cpu=$((c1 - c0)) -v clk="$clk" -v n="$reqs" -v x=$((x1 - x0)) -v s="$secs" \
        'BEGIN{printf "round=%s %-6s %-6s %s rps=%.0f server_cpu_us_per_req=%.1f db_xacts_per_req=%.4f\n", r, w, c, o, n/s, cpu/clk*1e6/n, x/n}'
    done
    curl -fs "http://127.0.0.1:$port/metrics" | grep -E '^(cache_coalesced_total|cache_coalesce_leads_total|cache_coalesce_fallbacks_total|http_in_flight_refused_total) ' | tr '\n' ' '
    echo
    kill "$spid"; wait "$spid" 2>/dev/null; spid=""
  done
done
