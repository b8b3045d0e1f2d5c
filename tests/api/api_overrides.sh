#!/usr/bin/env bash
# Overrides (Mirror + Delta) on the real `corrente serve` and pipeline: the lifecycle
# (draft -> submit -> approve by a second pair of eyes), optimistic locking (428 / 412 with the
# current ETag), drafts visible only to their author, the live merge in /forecasts (the mirror
# untouched), the pipeline honouring approved overrides on its next run, the audit trail, and
# the forecast value added against an independent SQL computation.
set -uo pipefail
corrente="$1"
here="$(cd "$(dirname "$0")" && pwd)"
. "$here/../lib.sh"
api_scratch api_overrides

check "db upgrade" quietly "$corrente" db upgrade
api_seed --items 8 --sites 2 --days 200 --seed 11
sql() { psql "$DATABASE_URL" -qAtX -v ON_ERROR_STOP=1 -c "$1"; }
"$corrente" pipeline run --horizon 30 >"$work/run1.log" 2>&1; check "pipeline run 1" [ $? -eq 0 ] || tail -5 "$work/run1.log"
asof=$(sql "select as_of from analytics.pipeline_runs where status = 'SUCCEEDED' order by run_id desc limit 1")
d1=$(sql "select date '$asof' + 1"); d5=$(sql "select date '$asof' + 5"); d10=$(sql "select date '$asof' + 10")

check "serve answers" api_serve
admin=$(api_login admin "$(demo_pw admin)"); analyst=$(api_login analyst "$(demo_pw analyst)"); viewer=$(api_login viewer "$(demo_pw viewer)")
# A second analyst: approvals need another pair of eyes.
code=$(curl -s -o /dev/null -w '%{http_code}' -XPOST -H "Authorization: Bearer $admin" "$base/admin/users" \
  -d '{"username":"analyst2","password":"Another-Planner-2026!","role":"ANALYST"}')
check "admin creates a second analyst" [ "$code" = 201 ]
analyst2=$(api_login analyst2 'Another-Planner-2026!')
check "four logins" [ -n "$admin" ] && also [ -n "$analyst" ] && also [ -n "$viewer" ] && also [ -n "$analyst2" ]

# call METHOD TOKEN PATH [BODY] [IF-MATCH]: status to stdout, body in $work/body, headers in $work/hdr
call() {
  local args=(-s -o "$work/body" -D "$work/hdr" -w '%{http_code}' -X "$1" -H "Authorization: Bearer $2")
  [ -n "${4:-}" ] && args+=(-H 'Content-Type: application/json' -d "$4")
  [ -n "${5:-}" ] && args+=(-H "If-Match: $5")
  curl "${args[@]}" "$base$3"
}
field() { python3 -c "import json,sys; d=json.load(open('$work/body')); print($1)"; }
etag() { tr -d '\r' <"$work/hdr" | sed -nE 's/^[Ee][Tt][Aa][Gg]: (.*)$/\1/p'; }

# ---- create: RBAC and bad input ----
fc="{\"kind\":\"FORECAST\",\"item_id\":1,\"site_id\":1,\"valid_from\":\"$d1\",\"valid_to\":\"$d5\",\"mode\":\"ABSOLUTE\",\"value\":123,\"reason\":\"Promotion in store 1 next week\"}"
check "a VIEWER cannot create (403)" [ "$(call POST "$viewer" /overrides "$fc")" = 403 ]
check "no reason: 400 naming reason" [ "$(call POST "$analyst" /overrides "${fc/\"reason\":\"Promotion in store 1 next week\"/\"reason\":null}")" = 400 ] && also contains "$(cat "$work/body")" 'reason'
check "valid_to before valid_from: 400" [ "$(call POST "$analyst" /overrides "{\"kind\":\"FORECAST\",\"item_id\":1,\"site_id\":1,\"valid_from\":\"$d5\",\"valid_to\":\"$d1\",\"mode\":\"PERCENT\",\"value\":10,\"reason\":\"why not\"}")" = 400 ] && also contains "$(cat "$work/body")" 'valid_to'
check "PERCENT above 1000: 400" [ "$(call POST "$analyst" /overrides "{\"kind\":\"FORECAST\",\"item_id\":1,\"site_id\":1,\"valid_from\":\"$d1\",\"valid_to\":\"$d5\",\"mode\":\"PERCENT\",\"value\":5000,\"reason\":\"too much\"}")" = 400 ]
check "unknown kind: 400" [ "$(call POST "$analyst" /overrides '{"kind":"PRICE","item_id":1,"site_id":1,"valid_from":"2030-01-01","valid_to":"2030-01-02","reason":"nope"}')" = 400 ] && also contains "$(cat "$work/body")" 'kind'
check "not JSON: 400" [ "$(call POST "$analyst" /overrides 'not json')" = 400 ]
check "an unknown item: 400 naming item_id" [ "$(call POST "$analyst" /overrides "${fc/\"item_id\":1/\"item_id\":99999}")" = 400 ] && also contains "$(cat "$work/body")" 'item_id'
check "  and nothing is written" [ "$(sql "select count(*) from analytics.overrides")" = 0 ]
check "a POLICY override with nothing in it: 400" [ "$(call POST "$analyst" /overrides "{\"kind\":\"POLICY\",\"item_id\":1,\"site_id\":1,\"valid_from\":\"$d1\",\"valid_to\":\"$d5\",\"reason\":\"empty\"}")" = 400 ]

check "create a FORECAST draft: 201" [ "$(call POST "$analyst" /overrides "$fc")" = 201 ]
id=$(field 'd["data"]["override_id"]')
check "  state DRAFT, version 1, ETag names it" [ "$(field 'd["data"]["state"], d["data"]["version"]')" = "DRAFT 1" ] && also [ "$(etag)" = "\"ov-$id-v1\"" ]
check "the draft is its author's alone: 404 for another analyst" [ "$(call GET "$analyst2" /overrides/$id)" = 404 ]
call GET "$viewer" "/overrides?limit=100" >/dev/null
check "  and absent from a viewer's list" [ "$(field 'sum(1 for r in d["data"] if r["override_id"] == '$id')')" = 0 ]

# ---- the author's preview and the shared mirror ----
call GET "$analyst" "/overrides/preview?item_id=1&site_id=1&limit=1000" >/dev/null
check "preview: the author sees 123 on the 5 days" [ "$(field 'sum(1 for r in d["data"] if r["overridden"] and float(r["yhat"]) == 123)')" = 5 ]
call GET "$analyst" "/forecasts?item_id=1&site_id=1&limit=1000" >/dev/null
check "/forecasts (mirror + approved only) is unchanged by a draft" [ "$(field 'sum(1 for r in d["data"] if r["overridden"])')" = 0 ]

# ---- optimistic locking ----
edit='{"value":150,"reason":"Promotion in store 1, bigger than planned"}'
check "edit without If-Match: 428" [ "$(call PATCH "$analyst" /overrides/$id "$edit")" = 428 ]
check "edit with If-Match: 200, version 2" [ "$(call PATCH "$analyst" /overrides/$id "$edit" "\"ov-$id-v1\"")" = 200 ] && also [ "$(field 'd["data"]["version"], float(d["data"]["value"])')" = "2 150.0" ]
check "a second tab's stale edit: 412 with the current ETag" [ "$(call PATCH "$analyst" /overrides/$id '{"value":99}' "\"ov-$id-v1\"")" = 412 ] && also [ "$(etag)" = "\"ov-$id-v2\"" ]
check "  and nothing changed" [ "$(sql "select value::int || '/' || version from analytics.overrides where override_id = $id")" = 150/2 ]
check "another analyst cannot edit it" [ "$(call PATCH "$analyst2" /overrides/$id '{"value":1}' "\"ov-$id-v2\"")" = 404 ]
check "If-Match of another override: 412" [ "$(call PATCH "$analyst" /overrides/$id '{"value":1}' "\"ov-999-v2\"")" = 412 ]

# ---- submit, approve ----
check "submit: SUBMITTED, version 3" [ "$(call POST "$analyst" /overrides/$id/submit '{}' "\"ov-$id-v2\"")" = 200 ] && also [ "$(field 'd["data"]["state"], d["data"]["version"]')" = "SUBMITTED 3" ]
check "the author cannot approve their own (409)" [ "$(call POST "$analyst" /overrides/$id/approve '{}' "\"ov-$id-v3\"")" = 409 ]
check "a VIEWER cannot approve (403)" [ "$(call POST "$viewer" /overrides/$id/approve '{}' "\"ov-$id-v3\"")" = 403 ]
check "a stale approval: 412" [ "$(call POST "$analyst2" /overrides/$id/approve '{}' "\"ov-$id-v2\"")" = 412 ]
check "the second analyst approves: APPROVED, decided_by analyst2" [ "$(call POST "$analyst2" /overrides/$id/approve '{"note":"agreed"}' "\"ov-$id-v3\"")" = 200 ] && also [ "$(field 'd["data"]["state"], d["data"]["decided_by"]')" = "APPROVED analyst2" ]
check "  the reviewer's note is the override's decision_note, in the reply and in a GET" [ "$(field 'd["data"]["decision_note"]')" = agreed ] \
  && also [ "$(call GET "$viewer" /overrides/$id)" = 200 ] && also [ "$(field 'd["data"]["decision_note"], d["data"]["decided_at"] is not None')" = "agreed True" ]
check "  and its audit row (OVERRIDE_APPROVE by analyst2) keeps the note" \
  [ "$(sql "select actor || '|' || (details->>'note') from support.audit_logs where action = 'OVERRIDE_APPROVE' and entity_type = 'override' and entity_id = $id")" = "analyst2|agreed" ]
check "approving again: 409 (already approved)" [ "$(call POST "$admin" /overrides/$id/approve '{}' "\"ov-$id-v4\"")" = 409 ]
check "the replaced statistical forecast is kept (5 baseline days)" [ "$(sql "select count(*) from analytics.override_baselines where override_id = $id")" = 5 ]

call GET "$viewer" "/forecasts?item_id=1&site_id=1&limit=1000" >/dev/null
check "/forecasts now gives every reader 150 on those days, with the statistical value and author" \
  [ "$(field 'sum(1 for r in d["data"] if r["overridden"] and float(r["yhat"]) == 150 and r["override_author"] == "analyst" and r["yhat_statistical"] is not None)')" = 5 ]
want=$(sql "select count(*) from analytics.forecasts f where f.run_id = (select max(run_id) from analytics.pipeline_runs where status = 'SUCCEEDED') and item_id = 1 and site_id = 1 and full_date not between '$d1' and '$d5'")
check "  and the statistical value on the other days ($want)" [ "$(field 'sum(1 for r in d["data"] if not r["overridden"] and r["yhat"] == r["yhat_statistical"])')" = "$want" ]
check "the mirror (analytics.forecasts) is not written" [ "$(sql "select count(*) from analytics.forecasts where item_id = 1 and site_id = 1 and yhat = 150")" = 0 ]
# /forecasts/total sums the series with an approved override through the lookup and the others
# as they are: per day, the sums of the statement that looks up every row (written out here).
for q in "horizon=30" "site_id=1" "site_id=2&horizon=3"; do
  call GET "$viewer" "/forecasts/total?$q" >/dev/null
  got=$(python3 -c "import json; d = json.load(open('$work/body'), parse_float=str)
print(' '.join('%s=%s/%s/%s/%s/%s' % (r['full_date'], r['yhat'], r['yhat_lower'], r['yhat_upper'], r['series'], r['overridden']) for r in d['data']))")
  site=$(sed -nE 's/.*site_id=([0-9]+).*/\1/p' <<<"$q"); horizon=$(sed -nE 's/.*horizon=([0-9]+).*/\1/p' <<<"$q")
  want=$(sql "select string_agg(x, ' ' order by d) from (select f.full_date as d, f.full_date || '=' ||
      sum(e.yhat)::numeric(18,4) || '/' || sum(e.lo)::numeric(18,4) || '/' || sum(e.hi)::numeric(18,4)
      || '/' || count(*) || '/' || count(ov.override_id) as x
    from analytics.forecasts f left join lateral (select o.override_id, o.mode, o.value from analytics.overrides o
      where o.kind = 'FORECAST' and o.item_id = f.item_id and o.site_id = f.site_id and f.full_date between o.valid_from and o.valid_to
      and o.state = 'APPROVED' order by o.updated_at desc limit 1) ov on true
    cross join lateral (select (case ov.mode when 'ABSOLUTE' then greatest(0, f.yhat + ov.value - f.yhat) when 'PERCENT' then f.yhat * (1 + ov.value / 100) else f.yhat end)::numeric(18,4) as yhat,
      (case ov.mode when 'ABSOLUTE' then greatest(0, f.yhat_lower + ov.value - f.yhat) when 'PERCENT' then f.yhat_lower * (1 + ov.value / 100) else f.yhat_lower end)::numeric(18,4) as lo,
      (case ov.mode when 'ABSOLUTE' then greatest(0, f.yhat_upper + ov.value - f.yhat) when 'PERCENT' then f.yhat_upper * (1 + ov.value / 100) else f.yhat_upper end)::numeric(18,4) as hi) e
    where f.run_id = (select max(run_id) from analytics.pipeline_runs where status = 'SUCCEEDED')
      and (${site:-null}::int is null or f.site_id = ${site:-null}) and (${horizon:-null}::int is null or f.horizon_days <= ${horizon:-null})
    group by f.full_date) t")
  check "/forecasts/total?$q: each day's sums as the row-by-row lookup gives them, 5 days overridden" \
    [ "$got" = "$want" ] && also [ "$(field 'sum(r["overridden"] for r in d["data"])')" = "$([ "$q" = "site_id=2&horizon=3" ] && echo 0 || echo 5)" ] \
    || echo "# got ${got:0:300} / want ${want:0:300}"
done

# An overlapping override cannot also be approved.
call POST "$analyst2" /overrides "{\"kind\":\"FORECAST\",\"item_id\":1,\"site_id\":1,\"valid_from\":\"$d5\",\"valid_to\":\"$d10\",\"mode\":\"PERCENT\",\"value\":20,\"reason\":\"overlaps\"}" >/dev/null
id2=$(field 'd["data"]["override_id"]')
call POST "$analyst2" /overrides/$id2/submit '{}' "\"ov-$id2-v1\"" >/dev/null
check "an overlapping approval: 409 naming the approved one" [ "$(call POST "$analyst" /overrides/$id2/approve '{}' "\"ov-$id2-v2\"")" = 409 ] && also contains "$(cat "$work/body")" "override $id"
long=$(python3 -c 'print("x" * 501)')
check "a note over 500 characters: 400 naming note, nothing decided" [ "$(call POST "$admin" /overrides/$id2/reject "{\"note\":\"$long\"}" "\"ov-$id2-v2\"")" = 400 ] \
  && also contains "$(cat "$work/body")" note && also [ "$(sql "select state from analytics.overrides where override_id = $id2")" = SUBMITTED ]
check "a note that is not text: 400" [ "$(call POST "$admin" /overrides/$id2/reject '{"note":42}' "\"ov-$id2-v2\"")" = 400 ]
check "a reject works: REJECTED" [ "$(call POST "$admin" /overrides/$id2/reject '{"note":"overlaps"}' "\"ov-$id2-v2\"")" = 200 ] && also [ "$(field 'd["data"]["state"]')" = REJECTED ]
check "  with its note, also in the audit row (OVERRIDE_REJECT by admin)" [ "$(field 'd["data"]["decision_note"]')" = overlaps ] \
  && also [ "$(sql "select actor || '|' || (details->>'note') from support.audit_logs where action = 'OVERRIDE_REJECT' and entity_id = $id2")" = "admin|overlaps" ]
# Two overlapping overrides approved at the same moment: one wins, the other is 409 (the check
# once ran on a snapshot taken before the lock it waited for, and both were approved).
far1=$(sql "select date '$asof' + 200"); far2=$(sql "select date '$asof' + 210")
race_bad=""
for k in 1 2 3 4 5 6; do
  pair=()
  for v in 1 2; do
    call POST "$analyst2" /overrides "{\"kind\":\"FORECAST\",\"item_id\":$(( k + 2 )),\"site_id\":2,\"valid_from\":\"$far1\",\"valid_to\":\"$far2\",\"mode\":\"ABSOLUTE\",\"value\":$v,\"reason\":\"approval race $k\"}" >/dev/null
    o=$(field 'd["data"]["override_id"]'); pair+=("$o")
    call POST "$analyst2" /overrides/$o/submit '{}' "\"ov-$o-v1\"" >/dev/null
  done
  approve() { curl -s -o /dev/null -w '%{http_code}' -XPOST -H "Authorization: Bearer $1" -H 'Content-Type: application/json' \
                -H "If-Match: \"ov-$2-v2\"" -d '{}' "$base/overrides/$2/approve" >"$work/race$3"; }
  approve "$analyst" "${pair[0]}" a & pa=$!
  approve "$admin" "${pair[1]}" b & pb=$!
  wait "$pa" "$pb"
  codes="$(cat "$work/racea") $(cat "$work/raceb")"
  approved=$(sql "select count(*) from analytics.overrides where override_id in (${pair[0]}, ${pair[1]}) and state = 'APPROVED'")
  [ "$codes" = "200 409" ] || [ "$codes" = "409 200" ] || race_bad+=" [$k: $codes]"
  [ "$approved" = 1 ] || race_bad+=" [$k: $approved approved]"
done
check "two overlapping approvals at once: one 200, one 409, one approved (6 of 6)$race_bad" [ -z "$race_bad" ]
sql "DELETE FROM analytics.override_baselines WHERE override_id IN (SELECT override_id FROM analytics.overrides WHERE reason LIKE 'approval race %');
     DELETE FROM analytics.overrides WHERE reason LIKE 'approval race %'" >/dev/null

# ---- the pipeline honours approved overrides ----
# A policy floor for item 2 at site 1, and a huge forecast for item 1 at site 1 (it runs out at once).
call POST "$analyst" /overrides "{\"kind\":\"POLICY\",\"item_id\":2,\"site_id\":1,\"valid_from\":\"$d1\",\"valid_to\":\"$d10\",\"min_stock\":99999,\"reason\":\"Strategic stock\"}" >/dev/null
id3=$(field 'd["data"]["override_id"]')
call POST "$analyst" /overrides/$id3/submit '{}' "\"ov-$id3-v1\"" >/dev/null
check "approve the policy override" [ "$(call POST "$admin" /overrides/$id3/approve '{}' "\"ov-$id3-v2\"")" = 200 ]
sql "UPDATE analytics.overrides SET value = 1000000 WHERE override_id = $id" >/dev/null
"$corrente" pipeline run --horizon 30 >"$work/run2.log" 2>&1; check "pipeline run 2" [ $? -eq 0 ]
check "  its log reports the overrides" contains "$(cat "$work/run2.log")" 'overrides: 5 forecast days, 1 policies'
run2=$(sql "select max(run_id) from analytics.pipeline_runs where status = 'SUCCEEDED'")
check "  the policy floor: reorder point >= 99999" [ "$(sql "select reorder_point >= 99999 from analytics.inventory_policy where run_id = $run2 and item_id = 2 and site_id = 1")" = t ]
check "  the forecast override: item 1 at site 1 runs out at once" [ "$(sql "select days_to_rupture from analytics.inventory_policy where run_id = $run2 and item_id = 1 and site_id = 1")" = 0 ]
check "  and the published forecasts stay statistical" [ "$(sql "select count(*) from analytics.forecasts where run_id = $run2 and yhat >= 1000000")" = 0 ]

# ---- a recommendation's quantity ----
read -r rid ritem rsite rqty <<<"$(sql "select recommendation_id, item_id, site_id, quantity_recommended::float8 from analytics.recommendations where acknowledged_at is null order by recommendation_id limit 1" | tr '|' ' ')"
check "an open recommendation to override" [ -n "$rid" ]
today=$(sql "select current_date"); week=$(sql "select current_date + 7")
rbody="{\"kind\":\"RECOMMENDATION\",\"item_id\":$ritem,\"site_id\":$rsite,\"valid_from\":\"$today\",\"valid_to\":\"$week\",\"recommendation_id\":$rid,\"quantity\":42,\"reason\":\"Pallet size\"}"
check "a RECOMMENDATION override for another item's recommendation: 400" [ "$(call POST "$analyst" /overrides "${rbody/\"item_id\":$ritem/\"item_id\":$(( ritem % 8 + 1 ))}")" = 400 ] && also contains "$(cat "$work/body")" 'recommendation_id'
call POST "$analyst" /overrides "$rbody" >/dev/null
id4=$(field 'd["data"]["override_id"]')
call POST "$analyst" /overrides/$id4/submit '{}' "\"ov-$id4-v1\"" >/dev/null
check "approve the quantity override" [ "$(call POST "$analyst2" /overrides/$id4/approve '{}' "\"ov-$id4-v2\"")" = 200 ]
call GET "$viewer" "/recommendations?item_id=$ritem&site_id=$rsite&limit=100" >/dev/null
check "/recommendations gives the planner's 42, with the model's quantity beside it" \
  [ "$(field '[(float(r["quantity_recommended"]), float(r["quantity_model"]) == float("'$rqty'")) for r in d["data"] if r["recommendation_id"] == '$rid'][0]')" = "(42.0, True)" ]
call GET "$viewer" "/recommendations/groups?item_id=$ritem&site_id=$rsite" >/dev/null
check "  and so do its groups" [ "$(field '[float(r["quantity_recommended"]) for g in d["data"] for r in g["rows"] if r["recommendation_id"] == '$rid'][0]')" = 42.0 ]
check "  and the mirror keeps the model's" [ "$(sql "select quantity_recommended::float8 from analytics.recommendations where recommendation_id = $rid")" = "$rqty" ]

# ---- forecast value added, against SQL ----
# Two approved overrides on past days with actuals, with the forecasts they replaced.
sql "INSERT INTO analytics.overrides (override_id, kind, item_id, site_id, valid_from, valid_to, mode, value, reason, state, author, decided_by, decided_at)
     VALUES (900001, 'FORECAST', 3, 1, date '$asof' - 20, date '$asof' - 11, 'ABSOLUTE', 4, 'past one', 'APPROVED', 'analyst', 'admin', now()),
            (900002, 'FORECAST', 4, 2, date '$asof' - 20, date '$asof' - 11, 'PERCENT', -50, 'past two', 'APPROVED', 'analyst2', 'admin', now());
     INSERT INTO analytics.override_baselines (override_id, full_date, yhat)
     SELECT o.override_id, g::date, 3 FROM analytics.overrides o, generate_series(o.valid_from, o.valid_to, '1 day') g
      WHERE o.override_id IN (900001, 900002)" >/dev/null
check "value added: 200" [ "$(call GET "$viewer" /overrides/value-added)" = 200 ]
want=$(sql "with x as (select o.author, b.yhat s, case o.mode when 'ABSOLUTE' then o.value else b.yhat * (1 + o.value / 100) end p, coalesce(d.quantity, 0) a
              from analytics.overrides o join analytics.override_baselines b using (override_id)
              left join core.fact_demand_daily d on d.item_id = o.item_id and d.site_id = o.site_id and d.full_date = b.full_date
              where o.override_id in (900001, 900002))
            select round((sum(abs(s - a)) - sum(abs(p - a))) / sum(a), 4) from x")
check "  overall value added equals SQL ($want)" [ "$(field '[r for r in d["data"] if r["author"] == "all"][0]["value_added"]')" = "$want" ]
check "  one row per author plus the total" [ "$(field 'sorted(r["author"] for r in d["data"])')" = "['all', 'analyst', 'analyst2']" ]

# ---- /forecasts/total from the published totals (V073) against the row-by-row statement ----
# More approved overrides (PERCENT, two overlapping: the later one wins), ones that must not
# apply (draft, submitted, rejected), null bounds (ABSOLUTE turns them into 0) and a day whose
# bounds are all null at site 2; the run's totals rendered again, as the publish does.
sql "INSERT INTO analytics.overrides (kind, item_id, site_id, valid_from, valid_to, mode, value, reason, state, author, decided_by, updated_at)
     VALUES ('FORECAST', 2, 2, '$d1'::date + 2, '$d1'::date + 19, 'PERCENT', -35.5, 'totals percent', 'APPROVED', 'analyst', 'admin', now() - interval '9 minutes'),
            ('FORECAST', 3, 1, '$d1', '$d10', 'ABSOLUTE', 7.7777, 'totals overlap early', 'APPROVED', 'analyst', 'admin', now() - interval '20 minutes'),
            ('FORECAST', 3, 1, '$d5', '$d1'::date + 14, 'PERCENT', 50, 'totals overlap late', 'APPROVED', 'analyst', 'admin', now() - interval '5 minutes'),
            ('FORECAST', 4, 1, '$d1', '$d1'::date + 29, 'ABSOLUTE', 3, 'totals null bounds', 'APPROVED', 'analyst', 'admin', now() - interval '9 minutes'),
            ('FORECAST', 5, 1, '$d1', '$d10', 'ABSOLUTE', 9999, 'totals draft', 'DRAFT', 'analyst', NULL, now()),
            ('FORECAST', 6, 2, '$d1', '$d10', 'PERCENT', 900, 'totals submitted', 'SUBMITTED', 'analyst', NULL, now()),
            ('FORECAST', 7, 1, '$d1', '$d10', 'ABSOLUTE', 9999, 'totals rejected', 'REJECTED', 'analyst', 'admin', now());
     UPDATE analytics.forecasts SET yhat_lower = NULL WHERE run_id = $run2 AND item_id = 4 AND site_id = 1;
     UPDATE analytics.forecasts SET yhat_lower = NULL, yhat_upper = NULL WHERE run_id = $run2 AND site_id = 2 AND full_date = '$d1'::date + 1;
     SELECT analytics.render_forecast_totals($run2)" >/dev/null
published() { curl -s "http://127.0.0.1:$port/metrics" | sed -nE 's/^api_forecast_totals_published_total ([0-9]+).*/\1/p'; }
totals_qs=("" "horizon=1" "horizon=2" "horizon=7" "horizon=30" "horizon=3660" "site_id=1" "site_id=2" "site_id=3"
           "site_id=1&horizon=5" "site_id=2&horizon=2" "site_id=2&horizon=30" "format=csv" "site_id=1&horizon=9&format=csv")
fetch_totals() {  # fetch_totals TAG: each query's body in $work/total.TAG.N
  local i
  for i in "${!totals_qs[@]}"; do
    call GET "$viewer" "/forecasts/total?${totals_qs[$i]}&nocache=$1" >/dev/null
    cp "$work/body" "$work/total.$1.$i"
  done
}
same_totals() {  # same_totals A B: the queries whose bodies differ
  local i bad=""
  for i in "${!totals_qs[@]}"; do cmp -s "$work/total.$1.$i" "$work/total.$2.$i" || bad+=" [${totals_qs[$i]}]"; done
  echo "$bad"
}
n0=$(published); fetch_totals pub; n1=$(published)
check "/forecasts/total: ${#totals_qs[@]} answers from the published totals" [ $(( n1 - n0 )) -eq ${#totals_qs[@]} ]
check "  the overlapping overrides, the PERCENT one and the null bounds apply (overridden days)" \
  [ "$(python3 -c "import json; print(sum(r['overridden'] for r in json.load(open('$work/total.pub.0'))['data']))")" = \
    "$(sql "select count(*) from analytics.forecasts f where run_id = $run2 and exists (select 1 from analytics.overrides o where o.kind = 'FORECAST' and o.state = 'APPROVED' and o.item_id = f.item_id and o.site_id = f.site_id and f.full_date between o.valid_from and o.valid_to)")" ]
check "  a day of site 2 whose bounds are all null answers null" \
  [ "$(python3 -c "import json; print([r['yhat_lower'] for r in json.load(open('$work/total.pub.7'))['data'] if r['full_date'] == '$(sql "select '$d1'::date + 1")'])")" = "[None]" ]
# The same requests answered by the row-by-row statement: the table gone (a schema below V073),
# then the run without totals.
sql "ALTER TABLE analytics.forecast_totals RENAME TO forecast_totals_away" >/dev/null
fetch_totals away; n2=$(published)
sql "ALTER TABLE analytics.forecast_totals_away RENAME TO forecast_totals; DELETE FROM analytics.forecast_totals" >/dev/null
fetch_totals none; n3=$(published)
check "  the row-by-row statement answered both times (no published answer)" [ "$n3" = "$n1" ] && also [ "$n2" = "$n1" ]
bad=$(same_totals pub away)
check "  byte for byte the row-by-row statement's answers, schema without the table$bad" [ -z "$bad" ]
bad=$(same_totals pub none)
check "  byte for byte the row-by-row statement's answers, run without totals$bad" [ -z "$bad" ]
sql "SELECT analytics.render_forecast_totals($run2)" >/dev/null

# ---- the audit trail ----
check "every write is audited" [ "$(sql "select string_agg(distinct action, ',' order by action) from support.audit_logs where action like 'OVERRIDE_%'")" = OVERRIDE_APPROVE,OVERRIDE_CREATE,OVERRIDE_EDIT,OVERRIDE_REJECT,OVERRIDE_SUBMIT ]

spec=$(curl -s "$base/openapi.json")
for p in /api/v1/overrides /api/v1/overrides/{id} /api/v1/overrides/{id}/approve /api/v1/overrides/preview /api/v1/overrides/value-added; do
  check "OpenAPI documents $p" contains "$spec" "\"$p\""
done
check "no unhandled or database errors in the server log" [ "$(grep -c 'unhandled error\|database error' "$work/serve.log")" = 0 ]
[ "$FAIL" -eq 0 ] || tail -20 "$work/serve.log"
finish
