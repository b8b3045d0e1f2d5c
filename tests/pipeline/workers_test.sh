#!/usr/bin/env bash
# `pipeline run --workers 2` on one PostgreSQL: the same rows as the in-process run on the same
# data; readers see the previous run while the workers compute; a worker killed with kill -9
# mid-slice loses only that slice, which is computed again, and the run still equals the
# in-process one. Two databases on the ctest run's managed cluster.
# Usage: workers_test.sh CORRENTE_BIN
set -uo pipefail
corrente="$1"
. "$(dirname "$0")/../lib.sh"
unset DATABASE_URL
admin_url=$("$corrente" db url)
one="pipeline_one_$$" two="pipeline_workers_$$"
log=$(mktemp) pid=""
cleanup() {
  [ -n "$pid" ] && kill -9 "$pid" 2>/dev/null
  rm -f "$log" "$log".*
  for d in "$one" "$two"; do psql "$admin_url" -qc "DROP DATABASE IF EXISTS $d WITH (FORCE)" >/dev/null 2>&1; done
}
trap cleanup EXIT
run_on() {  # run_on DB ARGS...: a corrente command against database DB, as its roles
  local db="$1"; shift
  role_urls "$db"
  DATABASE_URL="$(with_db "$admin_url" "$db")" "$corrente" "$@"
}
q() { psql "$(with_db "$admin_url" "$1")" -qAtX -c "$2"; }
for d in "$one" "$two"; do
  psql "$admin_url" -qc "CREATE DATABASE $d" >/dev/null || exit 1
  run_on "$d" seed --items 20 --sites 3 --days 400 --seed 7 --no-demo-users >/dev/null 2>&1
  check "seed $d" [ $? -eq 0 ]
  # Two relative outliers (decide/outliers.h): a worker finds the days the coordinator counts.
  q "$d" "update core.fact_demand_daily set quantity = case when item_id = 1 then 1e6 else 5e4 end
          where (item_id, site_id, full_date) in ((1, 1, (select max(full_date) - 5 from core.fact_demand_daily)),
                                                  (2, 2, (select max(full_date) - 100 from core.fact_demand_daily)))"
done

same_rows() {  # same_rows NAME SQL: equal, and not empty, on both databases
  local a="$log.$1.one" b="$log.$1.two"
  q "$one" "$2" >"$a" 2>&1
  q "$two" "$2" >"$b" 2>&1
  if [ -s "$a" ] && cmp -s "$a" "$b"; then ok "$1: the same $(wc -l <"$a") rows with 2 workers as in one process"
  else not_ok "$1: the workers' run differs"; diff "$a" "$b" | head -10; fi
}
# The latest published run's rows (run ids and the run in model tags left out).
latest="(select max(run_id) from analytics.pipeline_runs where status = 'SUCCEEDED')"
compare_runs() {
  same_rows "forecasts$1" "select item_id, site_id, full_date, horizon_days, yhat, yhat_lower, yhat_upper, yhat_lower_95, yhat_upper_95, split_part(model_tag, '@', 1), confidence_level from analytics.forecasts where run_id = $latest order by 1, 2, 3"
  same_rows "policy$1" "select item_id, site_id, as_of, avg_daily_demand, demand_std, lead_time_days, lead_time_std, service_level, safety_stock, reorder_point, order_up_to, current_stock, on_order, days_to_rupture, method, order_cycle_days from analytics.inventory_policy where run_id = $latest order by 1, 2"
  same_rows "accuracy$1" "select item_id, site_id, split_part(model_tag, '@', 1), mape, wape, mase, bias, n_points from analytics.forecast_accuracy where run_id = $latest order by 1, 2"
  same_rows "recommendations$1" "select item_id, site_id, type, priority, message, action_date, quantity_recommended, details, priority_score from analytics.recommendations where acknowledged_at is null order by 1, 2, 3"
  same_rows "alerts$1" "select item_id, site_id, level, category, message, details, priority_score from analytics.alerts where resolved_at is null order by 1, 2, 4"
  same_rows "features$1" "select item_id, site_id, full_date, features, schema_version from analytics.features_store order by 1, 2, 3"
  same_rows "kpis$1" "select full_date, total_demand, stockout_rate, abc_a_share, delayed_orders_pct, forecast_mape, avg_inventory_value from analytics.kpis_daily order by 1"
  same_rows "abc$1" "select item_id, abc_class from core.dim_item order by 1"
  same_rows "inventory policy columns$1" "select item_id, site_id, full_date, safety_stock, reorder_point, days_to_rupture from core.fact_inventory_daily where safety_stock is not null order by 1, 2, 3"
}

# 1. One run each: in process, and with 2 workers.
run_on "$one" pipeline run --jobs 1 >/dev/null 2>&1; check "the in-process run" [ $? -eq 0 ]
out=$(run_on "$two" pipeline run --workers 2 --jobs 1 2>"$log"); rc=$?
check "the run with 2 workers" [ $rc -eq 0 ]
[ $rc -eq 0 ] || tail -20 "$log"
check "it reports the workers' share of each stage" contains "$out" "forecast .* workers [0-9.]+ s over [0-9]+ slices"
check "every slice is DONE" [ "$(q "$two" "select count(*) filter (where state <> 'DONE') || '/' || count(*) from analytics.pipeline_slices")" = "0/$(q "$two" "select count(*) from analytics.pipeline_slices")" ]
check "the slices were shared by two worker processes" [ "$(q "$two" "select count(distinct worker) from analytics.pipeline_slices")" = 2 ]
check "nothing staged is left" [ "$(q "$two" "select (select count(*) from analytics.pipeline_features) + (select count(*) from analytics.pipeline_recommendations) + (select count(*) from analytics.pipeline_alerts)")" = 0 ]
compare_runs ""
check "both runs read the two demand outliers as missing" [ "$(q "$one" "select stats #>> '{data_quality,demand_outliers,days}' from analytics.pipeline_runs where run_id = $latest")/$(q "$two" "select stats #>> '{data_quality,demand_outliers,days}' from analytics.pipeline_runs where run_id = $latest")" = 2/2 ]

# 2. A second run: while the workers compute, readers still see the first run only; one
# worker is killed with kill -9 holding a computed slice; the run completes all the same.
run_on "$one" pipeline run --jobs 1 >/dev/null 2>&1; check "a second in-process run" [ $? -eq 0 ]
run1=$(q "$two" "select max(run_id) from analytics.pipeline_runs where status = 'SUCCEEDED'")
snapshot() {
  q "$two" "select $latest, (select count(*) from analytics.features_store where run_id <> $run1),
            (select count(*) from analytics.recommendations where run_id <> $run1),
            (select count(*) from analytics.alerts where run_id <> $run1 and resolved_at is null),
            (select count(distinct run_id) from analytics.mv_forecasts_latest)"
}
before=$(snapshot)
CORRENTE_PIPELINE_SLICE_PAUSE=3 run_on "$two" pipeline run --workers 2 --jobs 1 >"$log.out" 2>"$log" &
pid=$!
for _ in $(seq 1 600); do grep -q "pausing" "$log" && break; sleep 0.1; done
victim=$(sed -nE 's/.*pipeline worker [^ ]*:([0-9]+) run=.*pausing.*/\1/p' "$log" | head -1)
check "a worker holds a computed slice before its commit" [ -n "$victim" ]
run2=$(q "$two" "select max(run_id) from analytics.pipeline_runs")
check "meanwhile the second run's rows are written under its id" [ "$(q "$two" "select status from analytics.pipeline_runs where run_id = $run2")" = RUNNING ]
check "meanwhile readers see the first run only" [ "$(snapshot)" = "$before" ]
[ -n "$victim" ] && kill -9 "$victim"
wait "$pid"; rc=$?
pid=""
check "the run completes after a worker was killed" [ $rc -eq 0 ]
[ $rc -eq 0 ] || tail -20 "$log"
check "the coordinator saw the worker die and replaced it" grep -q "ended by signal 9" "$log"
check "no slice was computed by the killed worker" [ "$(q "$two" "select count(*) from analytics.pipeline_slices where run_id = $run2 and worker like '%:$victim'")" = 0 ]
check "every slice of the run is DONE" [ "$(q "$two" "select count(*) from analytics.pipeline_slices where run_id = $run2 and state <> 'DONE'")" = 0 ]
check "the second run is published" [ "$(q "$two" "select max(run_id) from analytics.pipeline_runs where status = 'SUCCEEDED'")" = "$run2" ]
compare_runs " (after kill -9)"

# 3. A shorter horizon, where the forecaster's global model qualifies: every worker process
# fits it on the same hash sample, so the forecasts are the same too.
run_on "$one" pipeline run --jobs 1 --horizon 14 >/dev/null 2>&1; check "an in-process run, horizon 14" [ $? -eq 0 ]
run_on "$two" pipeline run --workers 2 --jobs 1 --horizon 14 >/dev/null 2>"$log"
check "a run with 2 workers, horizon 14" [ $? -eq 0 ]
check "the global model is chosen or combined for some series" [ "$(q "$two" "select count(*) from analytics.forecast_accuracy where run_id = $latest and model_tag like '%global%'")" -gt 0 ]
compare_runs " (global model)"

# 4. Refusals.
run_on "$two" pipeline run --workers 2 --stages forecast >/dev/null 2>&1
check "--workers with --stages is refused" [ $? -ne 0 ]
out=$(run_on "$two" pipeline worker 2>&1)
check "a worker with nothing to do says so and ends" contains "$out" "0 slice\(s\) computed"
finish
