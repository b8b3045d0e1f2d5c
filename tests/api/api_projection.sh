#!/usr/bin/env bash
# GET /api/v1/items/{id}/projection on the real `corrente serve` after a real pipeline run: every
# projected day, the band, the run-out date, the open orders and the per-site short/surplus units
# equal an independent SQL computation on the same database (one site, and all sites summed),
# with open orders placed on purpose (one due in the horizon, one overdue, one past the horizon,
# a received and a cancelled one that must not count). Bad input: unknown item or site 404, a
# malformed site or id 400, no token 401.
set -uo pipefail
corrente="$1"
here="$(cd "$(dirname "$0")" && pwd)"
. "$here/../lib.sh"
api_scratch api_projection
q() { psql "$DATABASE_URL" -qAtX -v ON_ERROR_STOP=1 "$@"; }

check "db upgrade" quietly "$corrente" db upgrade
api_seed --items 8 --sites 3 --days 200 --seed 11
admin_pw=$(demo_pw admin)
asof=$(q -c "SELECT (current_date - 1)::text")
# Open orders of item 1: 40 due on day 3 at site 1, 15 overdue (day 1) at site 1, 25 due on day 5
# at site 2, 70 after the horizon at site 1; a received and a cancelled order that do not count.
q -c "DELETE FROM core.fact_orders WHERE item_id = 1" \
  -c "INSERT INTO core.fact_orders (order_date, item_id, supplier_id, site_id, quantity, status,
        expected_delivery_date, actual_delivery_date)
      SELECT d::date - 10, 1, i.supplier_id, v.site, v.qty, v.status, d::date + v.due, v.got
      FROM core.dim_item i, (VALUES ('$asof')) a(d),
        (VALUES (1, 40, 'PLACED', 3, NULL::date), (1, 15, 'DELAYED', -2, NULL), (2, 25, 'PLACED', 5, NULL),
                (1, 70, 'PLACED', 45, NULL), (1, 500, 'RECEIVED', 2, '$asof'::date), (2, 600, 'CANCELLED', 2, NULL))
          v(site, qty, status, due, got)
      WHERE i.item_id = 1" >/dev/null
check "open orders placed" [ "$(q -c "SELECT count(*) FROM core.fact_orders WHERE item_id = 1")" = 6 ]
"$corrente" pipeline run --as-of "$asof" --horizon 30 --jobs 1 >"$work/pipeline.log" 2>&1
check "pipeline run" [ $? -eq 0 ]

check "serve answers" api_serve
token=$(api_login admin "$admin_pw")
check "login" [ -n "$token" ]
get() { curl -s -H "Authorization: Bearer $token" "$base$1"; }
code() { curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $token" "$base$1"; }

# The independent computation: $1 item, $2 site ('NULL' for all sites). One line per day:
# date|projected|half width of the band, then the run-out date, on hand and the open order ids.
sql_days() {
  q -F'|' -c "
    WITH r AS (SELECT run_id, as_of FROM analytics.pipeline_runs WHERE status = 'SUCCEEDED'
               ORDER BY finished_at DESC NULLS LAST, run_id DESC LIMIT 1),
    f AS (SELECT f.full_date, sum(f.yhat) AS yhat,
                 sum(coalesce(((f.yhat_upper - f.yhat_lower) / 2) ^ 2, 0)) AS v
          FROM analytics.forecasts f JOIN r USING (run_id)
          WHERE f.item_id = $1 AND ($2::int IS NULL OR f.site_id = $2) GROUP BY f.full_date),
    o AS (SELECT greatest(coalesce(o.expected_delivery_date, r.as_of + 1), r.as_of + 1) AS d,
                 sum(o.quantity) AS q
          FROM core.fact_orders o, r WHERE o.item_id = $1 AND ($2::int IS NULL OR o.site_id = $2)
            AND o.status IN ('PLACED', 'DELAYED') AND o.actual_delivery_date IS NULL
            AND o.order_date <= r.as_of GROUP BY 1),
    s AS (SELECT coalesce(sum(p.current_stock), 0) AS on_hand FROM analytics.inventory_policy p
          JOIN r USING (run_id) WHERE p.item_id = $1 AND ($2::int IS NULL OR p.site_id = $2))
    SELECT f.full_date, round(s.on_hand + sum(coalesce(o.q, 0)) OVER w - sum(f.yhat) OVER w, 4),
           round(sqrt(sum(f.v) OVER w), 4)
    FROM f LEFT JOIN o ON o.d = f.full_date CROSS JOIN s WINDOW w AS (ORDER BY f.full_date)
    ORDER BY f.full_date"
}
sql_orders() {
  q -c "SELECT coalesce(string_agg(order_id::text, ',' ORDER BY order_id), '') FROM core.fact_orders
        WHERE item_id = $1 AND ($2::int IS NULL OR site_id = $2) AND status IN ('PLACED', 'DELAYED')
          AND actual_delivery_date IS NULL AND order_date <= '$asof'"
}
# Compares the API's answer ($1 file) with the SQL days ($2 file) and order ids ($3); prints
# "ok <days>" or what differs.
compare() {
  python3 - "$1" "$2" "$3" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))["data"]
rows = [l.split("|") for l in open(sys.argv[2]).read().split("\n") if l]
want_orders = sorted(int(x) for x in open(sys.argv[3]).read().strip().split(",") if x)
bad = []
if len(d["days"]) != len(rows) or not rows: bad.append(f"{len(d['days'])} days vs SQL {len(rows)}")
for a, (date, proj, half) in zip(d["days"], rows):
    proj, half = float(proj), float(half)
    if a["full_date"] != date: bad.append(f"{a['full_date']} vs {date}")
    for k, v in (("projected", proj), ("lower", proj - half), ("upper", proj + half)):
        if abs(a[k] - v) > 2e-3: bad.append(f"{date} {k} {a[k]} vs SQL {v}")
run_out = next((date for date, proj, _ in rows if float(proj) < -1e-9), None)
if d["run_out_date"] != run_out: bad.append(f"run_out_date {d['run_out_date']} vs SQL {run_out}")
got_orders = sorted(o["order_id"] for o in d["orders"])
if got_orders != want_orders: bad.append(f"orders {got_orders} vs SQL {want_orders}")
print("ok %d" % len(rows) if not bad else "; ".join(bad[:5]))
EOF
}

# Every item, at each site and all sites summed.
fails=""; runs_out=0; cases=0
for item in $(q -c "SELECT item_id FROM core.dim_item ORDER BY item_id"); do
  for site in 1 2 3 NULL; do
    qs=""; [ "$site" != NULL ] && qs="?site_id=$site"
    get "/items/$item/projection$qs" >"$work/p.json"
    sql_days "$item" "$site" >"$work/days.txt"
    sql_orders "$item" "$site" >"$work/orders.txt"
    out=$(compare "$work/p.json" "$work/days.txt" "$work/orders.txt")
    cases=$((cases + 1))
    grep -qE '^ok [0-9]+$' <<<"$out" || fails+="item $item site $site: $out; "
    grep -q '"run_out_date":"' "$work/p.json" && runs_out=$((runs_out + 1))
  done
done
check "all $cases item x site (and all-sites) projections: every day, band, run-out date and open order equal SQL ${fails:+($fails)}" [ -z "$fails" ]
check "some of them run out within the horizon ($runs_out of $cases)" [ "$runs_out" -gt 0 ]

# Receipts: the overdue 15 on day 1 and the 40 on day 3 at site 1; the 70 is past the horizon.
receipts=$(get "/items/1/projection?site_id=1" | python3 -c '
import json, sys
d = json.load(sys.stdin)["data"]
days = [(i + 1, x["receipts"]) for i, x in enumerate(d["days"]) if x["receipts"]]
print(",".join("%d:%g" % x for x in days), sum(1 for o in d["orders"] if o["late"]), d["horizon_days"])')
check "site 1 receipts: 15 on day 1 (overdue), 40 on day 3; one order late; 30 days ($receipts)" [ "$receipts" = "1:15,3:40 1 30" ]

# All sites: levels are the sums over the sites' policy rows.
levels=$(get "/items/1/projection" | python3 -c '
import json, sys
d = json.load(sys.stdin)["data"]
print("%.4f|%.4f|%.4f|%.4f" % (d["on_hand"], d["on_order"], d["reorder_point"], d["safety_stock"]))')
want=$(q -F'|' -c "SELECT round(sum(current_stock), 4), round(sum(on_order), 4), round(sum(reorder_point), 4),
                         round(sum(safety_stock), 4)
                  FROM analytics.inventory_policy WHERE item_id = 1 AND run_id = (SELECT max(run_id)
                    FROM analytics.pipeline_runs WHERE status = 'SUCCEEDED')")
check "all sites: on hand, on order, ROP and SS are the sums of the sites' ($levels)" [ "$levels" = "$want" ]
check "the pipeline counted the open orders too (on order 15 + 40 + 70 + 25 = 150)" [ "$(cut -d'|' -f2 <<<"$levels")" = 150.0000 ]

# Per site: short and surplus units as the REALLOCATE rule defines them, for every item.
for item in $(q -c "SELECT item_id FROM core.dim_item ORDER BY item_id"); do
  get "/items/$item/projection" | python3 -c '
import json, sys
for s in json.load(sys.stdin)["data"]["sites"]:
    print("%d|%.4f|%.4f|%s|%s" % (s["site_id"], s["short_units"], s["surplus_units"],
          "" if s["days_of_cover"] is None else "%.4f" % s["days_of_cover"], str(s["reallocate_candidate"]).lower()))'
done >"$work/sites_api.txt"
q -F'|' -c "
  WITH p AS (SELECT p.*, p.current_stock + p.on_order AS pos FROM analytics.inventory_policy p
             WHERE run_id = (SELECT max(run_id) FROM analytics.pipeline_runs WHERE status = 'SUCCEEDED')),
  b AS (SELECT item_id, site_id, CASE WHEN order_up_to > 0 AND pos <= reorder_point AND order_up_to - pos > 1e-9
                                      THEN order_up_to - pos ELSE 0 END AS short,
               greatest(current_stock - order_up_to, 0) AS surplus,
               round(current_stock / nullif(avg_daily_demand, 0), 4) AS cover FROM p)
  SELECT b.site_id, round(b.short, 4), round(b.surplus, 4), coalesce(b.cover::text, ''),
         b.short > 0 AND EXISTS (SELECT 1 FROM b o WHERE o.item_id = b.item_id AND o.site_id <> b.site_id
                                 AND o.surplus >= b.short)
  FROM b ORDER BY b.item_id, b.site_id" | sed 's/|t$/|true/; s/|f$/|false/' >"$work/sites_sql.txt"
n=$(wc -l <"$work/sites_sql.txt")
check "per-site short/surplus/cover/REALLOCATE of all $n item x site rows equal SQL" diff "$work/sites_api.txt" "$work/sites_sql.txt"
check "some site is short or has surplus (the table has something to show)" grep -qvE '^[0-9]+\|0\.0000\|0\.0000\|' "$work/sites_sql.txt"

# Bad input.
check "unknown item: 404" [ "$(code /items/999999/projection)" = 404 ]
check "unknown site: 404" [ "$(code "/items/1/projection?site_id=999999")" = 404 ]
check "site_id=abc: 400" [ "$(code "/items/1/projection?site_id=abc")" = 400 ]
check "site_id=0: 400" [ "$(code "/items/1/projection?site_id=0")" = 400 ]
check "site_id=1;DROP: 400" [ "$(code "/items/1/projection?site_id=1%3BDROP")" = 400 ]
check "the 400 names site_id" contains "$(get "/items/1/projection?site_id=x")" '"error":"invalid_parameter".*site_id'
check "item id abc: 400" [ "$(code /items/abc/projection)" = 400 ]
check "no token: 401" [ "$(curl -s -o /dev/null -w '%{http_code}' "$base/items/1/projection")" = 401 ]
check "the OpenAPI document lists it" contains "$(curl -s "$base/openapi.json")" '"/api/v1/items/\{id\}/projection"'
finish
