#!/usr/bin/env bash
# corrente migrate map: the Spanish retail store (generated small) into core with the shipped
# example mapping: code lookups (tienda_01 -> SUC001), cents -> euros, ABC classes,
# partitions, a row with an unknown store rejected, and a repeat run that changes nothing.
set -uo pipefail
corrente="$1"
here="$(cd "$(dirname "$0")" && pwd)"
mapping="$here/../../examples/mappings/spanish_retail.json"
. "$here/common.sh"
trap cleanup_db EXIT
export CORRENTE_LOG_FORMAT=json

db="$work/tienda.db"
python3 "$here/make_spanish_retail.py" "$db" --stores 3 --products 8 --days 40 --sales-per-day 5 --full --snapshot-days 1 >/dev/null
check "fixture generated" [ -f "$db" ]
python3 - "$db" <<'PY'
import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
c.execute("INSERT INTO ventas VALUES (999999, '2024-01-05 10:00:00', 'tienda_99', 'P00001', 2, 1.0, 2.0)")
c.commit()
PY
sq() { python3 -c "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute(sys.argv[2]).fetchone()[0])" "$db" "$1"; }
src="sqlite://$db"

out=$("$corrente" migrate map "$src" --mapping "$mapping" 2>&1); check "map exits 0" [ $? -eq 0 ]
check "sites mapped with codes" [ "$(q "select string_agg(code || '=' || site_type, ',' order by code) from core.dim_site")" = "CEDI01=DISTRIBUTION_CENTER,SUC001=STORE,SUC002=STORE,SUC003=STORE" ]
check "unicode site name" [ "$(q "select name from core.dim_site where code = 'SUC002'")" = "$(sq "select nombre from ubicaciones where codigo = 'tienda_02'")" ]
check "regions referenced" [ "$(q "select r.name from core.dim_site s join core.dim_region r using (region_id) where s.code = 'CEDI01'")" = "Madrid" ]
check "items" [ "$(q 'select count(*) from core.dim_item')" = "8" ]
check "cents -> euros" [ "$(q "select unit_price::text from core.dim_item where sku = 'P00003'")" = "$(sq "select printf('%.4f', precio_centimos / 100.0) from productos where codigo = 'P00003'")" ]
check "ABC class from clasificacion_abc" [ "$(q "select abc_class from core.dim_item where sku = 'P00002'")" = "$(sq "select min(clase) from clasificacion_abc where producto_id = 'P00002'")" ]
check "KG unit kept" [ "$(q "select unit_measure from core.dim_item where sku = 'P00005'")" = "KG" ]
expected_rows=$(sq "select count(*) from (select 1 from ventas where ubicacion_id != 'tienda_99' group by date(fecha), ubicacion_id, producto_id)")
check "demand rows = source groups" [ "$(q 'select count(*) from core.fact_demand_daily')" = "$expected_rows" ]
expected_sum=$(sq "select printf('%.3f', sum(cantidad)) from ventas where ubicacion_id != 'tienda_99'")
check "demand quantity total" [ "$(q 'select round(sum(quantity), 3) from core.fact_demand_daily')" = "$expected_sum" ]
read -r g_day g_store g_sku g_qty < <(python3 -c "import sqlite3,sys; print(*sqlite3.connect(sys.argv[1]).execute(\"select date(fecha), ubicacion_id, producto_id, printf('%.3f', sum(cantidad)) from ventas where ubicacion_id = 'tienda_02' group by 1, 2, 3 order by 1, 3 limit 1\").fetchone())" "$db")
check "one store-day exact" [ "$(q "select round(d.quantity, 3) from core.fact_demand_daily d join core.dim_site s using (site_id) join core.dim_item i using (item_id) where s.code = 'SUC002' and i.sku = '$g_sku' and d.full_date = '$g_day'")" = "$g_qty" ]
check "monthly partitions created, default empty" [ "$(q 'select count(*) from core.fact_demand_daily_default')/$(q "select count(*) from pg_inherits where inhparent = 'core.fact_demand_daily'::regclass")" = "0/3" ]
check "inventory rows: the stores' and the warehouse's 8 items, one day" [ "$(q 'select count(*) from core.fact_inventory_daily')" = "32" ]
check "unknown store rejected with reason" [ "$(q "select reason from staging.migration_rejects where target_schema = 'core' and table_name = 'core.fact_demand_daily'")" = "site_id: code 'tienda_99' not in lookup sitios" ]
before=$(q 'select count(*), sum(quantity) from core.fact_demand_daily')
"$corrente" migrate map "$src" --mapping "$mapping" >/dev/null 2>&1; check "second map exits 0" [ $? -eq 0 ]
check "second map: no duplicates" [ "$(q 'select count(*), sum(quantity) from core.fact_demand_daily')" = "$before" ]
check "demand rollup equals the fact after two maps" [ "$(q 'select core.demand_rollup_drift()')/$(q 'select count(*) > 0 from core.demand_item_daily')" = "0/t" ]
"$corrente" migrate map "$src" --mapping /dev/null >/dev/null 2>&1; check "bad mapping file fails" [ $? -ne 0 ]

# The mapped store feeds the pipeline: forecasts for every mapped store-item series.
# (40 days of history, fewer than the default 90 feature days: the stage starts at the history.)
as_of=$(sq "select date(max(fecha)) from ventas")
out=$("$corrente" pipeline run --as-of "$as_of" --horizon 14 --jobs 2 2>&1); rc=$?
check "pipeline run on the mapped data exits 0" [ $rc -eq 0 ]
check "pipeline published a run" contains "$out" "run [0-9]+ published \(as of $as_of\)"
# A series has demand or stock: the warehouse holds stock and sells nothing.
series=$(q "select count(*) from (select item_id, site_id from core.fact_demand_daily union select item_id, site_id from core.fact_inventory_daily) s")
check "forecasts for every mapped series" [ "$(q "select count(distinct (item_id, site_id)) from analytics.forecasts f where f.run_id = (select max(run_id) from analytics.pipeline_runs)")" = "$series" ]
check "14 days ahead of the last sale" [ "$(q "select max(full_date) - date '$as_of' from analytics.forecasts")" = "14" ]
check "forecasts are non-negative numbers" [ "$(q "select count(*) from analytics.forecasts where yhat is null or yhat < 0")" = "0" ]
check "features start at the first day of history" [ "$(q "select min(full_date) = (select min(full_date) from core.fact_demand_daily) from analytics.features_store")" = "t" ]
check "inventory policy computed" [ "$(q "select count(*) > 0 from analytics.inventory_policy")" = "t" ]

# The same store as a directory of CSV files maps to the same facts (SQL over CSV).
mkdir -p "$work/csv"
python3 - "$db" "$work/csv" <<'PY'
import csv, sqlite3, sys
c = sqlite3.connect(sys.argv[1])
for (t,) in c.execute("select name from sqlite_master where type = 'table'").fetchall():
    cur = c.execute('select * from "%s"' % t)
    with open("%s/%s.csv" % (sys.argv[2], t), "w", newline="") as f:
        w = csv.writer(f)
        w.writerow([d[0] for d in cur.description])
        w.writerows(cur)
PY
q 'delete from core.fact_demand_daily' >/dev/null
# A temporary directory of its own: another test run on the machine makes its own snapshots.
csv_tmp="$work/tmp"; mkdir -p "$csv_tmp"
snapshots() { ls "$csv_tmp" | grep -c '^corrente_csv_'; }
snapshots_before=$(snapshots)
out=$(TMPDIR="$csv_tmp" "$corrente" migrate map "csv://$work/csv" --mapping "$mapping" 2>&1); rc=$?
check "map from csv:// exits 0" [ $rc -eq 0 ]
check "csv map: same demand rows and total" [ "$(q 'select count(*), sum(quantity) from core.fact_demand_daily')" = "$before" ]
check "csv map: same sites" [ "$(q "select string_agg(code, ',' order by code) from core.dim_site")" = "CEDI01,SUC001,SUC002,SUC003" ]
check "csv map: unknown store rejected again" contains "$out" "map core.fact_demand_daily: $expected_rows rows, 1 rejected"
check "csv map leaves no temporary database" [ "$(snapshots)" = "$snapshots_before" ]

finish
