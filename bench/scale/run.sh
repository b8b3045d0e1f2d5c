#!/usr/bin/env bash
# Scale benchmark (not a test): the same seeded data and pipeline run on plain PostgreSQL and
# on a Citus cluster (a coordinator and two workers on this machine, tests/citus/lib.sh),
# both in the coordinator's server. Prints series per second, the time of each stage and the
# bytes per series of each, and a markdown table for docs/scale.md.
#
# Usage: bench/scale/run.sh [path/to/corrente]   (default build/release/corrente)
# Env: BENCH_ITEMS (5000) BENCH_SITES (10) BENCH_DAYS (730): 50,000 series by default.
# BENCH_WORKERS ("1 2"): on Citus, one `pipeline run --workers N` per N (the coordinator and
# its worker processes, docs/scale.md); BENCH_CITUS_INPROCESS=1 adds the in-process run there.
# BENCH_ENGINES ("single corrente"): the plain database, the Citus one, or both.
# BENCH_WAIT_FILE: on Citus, wait after the seed until this file exists (seed while the binary
# of the pipeline runs is still being built; it is run from the same path).
# The load average is printed before and after each run: the machine may be shared. Database
# CPU is user + system time of every node's server processes (the postmasters and the
# backends they reaped) during the run.
set -uo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
corrente="$(realpath "${1:-$root/build/release/corrente}")"
items=${BENCH_ITEMS:-5000} sites=${BENCH_SITES:-10} days=${BENCH_DAYS:-730}
. "$root/tests/lib.sh"
. "$root/tests/citus/lib.sh"
unset DATABASE_URL DATABASE_URL_API DATABASE_URL_PIPELINE DATABASE_URL_MIGRATE
citus_require
base=$(mktemp -d /tmp/corrente-scale.XXXX)
chmod 755 "$base"
trap 'citus_stop "$base"; rm -rf "$base"' EXIT
citus_start "$base" || { echo "citus cluster did not start" >&2; exit 1; }
export CORRENTE_HOME="$base/coord"
psql "$coord_url" -qAtc "CREATE DATABASE single" >/dev/null 2>&1
declare -A rate labels
# CPU seconds of the servers of this cluster so far: each postmaster and its reaped children.
db_cpu() {
  local n pid total=0
  for n in coord w1 w2; do
    pid=$(head -1 "$base/$n/pg/data/postmaster.pid" 2>/dev/null) || continue
    total=$((total + $(awk '{print $14 + $15 + $16 + $17}' "/proc/$pid/stat")))
  done
  echo "scale=2; $total / $(getconf CLK_TCK)" | bc
}
for db in ${BENCH_ENGINES:-single corrente}; do
  url=$(with_db "$coord_url" "$db")
  if [ "$db" = corrente ]; then DATABASE_URL="$url" "$corrente" db upgrade --distributed >/dev/null 2>&1
  else DATABASE_URL="$url" "$corrente" db upgrade >/dev/null 2>&1; fi
  role_urls "$db"
  t0=$(date +%s.%N)
  DATABASE_URL="$url" "$corrente" seed --items "$items" --sites "$sites" --days "$days" --seed 1 --no-demo-users >/dev/null 2>&1
  seed_s=$(echo "$(date +%s.%N) - $t0" | bc)
  modes="0"
  if [ "$db" = corrente ]; then modes="${BENCH_WORKERS:-1 2}"; [ -n "${BENCH_CITUS_INPROCESS:-}" ] && modes="0 $modes"; fi
  if [ "$db" = corrente ] && [ -n "${BENCH_WAIT_FILE:-}" ]; then
    echo "== seeded in ${seed_s%.*} s; waiting for $BENCH_WAIT_FILE"
    while [ ! -e "$BENCH_WAIT_FILE" ]; do sleep 10; done
  fi
  for w in $modes; do
  load0=$(cut -d' ' -f1-3 /proc/loadavg)
  t0=$(date +%s.%N)
  # The pipeline's CPU (user + system) from bash's times: the process and the worker
  # processes it waited for.
  TIMEFORMAT='%U %S'
  dbcpu0=$(db_cpu)
  cpu=$( { time DATABASE_URL="$url" "$corrente" pipeline run --workers "$w" >"$base/pipeline-$db-$w.log" 2>&1; } 2>&1 ) ||
    { tail "$base/pipeline-$db-$w.log"; exit 1; }
  run_s=$(echo "$(date +%s.%N) - $t0" | bc)
  cpu_s=$(echo "$cpu" | tail -1 | awk '{print $1 + $2}')
  dbcpu_s=$(echo "$(db_cpu) - $dbcpu0" | bc)
  series=$(psql "$url" -qAtX -c "select (stats->>'series')::int from analytics.pipeline_runs where status = 'SUCCEEDED' order by run_id desc limit 1")
  key="$db-$w"
  rate[$key]=$(echo "scale=1; $series / $run_s" | bc)
  if [ "$db" = single ]; then label="PostgreSQL, single node, in process"
  elif [ "$w" = 0 ]; then label="Citus (coordinator + 2 nodes), in process"
  else label="Citus (coordinator + 2 nodes), --workers $w"; fi
  labels[$key]=$label
  echo "== $label: $series series, seed ${seed_s%.*} s, pipeline $run_s s, ${rate[$key]} series/s, pipeline CPU $cpu_s s ($(echo "scale=2; $cpu_s * 1000 / $series" | bc) ms per series), database CPU $dbcpu_s s ($(echo "scale=2; $dbcpu_s * 1000 / $series" | bc) ms per series); load average $load0 before, $(cut -d' ' -f1-3 /proc/loadavg) after"
  psql "$url" -qAtX -c "select '  ' || rpad(e->>'name', 16) || lpad(coalesce(e->>'seconds', '-'), 10) || ' s  ' || coalesce(e->>'note', '')
    from analytics.pipeline_runs r, jsonb_array_elements(r.stats->'stages') with ordinality s(e, n)
    where r.run_id = (select max(run_id) from analytics.pipeline_runs where status = 'SUCCEEDED') order by n"
  done
  # Bytes per series: the facts and the analytics of one run, divided by the series.
  if [ "$db" = corrente ]; then
    # Leaf tables only: a partitioned parent's size would count its partitions twice.
    bytes=$(psql "$url" -qAtX -c "select sum(citus_total_relation_size(logicalrelid)) from pg_dist_partition p join pg_class c on c.oid = p.logicalrelid where p.partmethod = 'h' and c.relkind = 'r'")
  else
    bytes=$(psql "$url" -qAtX -c "select sum(pg_total_relation_size(c.oid)) from pg_class c join pg_namespace n on n.oid = c.relnamespace where n.nspname in ('core','analytics') and c.relkind = 'r' and c.relname not like 'dim_%'")
  fi
  echo "  bytes per series (facts + analytics, with indexes): $((bytes / series))"
done
echo
echo "| run | series | series/s |"
echo "|---|---|---|"
for key in "${!labels[@]}"; do echo "| ${labels[$key]} | $series | ${rate[$key]} |"; done | sort
