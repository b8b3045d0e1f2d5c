# Sourced by citus_test.sh after compare.sh: `pipeline run --workers 2` on Citus, one worker
# killed with kill -9 while it holds a computed slice, compared row for row with an in-process
# run on plain PostgreSQL (database single) of the same data and as-of day.
latest="(select max(run_id) from analytics.pipeline_runs where status = 'SUCCEEDED')"
role_urls single
DATABASE_URL="$single_url" "$corrente" pipeline run >/dev/null 2>&1
check "another in-process run on plain PostgreSQL" [ $? -eq 0 ]
role_urls corrente
wlog="$base/workers.log"
t0=$(date +%s.%N)
CORRENTE_PIPELINE_SLICE_PAUSE=2 DATABASE_URL="$citus_db_url" "$corrente" pipeline run --workers 2 >"$base/workers.out" 2>"$wlog" &
wpid=$!
spids+=($wpid)
for _ in $(seq 1 1200); do grep -q "pausing" "$wlog" && break; sleep 0.1; done
victim=$(sed -nE 's/.*pipeline worker [^ ]*:([0-9]+) run=.*pausing.*/\1/p' "$wlog" | head -1)
check "a worker on Citus holds a computed slice before its commit" [ -n "$victim" ]
[ -n "$victim" ] && kill -9 "$victim"
wait "$wpid"; rc=$?
check "the run with 2 workers on Citus completes after one was killed" [ $rc -eq 0 ]
[ $rc -eq 0 ] || tail -20 "$wlog"
echo "# workers on Citus: $(grep -E 'published' "$base/workers.out" | tail -1) (wall $(echo "$(date +%s.%N) - $t0" | bc) s)"
unset DATABASE_URL_API DATABASE_URL_PIPELINE DATABASE_URL_MIGRATE
check "the coordinator replaced the killed worker" grep -q "ended by signal 9" "$wlog"
wrun=$(q "select max(run_id) from analytics.pipeline_runs")
check "slices follow the shards (one shard per slice)" [ "$(q "select count(*) from analytics.pipeline_slices where run_id = $wrun and shard is null")" = 0 ]
# A worker reads its slice's demand with one query that Citus sends to the slice's shard alone.
sitems=$(q "select item_ids from analytics.pipeline_slices where run_id = $wrun order by cardinality(item_ids) desc, slice limit 1")
check "a slice of several items ($sitems): its demand read goes to one shard" [ "$(tasks "select item_id, site_id, full_date, quantity::float8 from core.fact_demand_daily where full_date between date '2020-01-01' and date '2030-01-01' and item_id = any('$sitems'::int[]) order by item_id, site_id, full_date")" = 1 ]
check "  (it has more than one item)" [ "$(q "select cardinality(array(select distinct unnest('$sitems'::int[])))")" -gt 1 ]
check "every slice is DONE, none by the killed worker" [ "$(q "select count(*) filter (where state <> 'DONE' or worker like '%:$victim') from analytics.pipeline_slices where run_id = $wrun")" = 0 ]
check "the workers' run is the published one" [ "$(q "select $latest")" = "$wrun" ]
# same_rows (compare.sh): the latest run's rows equal on both, not empty.
same_rows workers-forecasts "select item_id, site_id, full_date, horizon_days, yhat, yhat_lower, yhat_upper, yhat_lower_95, yhat_upper_95, split_part(model_tag, '@', 1), confidence_level from analytics.forecasts where run_id = $latest order by 1, 2, 3"
same_rows workers-policy "select item_id, site_id, as_of, avg_daily_demand, demand_std, lead_time_days, lead_time_std, service_level, safety_stock, reorder_point, order_up_to, current_stock, on_order, days_to_rupture, method, order_cycle_days from analytics.inventory_policy where run_id = $latest order by 1, 2"
same_rows workers-recommendations "select item_id, site_id, type, priority, message, action_date, quantity_recommended, details, priority_score from analytics.recommendations where acknowledged_at is null order by 1, 2, 3"
same_rows workers-alerts "select item_id, site_id, level, category, message, details, priority_score from analytics.alerts where resolved_at is null and item_id is not null order by 1, 2, 4"
same_rows workers-accuracy "select item_id, site_id, split_part(model_tag, '@', 1), mape, wape, mase, bias, n_points from analytics.forecast_accuracy where run_id = $latest order by 1, 2"
same_rows workers-features "select item_id, site_id, full_date, features from analytics.features_store order by 1, 2, 3"
check "nothing staged is left on Citus" [ "$(q "select (select count(*) from analytics.pipeline_features) + (select count(*) from analytics.pipeline_recommendations) + (select count(*) from analytics.pipeline_alerts)")" = 0 ]

# A failed run on Citus raises its PIPELINE_FAILED alert (no item: alerts are a reference
# table), here a worker's slice refused by a missing grant; the next published run resolves it.
q "revoke insert on analytics.pipeline_alerts from corrente_pipeline" >/dev/null
role_urls corrente
DATABASE_URL="$citus_db_url" "$corrente" pipeline run --workers 2 >/dev/null 2>"$base/fail.log"; rc=$?
check "a run whose slices fail on Citus fails (exit $rc)" [ $rc -ne 0 ]
check "  its slice is recorded FAILED with the error" [ "$(q "select count(*) from analytics.pipeline_slices where state = 'FAILED' and error like '%permission denied%'")" -ge 1 ]
check "  and the run raises one CRITICAL PIPELINE_FAILED alert without an item" [ "$(q "select count(*) || ' ' || min(level) || ' ' || bool_and(item_id is null) from analytics.alerts where category = 'PIPELINE_FAILED' and resolved_at is null")" = "1 CRITICAL true" ]
check "  no error about raising it" bash -c "! grep -q 'could not raise the PIPELINE_FAILED alert' '$base/fail.log'"
q "grant insert on analytics.pipeline_alerts to corrente_pipeline" >/dev/null
DATABASE_URL="$citus_db_url" "$corrente" pipeline run --workers 2 >/dev/null 2>&1
check "the repaired run publishes with workers on Citus" [ $? -eq 0 ]
unset DATABASE_URL_API DATABASE_URL_PIPELINE DATABASE_URL_MIGRATE
check "  and resolves the alert" [ "$(q "select count(*) from analytics.alerts where category = 'PIPELINE_FAILED' and resolved_at is null")" = 0 ]
