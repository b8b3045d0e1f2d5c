#!/usr/bin/env bash
# kill -9 during the publish of a pipeline run: the previous run must still be served, and the
# next run must recover. Uses its own database on the ctest run's managed cluster.
# Usage: kill_test.sh CORRENTE_BIN
set -uo pipefail
corrente="$1"
. "$(dirname "$0")/../lib.sh"
unset DATABASE_URL
admin_url=$("$corrente" db url)
db="pipeline_kill_$$"
psql "$admin_url" -qc "CREATE DATABASE $db" >/dev/null || exit 1
role_urls "$db"
export DATABASE_URL="$(with_db "$admin_url" "$db")"
log=$(mktemp)
pid=""
cleanup() {
  [ -n "$pid" ] && kill -9 "$pid" 2>/dev/null
  rm -f "$log"
  psql "$admin_url" -qc "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1
}
trap cleanup EXIT
q() { psql "$DATABASE_URL" -Atc "$1"; }

"$corrente" seed --items 20 --sites 3 --days 400 --seed 7 --no-demo-users >/dev/null 2>&1
check "seed a small database" [ $? -eq 0 ]
out=$("$corrente" pipeline run --jobs 2 2>/dev/null); rc=$?
check "first run succeeds" [ $rc -eq 0 ]
check "first run reports its stages" contains "$out" "forecast .* rows"
run1=$(q "select max(run_id) from analytics.pipeline_runs where status = 'SUCCEEDED'")
snapshot() {
  q "select (select count(*) from analytics.forecasts where run_id = $run1),
            (select count(*) from analytics.features_store),
            (select count(*) from analytics.kpis_daily),
            (select count(*) from analytics.mv_forecasts_latest where run_id = $run1),
            (select count(*) from analytics.mv_forecasts_latest where run_id <> $run1),
            (select count(*) from analytics.recommendations where run_id = $run1),
            (select count(*) from analytics.alerts where run_id = $run1 and resolved_at is null),
            (select max(run_id) from analytics.pipeline_runs where status = 'SUCCEEDED'),
            (select count(*) from core.fact_inventory_daily where safety_stock is not null)"
}
before=$(snapshot)
check "first run published forecasts" [ "$(cut -d'|' -f1 <<<"$before")" -eq $((60 * 90)) ]

# Second run, paused after everything is written and the views are refreshed, before COMMIT.
CORRENTE_PIPELINE_PAUSE_BEFORE_COMMIT=60 "$corrente" pipeline run --jobs 2 --horizon 30 >/dev/null 2>"$log" &
pid=$!
for _ in $(seq 1 600); do grep -q "pausing" "$log" && break; sleep 0.1; done
check "second run reached the pause before commit" grep -q "pausing" "$log"
run2=$(q "select max(run_id) from analytics.pipeline_runs")
check "second run is registered as RUNNING" [ "$(q "select status from analytics.pipeline_runs where run_id = $run2")" = "RUNNING" ]
check "during publish, readers still see the first run only" [ "$(snapshot)" = "$before" ]
kill -9 "$pid"
wait "$pid" 2>/dev/null
pid=""
# Its backend ends once it reads the closed socket and has rolled back; until then it holds the
# run lock, and the next run would be refused (a fixed sleep raced this on a loaded machine).
lock_gone() {
  local i
  for i in $(seq 1 600); do
    [ "$(q "select count(*) from pg_locks where locktype = 'advisory' and database = (select oid from pg_database where datname = current_database())")" = 0 ] && return 0
    sleep 0.1
  done
  return 1
}
check "the killed run's session ends and releases the run lock" lock_gone
check "after kill -9, the first run is intact" [ "$(snapshot)" = "$before" ]
check "nothing of the killed run is visible" [ "$(q "select (select count(*) from analytics.forecasts where run_id = $run2) + (select count(*) from analytics.kpis_daily where run_id = $run2)")" = "0" ]
check "the killed run never became SUCCEEDED" [ "$(q "select status from analytics.pipeline_runs where run_id = $run2")" = "RUNNING" ]

# The next run recovers: the abandoned run is marked FAILED and a new one is published.
"$corrente" pipeline run --jobs 2 --stages forecast,kpis >/dev/null 2>&1
check "a run after the kill succeeds" [ $? -eq 0 ]
check "the killed run is marked FAILED" [ "$(q "select status from analytics.pipeline_runs where run_id = $run2")" = "FAILED" ]
run3=$(q "select max(run_id) from analytics.pipeline_runs where status = 'SUCCEEDED'")
check "the new run is served" [ "$(q "select count(distinct run_id) from analytics.mv_forecasts_latest where full_date > current_date - 1")" = "1" ]
check "the new run is the latest published" [ "$run3" -gt "$run2" ]
status=$("$corrente" pipeline status 2>/dev/null)
check "pipeline status lists the three runs" [ "$(grep -cE '^[0-9]+ +(SUCCEEDED|FAILED)' <<<"$status")" -eq 3 ]
check "pipeline status shows stage timings" contains "$status" "forecast=[0-9.]+s"
"$corrente" pipeline run --stages bogus >/dev/null 2>&1
check "an unknown stage is refused" [ $? -ne 0 ]
finish
