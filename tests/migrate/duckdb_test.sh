#!/usr/bin/env bash
# corrente migrate from DuckDB (C API): a small fixture database created here with the
# duckdb_exec helper; types, keys, checks, foreign keys, verify, diff, sync, status and map.
set -uo pipefail
corrente="$1"
duckdb_exec="$2"
here="$(cd "$(dirname "$0")" && pwd)"
. "$here/common.sh"
trap cleanup_db EXIT
export CORRENTE_LOG_FORMAT=json

db="$work/retail.duckdb"
"$duckdb_exec" "$db" <<'SQL'
CREATE TABLE productos (
  id INTEGER PRIMARY KEY,
  codigo VARCHAR NOT NULL UNIQUE,
  nombre VARCHAR NOT NULL,
  precio DECIMAL(10,2) CHECK (precio >= 0),
  peso DOUBLE,
  activo BOOLEAN DEFAULT true,
  creado TIMESTAMP,
  foto BLOB,
  uid UUID,
  grande UBIGINT
);
CREATE TABLE ventas (
  id BIGINT PRIMARY KEY,
  producto_id INTEGER REFERENCES productos (id),
  fecha DATE NOT NULL,
  cantidad INTEGER
);
CREATE INDEX ventas_fecha ON ventas (fecha);
INSERT INTO productos VALUES
  (1, 'P-001', 'Aceite de oliva 1L', 8.95, 1.02, true, '2024-01-02 03:04:05.5', '\x00\xFF'::BLOB, 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', 18446744073709551615),
  (2, 'P-002', 'Jamón ibérico', 120.00, 0.1, false, NULL, NULL, NULL, 0),
  (3, 'P-003', 'Turrón', 0, NULL, NULL, '1999-12-31 23:59:59', '', NULL, NULL);
INSERT INTO ventas SELECT i, 1 + i % 3, DATE '2024-01-01' + CAST(i % 60 AS INTEGER), i % 7 FROM range(1, 1001) t(i);
SQL
check "fixture created" [ $? -eq 0 ]
src="duckdb://$db"

out=$("$corrente" migrate plan "$src" 2>&1); check "plan exits 0" [ $? -eq 0 ]
check "UBIGINT -> numeric(20)" contains "$out" "grande: UBIGINT -> numeric\(20,0\)"
check "DECIMAL kept" contains "$out" "precio: DECIMAL\(10,2\) -> numeric\(10,2\)"
out=$("$corrente" migrate copy "$src" 2>&1); check "copy exits 0" [ $? -eq 0 ]
check "1003 rows, none rejected" contains "$out" "1003 rows, 0 rejected"
check "types" [ "$(q "select string_agg(data_type, ',' order by ordinal_position) from information_schema.columns where table_schema = 'retail' and table_name = 'productos'")" = "integer,text,text,numeric,double precision,boolean,timestamp without time zone,bytea,uuid,numeric" ]
check "values exact" [ "$(q "select nombre || '|' || precio || '|' || peso || '|' || creado || '|' || encode(foto, 'hex') || '|' || uid || '|' || grande from retail.productos where id = 1")" = "Aceite de oliva 1L|8.95|1.02|2024-01-02 03:04:05.5|00ff|a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11|18446744073709551615" ]
check "unicode" [ "$(q 'select nombre from retail.productos where id = 2')" = "Jamón ibérico" ]
check "primary keys" [ "$(q "select count(*) from pg_constraint where connamespace = 'retail'::regnamespace and contype = 'p'")" = "2" ]
check "foreign key" [ "$(q "select count(*) from pg_constraint where connamespace = 'retail'::regnamespace and contype = 'f' and convalidated")" = "1" ]
check "check constraint" [ "$(q "select count(*) from pg_constraint where connamespace = 'retail'::regnamespace and contype = 'c'")" = "1" ]
check "index kept by name" [ "$(q "select count(*) from pg_indexes where schemaname = 'retail' and indexname = 'ventas_fecha'")" = "1" ]
out=$("$corrente" migrate verify "$src" 2>&1); check "verify passes" [ $? -eq 0 ]
out=$(CORRENTE_MIGRATE_TEST_SPLIT_ROWS=1 "$corrente" migrate verify "$src" --jobs 3 2>&1)
check "verify split in key ranges passes" [ $? -eq 0 ]
check "the source was read in 3 key ranges" contains "$out" "source in 3 ranges of"
out=$("$corrente" migrate copy "$src" --schema retail_r --range-rows 300 --jobs 2 --verify 2>&1)
check "copy --verify in key ranges passes" contains "$out" "1003 rows, 0 rejected"
check "copy --verify in key ranges: all tables match" contains "$out" "all 2 tables match"
check "its source side taken while loading" contains "$out" "verify ventas: source side taken while loading"
check "ventas went in ranges" [ "$(q "select count(*) filter (where done) from staging.migration_ranges where target_schema = 'retail_r' and table_name = 'ventas'")" -ge 3 ]
q "delete from retail.ventas where id = 777" >/dev/null
out=$("$corrente" migrate diff "$src" --table ventas 2>&1)
check "diff names the deleted key" [ "$(grep -E '^(missing|extra|changed) ' <<<"$out")" = "missing id=777" ]
out=$("$corrente" migrate sync "$src" 2>&1); check "sync repairs it" contains "$out" "sync ventas: 1 inserted, 0 updated, 0 deleted"
"$corrente" migrate verify "$src" >/dev/null 2>&1; check "verify after sync" [ $? -eq 0 ]

# status: the loaded tables, the last verify and the sync passes above.
out=$("$corrente" migrate status 2>&1); check "status exits 0" [ $? -eq 0 ]
check "status lists the tables with rows" [ "$(grep -E '^retail ' <<<"$out" | awk '{print $2, $3, $4, $5}' | tr '\n' ';')" = "productos constrained 3 0;ventas constrained 1000 0;" ]
check "status shows the last verify" contains "$out" "last verify of retail: OK at .* \(duckdb://$db\)"
check "status shows the sync pass" contains "$out" "sync retail.ventas at .*: \+1 ~0 -0 watermark 1000"

# map: the shipped DuckDB example mapping into core (SQL over the DuckDB file).
mapping="$here/../../examples/mappings/duckdb_retail.json"
out=$("$corrente" migrate map "$src" --mapping "$mapping" 2>&1); check "map exits 0" [ $? -eq 0 ]
check "map steps counted" [ "$(grep '^map ' <<<"$out" | tr '\n' ';')" = "map core.dim_site: 1 rows, 0 rejected;map core.dim_item: 3 rows, 0 rejected;map core.fact_demand_daily: 60 rows, 0 rejected;" ]
check "items: price, boolean, NULL boolean defaulted" [ "$(q "select string_agg(sku || '|' || name || '|' || unit_price || '|' || active, ',' order by sku) from core.dim_item")" = "P-001|Aceite de oliva 1L|8.9500|true,P-002|Jamón ibérico|120.0000|false,P-003|Turrón|0.0000|true" ]
check "demand: 60 days, total quantity" [ "$(q 'select count(*), sum(quantity) from core.fact_demand_daily')" = "60|3003.0000" ]
check "demand: one day exact" [ "$(q "select i.sku || ':' || d.quantity from core.fact_demand_daily d join core.dim_item i using (item_id) join core.dim_site s using (site_id) where s.code = 'DUCK01' and d.full_date = '2024-01-02'")" = "P-002:50.0000" ]
"$corrente" migrate map "$src" --mapping "$mapping" >/dev/null 2>&1; check "second map exits 0" [ $? -eq 0 ]
check "second map: no duplicates" [ "$(q 'select count(*), sum(quantity) from core.fact_demand_daily')" = "60|3003.0000" ]

finish
