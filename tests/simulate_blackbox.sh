#!/usr/bin/env bash
# `corrente simulate` as a user runs it, against its own database on the ctest run's cluster
# and on a CSV: the table, the stored run, the files it writes, the errors it gives for bad
# input, and that a killed run stores nothing.
set -uo pipefail
corrente="$1"
here="$(cd "$(dirname "$0")" && pwd)"
. "$here/lib.sh"
db=simulate_test
scratch_db "$db"
work=$(mktemp -d)
trap 'rm -rf "$work"; psql "$main_url" -qAtc "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1' EXIT
q() { psql "$DATABASE_URL" -Atc "$1"; }
"$corrente" db upgrade >/dev/null 2>&1; check "db upgrade" [ $? -eq 0 ]
"$corrente" seed --items 20 --sites 3 --days 300 --seed 5 >/dev/null 2>&1; check "seed" [ $? -eq 0 ]

out=$("$corrente" simulate --output "$work/r.json" --svg "$work/r.svg" 2>"$work/err"); rc=$?
check "simulate exits 0" [ $rc -eq 0 ]
for p in spec normal empirical; do check "the table has $p" contains "$out" "^$p "; done
check "it says what it replays" grep -q "replaying 60 series under 3 policy run" "$work/err"
check "the run is stored" [ "$(q "select count(*) from analytics.simulation_runs where status='SUCCEEDED' and jsonb_array_length(results) = 3")" = 1 ]
check "stored params name the period" [ "$(q "select params ? 'from' and params ? 'to' from analytics.simulation_runs")" = t ]
check "the seeded data has no relative outlier of demand" [ "$(q "select params->'demand_outliers'->>'days' from analytics.simulation_runs")" = 0 ]
also lacks "$(cat "$work/err")" "outliers"
check "JSON output parses, 3 policies with classes" [ "$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(len(d), all("by_class" in p for p in d))' "$work/r.json")" = "3 True" ]
check "the SVG is a chart" grep -q "<circle" "$work/r.svg"
out2=$("$corrente" simulate --no-store --policies spec --output "$work/r.csv" 2>/dev/null)
check "same seed, same figures" [ "$(grep '^spec ' <<<"$out")" = "$(grep '^spec ' <<<"$out2")" ]
check "CSV output has rows per class" [ "$(grep -c '^spec,class,' "$work/r.csv")" -ge 2 ]
check "--no-store stores nothing" [ "$(q 'select count(*) from analytics.simulation_runs')" = 1 ]

err=$("$corrente" simulate --policies spec,magic 2>&1); rc=$?
check "an unknown policy is refused ($rc)" [ $rc -ne 0 ]
check "naming it" contains "$err" "unknown policy 'magic'"
err=$("$corrente" simulate --from 2030-01-02 --to 2030-01-01 2>&1)
check "an empty period is named" contains "$err" "empty period"
err=$("$corrente" simulate --from 1990-01-01 2>&1)
check "a period longer than the data is named" contains "$err" "longer than the data"
err=$("$corrente" simulate --from 2024-13-01 2>&1); rc=$?
check "a malformed date is a usage error" [ $rc -eq 2 ]
err=$("$corrente" simulate --service-levels 0.9,1.5 2>&1); rc=$?
check "a service level outside (0.5, 1) is a usage error" [ $rc -eq 2 ]

head -30 "$here/fixtures/m4-weekly/Weekly-train.csv" >"$work/m4.csv"
out=$("$corrente" simulate --demand "$work/m4.csv" --lead-time 2 --service-levels 0.9,0.99 --svg "$work/m4.svg" 2>/dev/null); rc=$?
check "simulate on a CSV (M4 weekly series) exits 0" [ $rc -eq 0 ]
check "with the sweep" contains "$out" "^empirical@0.99 "
err=$("$corrente" simulate --demand "$work/m4.csv" --lead-time -1 2>&1); rc=$?
check "a negative lead time is refused" [ $rc -ne 0 ]
check "naming it" contains "$err" "lead-time"
printf 'id,v1,v2\na,1,2\n' >"$work/short.csv"
err=$("$corrente" simulate --demand "$work/short.csv" --lead-time 3 2>&1)
check "a CSV with no usable series is named" contains "$err" "no usable series"
err=$("$corrente" simulate --demand "$work/m4.csv" 2>&1)
check "a CSV without a lead time asks for one" contains "$err" "--lead-time"

# kill -9 mid-run: the run is stored in one INSERT at the end, so nothing is half-written.
"$corrente" simulate --service-levels 0.6,0.7,0.8,0.9,0.95,0.97,0.98,0.99,0.995,0.999 --refit-every 1 >/dev/null 2>&1 &
pid=$!
sleep 1.5
kill -9 "$pid" 2>/dev/null; wait "$pid" 2>/dev/null
check "a killed run leaves no row" [ "$(q 'select count(*) from analytics.simulation_runs')" = 1 ]

# A typo of 1e6 units in the replayed year is read as zero, as the pipeline reads it: the
# figures are those of a zero that day; --keep-outliers replays the typo.
key=$(q "select item_id || ' ' || site_id || ' ' || full_date from core.fact_demand_daily
         where full_date = (select max(full_date) - 60 from core.fact_demand_daily) and quantity > 0
         order by item_id, site_id limit 1")
read -r item site day <<<"$key"
set_day() { q "update core.fact_demand_daily set quantity = $1 where item_id = $item and site_id = $site and full_date = '$day'" >/dev/null; }
run() { "$corrente" simulate --no-store --policies spec,normal "$@"; }
set_day 1000000
typo=$(run 2>"$work/typo.err"); rc=$?
check "simulate over a typo exits 0" [ $rc -eq 0 ]
check "it says what it read as missing" grep -qE "^demand outliers 1 .* in 1 series; read as missing$" "$work/typo.err"
kept=$(run --keep-outliers 2>/dev/null)
set_day 0
zero=$(run 2>/dev/null)
check "the typo replays as a zero that day" [ "$typo" = "$zero" ]
also [ -n "$zero" ]
check "--keep-outliers replays the typo (as before)" [ "$kept" != "$zero" ]

# Values the pipeline reads as missing (decide/data_quality.h) are read so here too: a NaN unit
# cost as 0, a NaN open order as nothing on its way.
q "update core.dim_item set unit_cost = 'NaN' where item_id = $item" >/dev/null
nan=$(run --output "$work/nan.json" 2>/dev/null); rc=$?
check "simulate with a NaN unit cost exits 0" [ $rc -eq 0 ]
check "  and writes no NaN" [ "$(grep -ciE 'nan|inf' "$work/nan.json")" = 0 ]
q "update core.dim_item set unit_cost = 0 where item_id = $item" >/dev/null
zc=$(run --output "$work/zc.json" 2>/dev/null)
check "  its figures are those of a zero cost" cmp -s "$work/nan.json" "$work/zc.json"
also [ "$nan" = "$zc" ]
finish
