#!/usr/bin/env bash
# corrente migrate from a DuckDB file with the types DuckDB users have: FLOAT (was carried as
# its shortest float text, another double), JSON (now jsonb), HUGEINT/UHUGEINT/UBIGINT at
# their limits, NaN and infinities, INTERVAL, LIST/STRUCT/MAP, ENUM, TIMESTAMP_NS and BIT as
# text with a warning, TIMESTAMPTZ; a view reported; schema sales copied through its own
# URL (?schema=sales) into target schema odd_sales, with verify, diff and sync (before, its
# tables were only reported); diff and verify --manifest of main's URL cover it too.
set -uo pipefail
corrente="$1"
duckdb_exec="$2"
. "$(dirname "$0")/common.sh"
trap cleanup_db EXIT
export CORRENTE_LOG_FORMAT=json

db="$work/odd.duckdb"
"$duckdb_exec" "$db" <<'SQL'
CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy');
CREATE TABLE t (id INTEGER PRIMARY KEY, f FLOAT, d DOUBLE, h HUGEINT, uh UHUGEINT, ub UBIGINT,
  iv INTERVAL, l INTEGER[], s STRUCT(a INTEGER, b VARCHAR), m MAP(VARCHAR, INTEGER), e mood,
  tz TIMESTAMPTZ, tns TIMESTAMP_NS, ut UTINYINT, js JSON, bt BIT, v VARCHAR);
INSERT INTO t VALUES
 (1, 0.1, 'nan', 170141183460469231731687303715884105727, 340282366920938463463374607431768211455,
  18446744073709551615, INTERVAL '1 year 2 months 3 days 04:05:06.789', [1, 2, NULL],
  {'a': 1, 'b': 'x'}, MAP {'k': 1}, 'happy', '2024-06-01 10:00:00+02',
  '2024-01-01 00:00:00.123456789', 255, '{"b": [1, 2], "a": 1.50}', '0101', 'é'),
 (2, 16777217, '-inf', -170141183460469231731687303715884105728, 0, 0, INTERVAL '-1 day', [],
  {'a': NULL, 'b': NULL}, MAP {}, 'sad', '1900-01-01 00:00:00+00', '1970-01-01', 0, 'null', '1', ''),
 (3, 1234567.5, 'inf', 0, 1, 1, INTERVAL '0 seconds', NULL, NULL, NULL, NULL, NULL, NULL, NULL,
  NULL, NULL, NULL);
CREATE TYPE lvl AS ENUM ('zeta', 'alpha', 'mid');
CREATE TABLE niveles (l lvl PRIMARY KEY, v INTEGER);
INSERT INTO niveles VALUES ('zeta', 1), ('alpha', 2), ('mid', 3);
-- DuckDB's TIME holds 24:00:00 (PostgreSQL's time too); it refuses :60.
CREATE TABLE clock (id INTEGER PRIMARY KEY, t TIME);
INSERT INTO clock VALUES (1, '24:00:00'), (2, '23:59:59.999999'), (3, '00:00:00');
CREATE SCHEMA sales;
CREATE TABLE sales.t (id INTEGER PRIMARY KEY, amount DECIMAL(10,2), who VARCHAR);
CREATE TABLE sales.orders (id INTEGER PRIMARY KEY, n INTEGER, t_id INTEGER REFERENCES sales.t (id));
INSERT INTO sales.t VALUES (1, 10.50, 'ana'), (2, NULL, 'bo');
INSERT INTO sales.orders VALUES (1, 1, 1), (2, 5, NULL);
CREATE VIEW vt AS SELECT id FROM t;
SQL
check "fixture created" [ $? -eq 0 ]
src="duckdb://$db"

out=$("$corrente" migrate plan "$src" 2>&1); check "plan exits 0" [ $? -eq 0 ]
check "FLOAT as its exact value" contains "$out" "f: FLOAT -> double precision \(the float's exact value, read as a double\)"
check "JSON -> jsonb" contains "$out" "js: JSON -> jsonb"
check "INTERVAL, LIST, STRUCT, MAP, ENUM, TIMESTAMP_NS, BIT as text, each said" [ "$(grep -c 'WARNING t: column .*: DuckDB type .* carried as its text form' <<<"$out")" = "7" ]
check "a table outside schema main: copied after main's, said with its own URL" contains "$out" "WARNING table sales.orders is in schema sales: copy, verify, diff and sync of this URL take it after main's; its own source URL is duckdb://$db\?schema=sales \(plan\)"
check "a view reported" contains "$out" "WARNING view vt is not copied"

out=$("$corrente" migrate copy "$src" --verify 2>&1); check "copy --verify exits 0" [ $? -eq 0 ]
check "all match, schema sales's tables too (into odd_sales)" contains "$out" "verify: all 5 tables match"
also contains "$out" "warning: schema odd_sales \(another schema of the source\): 2 tables loaded, 4 rows"
also [ "$(grep -cE '^odd_sales\.(t|orders) .* OK$' <<<"$out")" = "2" ]
check "TIME 24:00:00 kept as written" [ "$(q "select string_agg(t::text || '/' || pg_typeof(t), ',' order by id) from odd.clock")" = "24:00:00/time without time zone,23:59:59.999999/time without time zone,00:00:00/time without time zone" ]
check "FLOAT values: the floats' exact values" [ "$(q "select string_agg(f::text, ',' order by id) from odd.t")" = "0.10000000149011612,16777216,1234567.5" ]
check "NaN and infinities" [ "$(q "select string_agg(d::text, ',' order by id) from odd.t")" = "NaN,-Infinity,Infinity" ]
check "HUGEINT, UHUGEINT, UBIGINT limits" [ "$(q "select string_agg(concat_ws('|', h, uh, ub), ',' order by id) from odd.t")" = "170141183460469231731687303715884105727|340282366920938463463374607431768211455|18446744073709551615,-170141183460469231731687303715884105728|0|0,0|1|1" ]
check "JSON as jsonb (keys in jsonb's order, a JSON null kept apart from NULL)" [ "$(q "select string_agg(coalesce(js::text, 'NULL'), ',' order by id) from odd.t")" = '{"a": 1.50, "b": [1, 2]},null,NULL' ]
check "text forms kept exactly" [ "$(q "select concat_ws('|', iv, l, s, m, e, tns, bt, v) from odd.t where id = 1")" = "1 year 2 months 3 days 04:05:06.789|[1, 2, NULL]|{'a': 1, 'b': x}|{k=1}|happy|2024-01-01 00:00:00.123456789|0101|é" ]
check "TIMESTAMPTZ at its instant" [ "$(q "select string_agg(tz::text, ',' order by id) from odd.t")" = "2024-06-01 08:00:00+00,1900-01-01 00:00:00+00" ]
q "update odd.t set f = 0.1, js = '{}' where id = 1" >/dev/null
out=$("$corrente" migrate diff "$src" --table t 2>&1); check "diff finds the changed FLOAT and JSON row" [ "$(grep -E '^(missing|extra|changed) ' <<<"$out")" = "changed id=1" ]
out=$("$corrente" migrate sync "$src" 2>&1); check "sync puts it back" contains "$out" "sync t: 0 inserted, 1 updated, 0 deleted"
"$corrente" migrate verify "$src" >/dev/null 2>&1; check "verify after sync" [ $? -eq 0 ]
# An ENUM key: DuckDB sorts it by the members' order (zeta, alpha, mid), the target's text
# by bytes; read in the target's order, diff names only the changed row and sync deletes
# nothing (it deleted alpha and zeta).
q "update odd.niveles set v = 0 where l = 'mid'" >/dev/null
out=$("$corrente" migrate diff "$src" --table niveles 2>&1)
check "diff of an ENUM key: only the changed row" [ "$(grep -E '^(missing|extra|changed) ' <<<"$out")" = "changed l=mid" ]
out=$("$corrente" migrate sync "$src" 2>&1)
check "sync of it deletes nothing" contains "$out" "sync niveles: 0 inserted, 1 updated, 0 deleted"
also [ "$(q "select string_agg(l || v, ',' order by l collate \"C\") from odd.niveles")" = "alpha2,mid3,zeta1" ]

# Schema sales: copied by main's copy into odd_sales (its t apart from main's t); its own URL
# for plan and diff; sync and verify of either URL cover it.
ssrc="duckdb://$db?schema=sales"
out=$("$corrente" migrate plan "$ssrc" 2>&1); check "plan of schema sales" [ $? -eq 0 ]
also contains "$out" '-- target schema "odd_sales"'
also contains "$out" "WARNING table main.t is in schema main: not copied by this command; its own source URL is duckdb://$db \(plan\)"
also contains "$out" 'REFERENCES "odd_sales"."t" \("id"\)'
out=$("$corrente" migrate copy "$ssrc" --verify 2>&1); check "copy --verify of schema sales alone: already loaded, verified" [ $? -eq 0 ]
also contains "$out" "0 tables loaded \(2 already done\)"
also contains "$out" "verify: all 2 tables match"
check "its rows in odd_sales, main's t untouched" [ "$(q "select string_agg(concat_ws('|', id, amount, who), ',' order by id) from odd_sales.t")|$(q "select count(*) from odd.t")" = "1|10.50|ana,2|bo|3" ]
also [ "$(q "select string_agg(concat_ws('|', id, n, t_id), ',' order by id) from odd_sales.orders")" = "1|1|1,2|5" ]
"$duckdb_exec" "$db" <<'SQL'
UPDATE sales.t SET amount = 9.99 WHERE id = 1;
INSERT INTO sales.orders VALUES (3, 3, 2);
DELETE FROM sales.orders WHERE id = 2;
SQL
out=$("$corrente" migrate diff "$ssrc" --table t 2>&1)
check "diff names the changed row of sales.t" [ "$(grep -E '^(missing|extra|changed) ' <<<"$out")" = "changed id=1" ]
out=$("$corrente" migrate sync "$ssrc" 2>&1); check "sync of schema sales" [ $? -eq 0 ]
also contains "$out" "sync t: 0 inserted, 1 updated, 0 deleted"
also contains "$out" "sync orders: 1 inserted, 0 updated, 1 deleted"
"$corrente" migrate verify "$ssrc" >/dev/null 2>&1; check "verify of schema sales after sync" [ $? -eq 0 ]
"$duckdb_exec" "$db" <<<"UPDATE sales.t SET who = 'eva' WHERE id = 2;"
out=$("$corrente" migrate sync "$src" 2>&1); check "sync of main's URL goes on to schema sales" [ $? -eq 0 ]
also contains "$out" "sync odd_sales.t: 0 inserted, 1 updated, 0 deleted"
also [ "$(q "select who from odd_sales.t where id = 2")" = "eva" ]
out=$("$corrente" migrate verify "$src" 2>&1); check "verify of main's URL: both schemas" [ $? -eq 0 ]
also contains "$out" "verify: all 5 tables match"

# diff and verify --manifest of main's URL cover schema sales too (before, one schema per
# URL): diff without --table goes through every table of both schemas, and finds a row
# changed in the second; --table takes a table of it by the name verify gives it.
out=$("$corrente" migrate copy "$src" --manifest "$work/m.txt" 2>&1); check "copy --manifest: a manifest per schema" [ $? -eq 0 ]
also [ -s "$work/m.txt.odd_sales" ]
out=$("$corrente" migrate verify "$src" --manifest "$work/m.txt" 2>&1); check "verify --manifest: both schemas, both sides" [ $? -eq 0 ]
also [ "$(grep -cE '^odd_sales\.(t|orders) (target|source): OK' <<<"$out")" = "4" ]
also [ "$(grep -cE '^(t|niveles|clock) (target|source): OK' <<<"$out")" = "6" ]
out=$("$corrente" migrate diff "$src" 2>&1); check "diff of every table of both schemas: equal" [ $? -eq 0 ]
also [ "$(grep -E '^diff ' <<<"$out" | cut -d: -f1 | sort | tr '\n' ' ')" = "diff clock diff niveles diff odd_sales.orders diff odd_sales.t diff t " ]
"$duckdb_exec" "$db" <<<"UPDATE sales.t SET amount = 1.25 WHERE id = 2;"
out=$("$corrente" migrate diff "$src" 2>&1); check "diff finds the row changed in schema sales (exit 2)" [ $? -eq 2 ]
also [ "$(grep -E '^(missing|extra|changed) ' <<<"$out")" = "changed odd_sales.t id=2" ]
out=$("$corrente" migrate diff "$src" --table odd_sales.t 2>&1); check "diff --table odd_sales.t finds it" [ $? -eq 2 ]
also [ "$(grep -E '^(missing|extra|changed) ' <<<"$out")" = "changed id=2" ]
also [ "$(grep -c '^diff ' <<<"$out")" = "1" ]
out=$("$corrente" migrate verify "$src" --manifest "$work/m.txt" --manifest-side source 2>&1)
check "verify --manifest from the source finds it (exit 2)" [ $? -eq 2 ]
also [ "$(grep -E '^[a-z_.]+ source: MISMATCH' <<<"$out" | cut -d: -f1)" = "odd_sales.t source" ]
"$corrente" migrate verify "$src" --manifest "$work/m.txt" --manifest-side target >/dev/null 2>&1
check "the target still matches the manifest" [ $? -eq 0 ]
mv "$work/m.txt.odd_sales" "$work/gone"
out=$("$corrente" migrate verify "$src" --manifest "$work/m.txt" --manifest-side target 2>&1)
check "a schema's manifest missing: a mismatch, named" [ $? -eq 2 ]
also contains "$out" "odd_sales: MISMATCH: no manifest $work/m.txt.odd_sales"
out=$("$corrente" migrate sync "$src" 2>&1); check "sync puts it back" contains "$out" "sync odd_sales.t: 0 inserted, 1 updated, 0 deleted"
"$corrente" migrate diff "$src" >/dev/null 2>&1; check "diff of both schemas after sync: equal" [ $? -eq 0 ]
finish
