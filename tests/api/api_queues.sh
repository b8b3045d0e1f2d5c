#!/usr/bin/env bash
# The queues on the real `corrente serve`: item x site groups in priority order, bulk actions
# (RBAC, bad input, one audit row per id, undo restores the rows) and CSV exports past 1,000
# rows (line count = SQL count).
set -uo pipefail
corrente="$1"
here="$(cd "$(dirname "$0")" && pwd)"
. "$here/../lib.sh"
api_scratch api_queues

check "db upgrade" quietly "$corrente" db upgrade
api_seed --items 20 --sites 3 --days 60 --seed 7
sql() { psql "$DATABASE_URL" -qAtX -v ON_ERROR_STOP=1 -c "$1"; }
sql "UPDATE core.dim_item SET abc_class = (ARRAY['A','B','C'])[1 + item_id % 3]" >/dev/null
# 1,500 open alerts (one per item x site x category) and 1,200 recommendations: per item x site
# one open per type, the rest acknowledged earlier by admin; priority scores vary.
sql "INSERT INTO analytics.alerts (item_id, site_id, level, category, message, priority_score)
     SELECT 1 + g % 20, 1 + g % 3, (ARRAY['CRITICAL','WARNING','NORMAL'])[1 + g % 3], 'Q_' || g,
            'alert ' || g || ', \"quoted\"', (g * 37) % 1000 FROM generate_series(1, 1500) g" >/dev/null
sql "INSERT INTO analytics.recommendations (item_id, site_id, type, priority, message, quantity_recommended,
       priority_score, acknowledged_at, acknowledged_by)
     SELECT 1 + g % 20, 1 + (g / 20) % 3, (ARRAY['REORDER','PROMO','REALLOCATE','HOLD','EXPEDITE'])[1 + (g / 60) % 5],
            (ARRAY['LOW','MEDIUM','HIGH','CRITICAL'])[1 + g % 4], 'rec ' || g, g, (g * 53) % 997,
            CASE WHEN g >= 300 THEN now() END, CASE WHEN g >= 300 THEN 'admin' END
       FROM generate_series(0, 1199) g" >/dev/null
check "fixture: 1,500 alerts and 1,200 recommendations" [ "$(sql "select (select count(*) from analytics.alerts) || '/' || (select count(*) from analytics.recommendations)")" = 1500/1200 ]

check "serve answers" api_serve
login() { api_login "$1" "$(demo_pw "$1")"; }
admin=$(login admin); analyst=$(login analyst); viewer=$(login viewer)
check "three logins" [ -n "$admin" ] && also [ -n "$analyst" ] && also [ -n "$viewer" ]
get() { curl -s -H "Authorization: Bearer $1" "$base$2"; }
post() { curl -s -o "$work/body" -w '%{http_code}' -XPOST -H "Authorization: Bearer $1" -H 'Content-Type: application/json' "$base$2" -d "$3"; }
field() { python3 -c "import json,sys; d=json.load(open('$work/body')); print($1)"; }

# ---- groups ----
get "$viewer" "/alerts/groups?limit=1000" >"$work/body"
check "alert groups: one per item x site (60), total_count 60" [ "$(field 'len(d["data"]), d["metadata"]["total_count"]')" = "60 60" ]
check "alert groups: counts add up to the 1,500 alerts" [ "$(field 'sum(g["count"] for g in d["data"])')" = 1500 ]
want=$(sql "select string_agg(k, ',' order by top desc, n desc, item_id, site_id) from (select item_id || ':' || site_id k, item_id, site_id, max(priority_score) top, count(*) n from analytics.alerts group by 1, 2, 3) t")
check "alert groups: ordered by their top priority_score (as SQL)" [ "$(field '",".join(str(g["item_id"]) + ":" + str(g["site_id"]) for g in d["data"])')" = "$want" ]
check "alert groups: rows inside by priority_score, the top one's level is top_level" \
  [ "$(field 'all([r["priority_score"] for r in g["rows"]] == sorted([r["priority_score"] for r in g["rows"]], reverse=True) and g["rows"][0]["level"] == g["top_level"] for g in d["data"])')" = True ]
get "$viewer" "/recommendations/groups?acknowledged=false&abc_class=A&sort=sku&limit=5" >"$work/body"
check "recommendation groups: filters (open, class A) match SQL" \
  [ "$(field 'd["metadata"]["total_count"]')" = "$(sql "select count(distinct (r.item_id, r.site_id)) from analytics.recommendations r join core.dim_item i using (item_id) where r.acknowledged_at is null and i.abc_class = 'A'")" ]
check "groups: an unknown sort is 400" [ "$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $viewer" "$base/alerts/groups?sort=bogus")" = 400 ]

# ---- bulk: RBAC and bad input ----
ids=$(sql "select string_agg(recommendation_id::text, ',' order by recommendation_id) from (select recommendation_id from analytics.recommendations where acknowledged_at is null order by recommendation_id limit 2) t")
done_id=$(sql "select min(recommendation_id) from analytics.recommendations where acknowledged_at is not null")
check "bulk without a token: 401" [ "$(post "" /recommendations/bulk "{\"ids\":[$ids],\"action\":\"acknowledge\"}")" = 401 ]
check "bulk as VIEWER: 403" [ "$(post "$viewer" /recommendations/bulk "{\"ids\":[$ids],\"action\":\"acknowledge\"}")" = 403 ]
check "bulk: empty ids 400" [ "$(post "$analyst" /recommendations/bulk '{"ids":[],"action":"acknowledge"}')" = 400 ]
many=$(python3 -c 'print(",".join(str(i) for i in range(1, 1002)))')
check "bulk: 1,001 ids 400" [ "$(post "$analyst" /recommendations/bulk "{\"ids\":[$many],\"action\":\"acknowledge\"}")" = 400 ]
check "  which says the limit" grep -q 'at most 1000 ids' "$work/body"
check "bulk: an unknown action 400 naming it" [ "$(post "$analyst" /alerts/bulk "{\"ids\":[1],\"action\":\"acknowledge\"}")" = 400 ] && grep -q '"detail":"action must be one of read, unread' "$work/body"
check "bulk: ids that are not positive integers 400" [ "$(post "$analyst" /alerts/bulk '{"ids":[1,"2; DROP TABLE x"],"action":"read"}')" = 400 ]
check "bulk: a body that is not JSON 400" [ "$(post "$analyst" /alerts/bulk 'ids=1')" = 400 ]
unread_before=$(sql "select count(*) from analytics.alerts where read_at is null")
check "bulk: an unknown id is 404 naming it" [ "$(post "$analyst" /alerts/bulk '{"ids":[1,2,99999999],"action":"read"}')" = 404 ] && grep -q '99999999' "$work/body"
check "  and changes nothing (one transaction)" [ "$(sql "select count(*) from analytics.alerts where read_at is null")" = "$unread_before" ]
check "  and writes no audit row" [ "$(sql "select count(*) from support.audit_logs where action like 'ALERT_MARK%'")" = 0 ]

# ---- bulk acknowledge, audit, undo ----
check "bulk acknowledge as ANALYST: 200" [ "$(post "$analyst" /recommendations/bulk "{\"ids\":[$ids,$done_id,${ids%%,*}],\"action\":\"acknowledge\"}")" = 200 ]
check "  changed: the two open ones; unchanged: the acknowledged one (duplicates counted once)" \
  [ "$(field '(d["data"]["requested"], d["data"]["changed"], d["data"]["unchanged"])')" = "(3, [${ids/,/, }], [$done_id])" ]
check "  SQL: both acknowledged by analyst" [ "$(sql "select count(*) from analytics.recommendations where recommendation_id in ($ids) and acknowledged_by = 'analyst'")" = 2 ]
check "  SQL: the other still admin's" [ "$(sql "select acknowledged_by from analytics.recommendations where recommendation_id = $done_id")" = admin ]
check "  audit: one row per id, bulk, changed true/false" \
  [ "$(sql "select string_agg(entity_id || ':' || (details->>'changed'), ',' order by entity_id) from support.audit_logs where action = 'RECOMMENDATION_ACKNOWLEDGE' and actor = 'analyst' and details->>'bulk' = 'true'")" = \
    "$(sql "select string_agg(id || ':' || (id <> $done_id), ',' order by id) from unnest(array[$ids,$done_id]) id")" ]
check "analyst cannot reopen admin's acknowledgement (unchanged)" [ "$(post "$analyst" /recommendations/bulk "{\"ids\":[$done_id],\"action\":\"unacknowledge\"}")" = 200 ] && also [ "$(field 'd["data"]["unchanged"]')" = "[$done_id]" ]
check "undo (unacknowledge) as ANALYST: 200, both reopened" [ "$(post "$analyst" /recommendations/bulk "{\"ids\":[$ids],\"action\":\"unacknowledge\"}")" = 200 ] && also [ "$(field 'len(d["data"]["changed"])')" = 2 ]
check "  SQL: both open again" [ "$(sql "select count(*) from analytics.recommendations where recommendation_id in ($ids) and acknowledged_at is null and acknowledged_by is null")" = 2 ]
check "  audit: two RECOMMENDATION_UNACKNOWLEDGE rows changed" [ "$(sql "select count(*) from support.audit_logs where action = 'RECOMMENDATION_UNACKNOWLEDGE' and details->>'changed' = 'true'")" = 2 ]
# Reopening when a newer open one of the same item, site and type exists breaks no constraint.
sql "UPDATE analytics.recommendations SET acknowledged_at = now(), acknowledged_by = 'analyst' WHERE recommendation_id = ${ids%%,*}" >/dev/null
sql "INSERT INTO analytics.recommendations (item_id, site_id, type, priority, message) SELECT item_id, site_id, type, 'LOW', 'newer' FROM analytics.recommendations WHERE recommendation_id = ${ids%%,*}" >/dev/null
check "undo that meets a newer open one: 409" [ "$(post "$analyst" /recommendations/bulk "{\"ids\":[${ids%%,*}],\"action\":\"unacknowledge\"}")" = 409 ]
sql "UPDATE analytics.recommendations o SET acknowledged_at = now(), acknowledged_by = 'admin' FROM analytics.recommendations d
     WHERE d.recommendation_id = $done_id AND o.acknowledged_at IS NULL AND (o.item_id, o.site_id, o.type) = (d.item_id, d.site_id, d.type)" >/dev/null
check "ADMIN reopens anyone's" [ "$(post "$admin" /recommendations/bulk "{\"ids\":[$done_id],\"action\":\"unacknowledge\"}")" = 200 ] && also [ "$(field 'd["data"]["changed"]')" = "[$done_id]" ]

aids=$(sql "select string_agg(alert_id::text, ',') from (select alert_id from analytics.alerts order by alert_id limit 3) t")
check "alerts: bulk read" [ "$(post "$analyst" /alerts/bulk "{\"ids\":[$aids],\"action\":\"read\"}")" = 200 ] && also [ "$(sql "select count(*) from analytics.alerts where alert_id in ($aids) and read_at is not null")" = 3 ]
check "alerts: audit ALERT_MARK_READ x3" [ "$(sql "select count(*) from support.audit_logs where action = 'ALERT_MARK_READ' and details->>'bulk' = 'true'")" = 3 ]
check "alerts: undo (unread) restores them" [ "$(post "$analyst" /alerts/bulk "{\"ids\":[$aids],\"action\":\"unread\"}")" = 200 ] && also [ "$(sql "select count(*) from analytics.alerts where alert_id in ($aids) and read_at is null")" = 3 ]
check "the cache was dropped: groups show the undo" [ "$(get "$viewer" "/alerts/groups?unread=true&limit=1000" | python3 -c 'import json,sys; print(sum(g["count"] for g in json.load(sys.stdin)["data"]))')" = "$(sql "select count(*) from analytics.alerts where read_at is null")" ]

# ---- CSV past 1,000 rows ----
curl -s -H "Authorization: Bearer $viewer" "$base/alerts?format=csv&limit=10000000&resolved=false" >"$work/alerts.csv"
rows=$(python3 -c "import csv; print(sum(1 for _ in csv.reader(open('$work/alerts.csv', newline=''))) - 1)")
check "alerts CSV: every row past 1,000 ($rows = SQL count)" [ "$rows" = "$(sql "select count(*) from analytics.alerts where resolved_at is null")" ] && also [ "$rows" -gt 1000 ]
check "alerts CSV: the columns shown (abc_class, site_name)" contains "$(head -1 "$work/alerts.csv")" 'abc_class' && contains "$(head -1 "$work/alerts.csv")" 'site_name'
curl -s -H "Authorization: Bearer $viewer" "$base/recommendations?format=csv&limit=10000000&abc_class=B" >"$work/recs.csv"
rows=$(python3 -c "import csv; print(sum(1 for _ in csv.reader(open('$work/recs.csv', newline=''))) - 1)")
check "recommendations CSV with a filter: rows = SQL count ($rows)" [ "$rows" = "$(sql "select count(*) from analytics.recommendations r join core.dim_item i using (item_id) where i.abc_class = 'B'")" ]
curl -s -H "Authorization: Bearer $viewer" "$base/inventory/snapshot?format=csv&limit=10000000" >"$work/snap.csv"
check "inventory snapshot CSV has the Risk column" contains "$(head -1 "$work/snap.csv")" ',risk'
check "  with true/false booleans and risk values" [ "$(python3 -c "
import csv; r=list(csv.DictReader(open('$work/snap.csv', newline='')))
print(len(r) > 0 and all(x['stockout'] in ('true','false') and x['risk'] == ('stockout' if x['stockout']=='true' else 'at_risk' if x['at_risk']=='true' else 'ok') for x in r))")" = True ]

# ---- groups: an item whose id is -1 beside the alerts without an item (no id is reserved) ----
sql "INSERT INTO core.dim_item (item_id, sku, name) VALUES (-1, 'NEG-1', 'negative id')" >/dev/null
sql "INSERT INTO analytics.alerts (item_id, site_id, level, category, message, priority_score)
     SELECT CASE WHEN g <= 2 THEN -1 END, 1, 'WARNING', 'NEG_' || g, 'neg ' || g, 5000 + g FROM generate_series(1, 5) g" >/dev/null
nul=$(sql "select string_agg(alert_id::text, ', ' order by alert_id) from analytics.alerts where item_id is null and site_id = 1")
neg=$(sql "select string_agg(alert_id::text, ', ' order by alert_id) from analytics.alerts where item_id = -1 and site_id = 1")
get "$viewer" "/alerts/groups?site_id=1&limit=2" >"$work/body"
check "alert groups: item -1 and no item are two groups, each with its own rows only" \
  [ "$(field '[(g["item_id"], g["count"], sorted(r["alert_id"] for r in g["rows"])) for g in d["data"]]')" = "[(None, 3, [$nul]), (-1, 2, [$neg])]" ]

# ---- groups by site name when sites share one: every group on exactly one page ----
sql "INSERT INTO core.dim_site (code, name) SELECT 'TWIN-' || g, 'Twin' FROM generate_series(1, 3) g" >/dev/null
sql "INSERT INTO analytics.alerts (item_id, site_id, level, category, message)
     SELECT i, s.site_id, 'NORMAL', 'TWIN', 'twin' FROM generate_series(1, 4) i, core.dim_site s WHERE s.name = 'Twin'" >/dev/null
for sort in site -site; do
  get "$viewer" "/alerts/groups?sort=$sort&limit=1000" >"$work/body"
  full=$(field '" ".join("%s:%s" % (g["item_id"], g["site_id"]) for g in d["data"])')
  paged=""
  for off in $(seq 0 3 80); do
    get "$viewer" "/alerts/groups?sort=$sort&limit=3&offset=$off" >"$work/body"
    paged="$paged $(field '" ".join("%s:%s" % (g["item_id"], g["site_id"]) for g in d["data"])')"
  done
  check "alert groups sort=$sort, sites sharing a name: pages of 3 are the whole list in its order" [ "$(echo $paged)" = "$full" ]
done

spec=$(curl -s "$base/openapi.json")
for p in /api/v1/alerts/groups /api/v1/alerts/bulk /api/v1/recommendations/groups /api/v1/recommendations/bulk; do
  check "OpenAPI documents $p" contains "$spec" "\"$p\""
done
check "no unhandled errors in the server log" [ "$(grep -c 'unhandled error\|database error' "$work/serve.log")" = 0 ]
[ "$FAIL" -eq 0 ] || tail -20 "$work/serve.log"
finish
