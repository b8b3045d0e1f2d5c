#!/usr/bin/env bash
# The pipeline schedule of `corrente serve --schedule`: a run missed while no server was up
# runs at start-up; /health shows the schedule and the next run; two servers on one schedule
# run it once per fire; a failed run raises a CRITICAL PIPELINE_FAILED alert that the next
# published run resolves. Uses real minutes: about two of them.
set -uo pipefail
corrente="$1"
here="$(cd "$(dirname "$0")" && pwd)"
. "$here/../lib.sh"
api_scratch api_schedule
export TZ=UTC
pids=()

up=$("$corrente" db upgrade 2>&1); rc=$?
check "db upgrade" [ "$rc" -eq 0 ]
[ "$rc" -eq 0 ] || tail -5 <<<"$up"  # once seen failing under ctest -j2 next to other api tests
"$corrente" seed --items 6 --sites 2 --days 120 --seed 5 >/dev/null 2>&1; check "seed" [ $? -eq 0 ]
sql() { psql "$DATABASE_URL" -qAtX -v ON_ERROR_STOP=1 -c "$1"; }
runs() { sql "select count(*) from analytics.pipeline_runs where status = 'SUCCEEDED'"; }
wait_for() {  # wait_for SECONDS SQL-CONDITION
  local i
  for ((i = 0; i < $1 * 2; i++)); do [ "$(sql "select ($2)")" = t ] && return 0; sleep 0.5; done
  return 1
}
check "no run yet" [ "$(runs)" = 0 ]
check "a bad schedule is refused at once (exit 2)" bash -c "'$corrente' serve --schedule '61 * * * *' >/dev/null 2>&1; [ \$? -eq 2 ]"

# ---- a missed run at start-up ----
portA=$(free_port)
"$corrente" serve --port "$portA" --schedule '0 3 * * *' >"$work/a.log" 2>&1 &
pids+=($!)
wait_http "http://127.0.0.1:$portA/health" 30; check "server A answers" [ $? -eq 0 ]
check "the missed run runs at start-up" wait_for 90 "exists (select 1 from analytics.pipeline_runs where status = 'SUCCEEDED')"
check "  and the log says why" grep -q 'was missed' "$work/a.log"
# The run's row says SUCCEEDED before its process has ended and the scheduler has taken its exit
# and its next time: wait for /health to say the scheduler waits again, then read it.
idle_health() {  # idle_health PORT: /health once the schedule is not running, has a last exit
  local i h      # and waits for a time to come
  for i in $(seq 1 600); do
    h=$(curl -s "http://127.0.0.1:$1/health")
    python3 -c "
import datetime as d, json, sys
s = json.loads(sys.argv[1])['pipeline_schedule']
later = s['next_run'] and d.datetime.strptime(s['next_run'], '%Y-%m-%dT%H:%M:%SZ') > d.datetime.utcnow()
sys.exit(0 if not s['running'] and s['last_exit'] is not None and later else 1)" "$h" 2>/dev/null && { echo "$h"; return 0; }
    sleep 0.1
  done
  echo "$h"
  return 1
}
h=$(idle_health "$portA")
want=$(python3 -c "import datetime as d; n=d.datetime.utcnow(); t=n.replace(hour=3, minute=0, second=0, microsecond=0); t = t if t > n else t + d.timedelta(days=1); print(t.strftime('%Y-%m-%dT%H:%M:%SZ'))")
check "/health: the schedule and its next run ($want)" [ "$(python3 -c "import json,sys; s=json.loads(sys.argv[1])['pipeline_schedule']; print(s['schedule'], s['next_run'], s['last_exit'])" "$h")" = "0 3 * * * $want 0" ]
check "/health: the last run, with its outcome" contains "$h" '"last_pipeline_run":"SUCCEEDED '
check "  lineage: its audit record names the scheduler and the rows" wait_for 30 "exists (select 1 from support.audit_logs where action = 'PIPELINE_RUN' and actor = 'scheduler' and details->>'status' = 'SUCCEEDED' and (details->'rows'->>'forecast')::int > 0)"
kill "${pids[0]}"; wait "${pids[0]}" 2>/dev/null

# ---- two servers on one schedule: one run per fire ----
# "Recent" must mean since the last fire of '* * * * *': a run started in this minute, with
# time left before the next one for B and C to start (else their catch-up is right).
[ "$(date +%-S)" -lt 40 ] || sleep $((61 - $(date +%-S)))
sql "INSERT INTO analytics.pipeline_runs (status, started_at, finished_at) VALUES ('SUCCEEDED', now(), now())" >/dev/null
before=$(sql "select count(*) from analytics.pipeline_runs")
t0=$(sql "select now()")
portB=$(free_port); portC=$(free_port)
"$corrente" serve --port "$portB" --schedule '* * * * *' >"$work/b.log" 2>&1 &
pids+=($!)
"$corrente" serve --port "$portC" --schedule '* * * * *' >"$work/c.log" 2>&1 &
pids+=($!)
wait_http "http://127.0.0.1:$portB/health" 30 && wait_http "http://127.0.0.1:$portC/health" 30
check "servers B and C answer" [ $? -eq 0 ]
check "  no catch-up run: the last one is recent" [ "$(grep -c 'was missed' "$work/b.log" "$work/c.log" | awk -F: '{s+=$2} END {print s}')" = 0 ]
check "the next minute's fire runs the pipeline" wait_for 130 "(select count(*) from analytics.pipeline_runs where status = 'SUCCEEDED') > $before"
# Count once both servers have logged how their fire ended (a fixed wait raced a late one).
fire_done() {  # fire_done LOG: its scheduler logged the end of a fire
  grep -qE 'scheduler: (pipeline run finished|another server is running or ran|the .* run already started elsewhere|pipeline run exited with)' "$1"
}
both_done() {
  local i
  for i in $(seq 1 1200); do fire_done "$work/b.log" && fire_done "$work/c.log" && return 0; sleep 0.1; done
  return 1
}
check "  both servers logged the end of that fire" both_done
started=$(sql "select count(*) from analytics.pipeline_runs where started_at > '$t0'")
check "  once, not once per server ($started run since B and C started)" [ "$started" = 1 ]
check "  and no server logs a failure for it" [ "$(grep -c 'exited with' "$work/b.log" "$work/c.log" | awk -F: '{s+=$2} END {print s}')" = 0 ]
kill "${pids[1]}" "${pids[2]}"; wait "${pids[1]}" "${pids[2]}" 2>/dev/null
check "servers stop cleanly while scheduled" [ "$(grep -c 'unhandled\|terminate' "$work/b.log" "$work/c.log" | awk -F: '{s+=$2} END {print s}')" = 0 ]
# The loser of a fire can reach the run lock after the winner's run has ended (a child slow to
# start on a loaded machine): given the fire's time, its run then does nothing.
fire=$(sql "select floor(extract(epoch from max(started_at)))::int8 from analytics.pipeline_runs")
n=$(sql "select count(*) from analytics.pipeline_runs")
out=$(CORRENTE_ACTOR=scheduler CORRENTE_SCHEDULED_AT="$fire" "$corrente" pipeline run 2>&1); rc=$?
check "a fire's run after that fire's run ended elsewhere does nothing (exit $rc)" [ "$rc" -ne 0 ] &&
  also contains "$out" "already started elsewhere" && also [ "$(sql "select count(*) from analytics.pipeline_runs")" = "$n" ]

# ---- a failed run raises an alert; the next published one resolves it ----
sql "ALTER TABLE analytics.forecast_accuracy RENAME TO forecast_accuracy_away" >/dev/null
"$corrente" pipeline run >"$work/fail.log" 2>&1; rc=$?
check "a broken run fails (exit $rc)" [ "$rc" -ne 0 ]
check "  lineage: the failed run is recorded with its error" [ "$(sql "select count(*) from support.audit_logs where action = 'PIPELINE_RUN' and actor = 'cli:$(id -un)' and details->>'status' = 'FAILED' and details->>'error' <> ''")" = 1 ]
check "  and raises one CRITICAL PIPELINE_FAILED alert naming the run" [ "$(sql "select count(*) || ' ' || min(level) || ' ' || (min(message) like 'Pipeline run % failed: %') from analytics.alerts where category = 'PIPELINE_FAILED' and resolved_at is null")" = "1 CRITICAL true" ]
"$corrente" pipeline run >/dev/null 2>&1
check "  a second failure updates it, not a second alert" [ "$(sql "select count(*) from analytics.alerts where category = 'PIPELINE_FAILED'")" = 1 ]
sql "ALTER TABLE analytics.forecast_accuracy_away RENAME TO forecast_accuracy" >/dev/null
"$corrente" pipeline run >/dev/null 2>&1; check "the repaired run publishes" [ $? -eq 0 ]
check "  and resolves the alert" [ "$(sql "select count(*) from analytics.alerts where category = 'PIPELINE_FAILED' and resolved_at is null")" = 0 ]
finish
