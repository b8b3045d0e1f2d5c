#!/usr/bin/env bash
# corrente migrate from a directory of CSV files: BOM, quoting, embedded newlines, CRLF,
# NULL vs empty string, a bad row rejected with its line, invalid UTF-8 rejected; diff and
# sync of the key-less files by whole rows; status.
set -uo pipefail
corrente="$1"
here="$(cd "$(dirname "$0")" && pwd)"
. "$here/common.sh"
trap cleanup_db EXIT
export CORRENTE_LOG_FORMAT=json

dir="$work/tienda"
mkdir -p "$dir"
cp "$here/csv_store/"*.csv "$dir/"
printf 'id,texto\n1,ok\n2,\xff\xfe roto\n3,"fin"\n' >"$dir/notas.csv"
src="csv://$dir"

out=$("$corrente" migrate plan "$src" 2>&1); check "plan exits 0" [ $? -eq 0 ]
check "types inferred" contains "$out" 'CREATE TABLE "tienda"."productos" \("id" bigint, "name" text, "price" numeric, "sold_on" date, "note" text\)'
check "timestamp inferred" contains "$out" '"at" timestamp without time zone'
out=$("$corrente" migrate copy "$src" 2>&1); check "copy exits 0" [ $? -eq 0 ]
check "BOM skipped: first column is id" [ "$(q "select column_name from information_schema.columns where table_schema = 'tienda' and table_name = 'productos' and ordinal_position = 1")" = "id" ]
check "quoted comma" [ "$(q 'select name from tienda.productos where id = 1')" = "Café, molido" ]
check "embedded newline" [ "$(q "select note = E'line one\\nline two' from tienda.productos where id = 1")" = "t" ]
check "doubled quotes" [ "$(q 'select name from tienda.productos where id = 2')" = 'He said "hi"' ]
check "empty unquoted is NULL" [ "$(q 'select note is null from tienda.productos where id = 2')" = "t" ]
check "quoted empty is empty string" [ "$(q "select note = '' from tienda.productos where id = 3")" = "t" ]
check "decimal kept as written" [ "$(q 'select price::text from tienda.productos where id = 1')" = "12.50" ]
check "CRLF not in values" [ "$(q "select count(*) from tienda.productos where note like E'%\\r%' or name like E'%\\r%'")" = "0" ]
check "bad row rejected with its line" [ "$(q "select source_key || ': ' || reason from staging.migration_rejects where table_name = 'productos'")" = "line 6: line 6: expected 5 fields, found 3" ]
check "invalid UTF-8 rejected row by row" [ "$(q "select source_key || ': ' || reason from staging.migration_rejects where table_name = 'notas'")" = "line 3: invalid UTF-8 in column texto" ]
check "good rows loaded" [ "$(q 'select count(*) from tienda.productos')/$(q 'select count(*) from tienda.notas')" = "4/2" ]
out=$("$corrente" migrate verify "$src" --json --accept-rejects 2>/dev/null); check "verify passes" [ $? -eq 0 ]
check "verify json accounts for rejects" [ "$(python3 -c 'import json,sys; d=json.load(sys.stdin); print(sorted((t["table"], t["source_rejected"], t["rejects_recorded"]) for t in d["tables"]))' <<<"$out")" = "[('movimientos', 0, 0), ('notas', 1, 1), ('productos', 1, 1)]" ]
check "verify json has column stats" [ "$(python3 -c 'import json,sys; d=json.load(sys.stdin); t=[t for t in d["tables"] if t["table"]=="productos"][0]; c=t["target"]["columns"][2]; print(c["min"], c["max"], c["sum"], t["target"]["columns"][4]["nulls"])' <<<"$out")" = "0.5 12.5 23.99 1" ]
printf '6,Nuevo,1,2024-03-01,x\n' >>"$dir/productos.csv"
"$corrente" migrate verify "$src" >/dev/null 2>&1; check "verify notices a new source row" [ $? -eq 2 ]

# diff and sync: CSV has no key, so both sides compare as multisets of whole rows (an
# edited line is one missing row and one extra row); sync deletes the extra rows and
# appends the missing ones, in one transaction per table.
out=$("$corrente" migrate diff "$src" --table productos 2>&1); rc=$?
check "diff of a key-less table: exit 2 on a difference" [ $rc -eq 2 ]
check "diff names the new line" [ "$(grep -E '^(missing|extra|changed) ' <<<"$out")" = "missing line 8" ]
printf 'code,qty,at\nA,1,2024-01-01 10:00:00\nB,2,2024-01-01 11:30:00.25\nA,1,2024-01-01 10:00:00\nD,4,2024-01-02 00:00:00\n' >"$dir/movimientos.csv"
out=$("$corrente" migrate diff "$src" --table movimientos 2>&1)
check "diff: edited, duplicated and new lines missing" [ "$(grep '^missing ' <<<"$out" | tr '\n' ' ')" = "missing line 3 missing line 4 missing line 5 " ]
check "diff: edited and deleted rows extra, by value" [ "$(grep '^extra ' <<<"$out" | tr '\n' ' ')" = 'extra row (B,,"2024-01-01 11:30:00.25") extra row (C,3,) ' ]
out=$("$corrente" migrate sync "$src" 2>&1); check "sync exits 0" [ $? -eq 0 ]
check "sync productos: the new line" contains "$out" "sync productos: 1 inserted, 0 updated, 0 deleted"
check "sync movimientos: 3 in, 2 out" contains "$out" "sync movimientos: 3 inserted, 0 updated, 2 deleted"
check "sync notas: nothing" contains "$out" "sync notas: 0 inserted, 0 updated, 0 deleted"
check "sync log: row-hash counts" [ "$(q "select string_agg(table_name || ' ' || mode || ' ' || rows_inserted || '/' || rows_updated || '/' || rows_deleted, ',' order by table_name) from staging.migration_sync_log where target_schema = 'tienda'")" = "movimientos row-hash 3/0/2,notas row-hash 0/0/0,productos row-hash 1/0/0" ]
check "target rows equal the files" [ "$(q "select string_agg(code || ':' || coalesce(qty::text, '-'), ',' order by code, qty) from tienda.movimientos")" = "A:1,A:1,B:2,D:4" ]
check "rejected lines not retried" [ "$(q 'select count(*) from tienda.productos')/$(q 'select count(*) from tienda.notas')" = "5/2" ]
"$corrente" migrate verify "$src" --accept-rejects >/dev/null 2>&1; check "verify after sync" [ $? -eq 0 ]
out=$("$corrente" migrate sync "$src" 2>&1)
check "second sync is a no-op" [ "$(grep -c ': 0 inserted, 0 updated, 0 deleted' <<<"$out")" = "3" ]
out=$("$corrente" migrate diff "$src" --table movimientos 2>&1); check "diff after sync: equal" [ $? -eq 0 ]
out=$("$corrente" migrate sync "$src" --watermark-only 2>&1)
check "watermark sync skips key-less tables, saying why" contains "$out" "productos has no primary key, so no watermark; skipped"

out=$("$corrente" migrate status 2>&1); check "status exits 0" [ $? -eq 0 ]
check "status lists the CSV tables" [ "$(grep -E '^tienda ' <<<"$out" | awk '{print $2, $4, $5}' | tr '\n' ';')" = "movimientos 3 0;notas 2 1;productos 4 1;" ]
check "status shows the row-hash sync" contains "$out" "sync tienda.movimientos at .*: \+0 ~0 -0 watermark"

finish
