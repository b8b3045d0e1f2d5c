#!/usr/bin/env bash
# Corrente on a real Citus cluster (a coordinator and two workers, each a managed cluster):
# the distributed layer and its constraints, a seeded pipeline run compared row for row with
# the same run on plain PostgreSQL, every GET endpoint compared between a Citus-backed and a
# single-node `corrente serve`, and single-shard routing of item-filtered queries (EXPLAIN).
# Skips (exit 77) when Citus is neither installed nor buildable (scripts/citus.sh).
set -uo pipefail
corrente="$1"
here="$(cd "$(dirname "$0")" && pwd)"
. "$here/../lib.sh"
. "$here/lib.sh"
unset DATABASE_URL DATABASE_URL_API DATABASE_URL_PIPELINE DATABASE_URL_MIGRATE
citus_require
base=$(mktemp -d /tmp/corrente-citus.XXXX)
chmod 755 "$base"
spids=()
cleanup() {
  local p
  for p in "${spids[@]}"; do kill "$p" 2>/dev/null; done
  # CORRENTE_CITUS_KEEP=1 leaves the cluster running, for a look at it afterwards.
  [ -n "${CORRENTE_CITUS_KEEP:-}" ] && { echo "kept: $base (CORRENTE_HOME=$base/coord)"; return; }
  citus_stop "$base"
  rm -rf "$base"
}
trap cleanup EXIT
citus_start "$base"; check "a coordinator and two workers start with citus" [ $? -eq 0 ]
export CORRENTE_HOME="$base/coord"
q() { psql "$coord_url" -qAtX -v ON_ERROR_STOP=1 -c "$1"; }
check "two active workers" [ "$(q "select count(*) from citus_get_active_worker_nodes()")" = 2 ]

# --- §1 the schema: migrations, then the distributed layer on top, idempotent.
out=$("$corrente" db upgrade --distributed 2>&1); rc=$?
check "db upgrade --distributed succeeds" [ $rc -eq 0 ]
[ $rc -eq 0 ] || echo "$out" | tail -20
check "it reports the facts distributed by item_id" contains "$out" "core.fact_demand_daily: distributed by item_id"
check "it reports each unique key it had to widen" contains "$out" "analytics.forecasts: PRIMARY KEY \(forecast_id\) cannot be enforced across shards; now PRIMARY KEY \(forecast_id, item_id\)"
check "it reports the partitioned facts' keys" contains "$out" "core.fact_orders: PRIMARY KEY \(order_id, order_date\) cannot .* \(order_id, order_date, item_id\)"
check "it reports where item_id was nullable" contains "$out" "analytics.recommendations: .*item_id was nullable: a row without an item is now refused"
out2=$("$corrente" db upgrade --distributed 2>&1)
check "a second run changes nothing" contains "$out2" "distributed layer: 0 change\(s\)"
out3=$("$corrente" db upgrade 2>&1)
check "a plain upgrade of a distributed database keeps it" contains "$out3" "distributed layer: 0 change\(s\)"

hashed="core.fact_demand_daily core.fact_inventory_daily core.fact_orders analytics.forecasts analytics.features_store analytics.inventory_policy analytics.forecast_accuracy analytics.forecast_pages analytics.recommendations analytics.pipeline_features analytics.pipeline_recommendations analytics.pipeline_alerts"
refs="core.dim_item core.dim_site core.dim_supplier core.dim_region core.dim_calendar support.users analytics.pipeline_runs analytics.kpis_daily analytics.overrides analytics.alerts analytics.forecast_totals"
for t in $hashed; do
  check "$t is hash-distributed by item_id" [ "$(q "select partmethod::text || ':' || column_to_column_name(logicalrelid, partkey) from pg_dist_partition where logicalrelid = '$t'::regclass")" = "h:item_id" ]
done
check "the item-keyed tables share one co-location group" [ "$(q "select count(distinct colocationid) from pg_dist_partition where logicalrelid::text in ($(printf "'%s'," $hashed | sed 's/,$//'))")" = 1 ]
for t in $refs; do
  check "$t is a reference table" [ "$(q "select repmodel::text from pg_dist_partition where logicalrelid = '$t'::regclass")" = t ]
done
check "monthly partitions stay (fact_demand_daily is still partitioned)" [ "$(q "select relkind from pg_class where oid = 'core.fact_demand_daily'::regclass")" = p ]
check "shards on both workers" [ "$(q "select count(distinct nodeport) from pg_dist_shard_placement p join pg_dist_shard s using (shardid) where s.logicalrelid = 'analytics.forecasts'::regclass")" = 2 ]

# The single-node schema, from the same migrations, in a plain database on the same server.
psql "$coord_url" -qAtc "DROP DATABASE IF EXISTS single WITH (FORCE)" >/dev/null
psql "$coord_url" -qAtc "CREATE DATABASE single" >/dev/null 2>&1
single_url=$(with_db "$coord_url" single)
DATABASE_URL="$single_url" "$corrente" db upgrade >/dev/null 2>&1; check "the same migrations on plain PostgreSQL" [ $? -eq 0 ]
constraints="select conrelid::regclass::text || ' ' || conname || ' ' || contype::text from pg_constraint c join pg_namespace n on n.oid = c.connamespace where n.nspname in ('core','analytics','support') and conparentid = 0 order by 1"
diff <(psql "$single_url" -qAtX -c "$constraints") <(q "$constraints") >"$base/constraints.diff"
check "every constraint of the single-node schema is kept (same names, same kinds)" [ ! -s "$base/constraints.diff" ]
[ -s "$base/constraints.diff" ] && cat "$base/constraints.diff"

# Constraints are enforced on the shards and across nodes.
q "insert into core.dim_supplier (code, name) values ('S1', 's'); insert into core.dim_item (sku, name, supplier_id) values ('X1', 'x', 1); insert into core.dim_site (code, name) values ('W1', 'w')" >/dev/null
check "a demand row goes in" q "insert into core.fact_demand_daily (full_date, item_id, site_id, quantity) values ('2025-01-02', 1, 1, 3)"
check "the (item, site, day) unique key refuses a duplicate" bash -c "! psql '$coord_url' -qAtX -c \"insert into core.fact_demand_daily (full_date, item_id, site_id, quantity) values ('2025-01-02', 1, 1, 4)\" 2>/dev/null"
check "the foreign key to dim_item refuses an unknown item" bash -c "! psql '$coord_url' -qAtX -c \"insert into core.fact_demand_daily (full_date, item_id, site_id, quantity) values ('2025-01-02', 999, 1, 4)\" 2>/dev/null"
check "the CHECK refuses a negative quantity" bash -c "! psql '$coord_url' -qAtX -c \"insert into core.fact_demand_daily (full_date, item_id, site_id, quantity) values ('2025-01-03', 1, 1, -1)\" 2>/dev/null"
check "a referenced item cannot be deleted" bash -c "! psql '$coord_url' -qAtX -c 'delete from core.dim_item where item_id = 1' 2>/dev/null"
check "ensure_partitions moves rows out of the DEFAULT partition on Citus" [ "$(q "select core.ensure_partitions('core.fact_demand_daily', '2025-01-01', '2025-01-31')")" = 1 ]
check "the row now sits in its month's partition" [ "$(q "select count(*) from core.fact_demand_daily_2025_01")" = 1 ]
q "truncate core.fact_demand_daily, core.dim_item, core.dim_site, core.dim_supplier restart identity cascade" >/dev/null

. "$here/compare.sh"
. "$here/workers.sh"
. "$here/migrate.sh"
finish
