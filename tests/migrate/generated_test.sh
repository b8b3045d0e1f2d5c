#!/usr/bin/env bash
# Generated columns (issue #11 §1): SQLite (VIRTUAL/STORED, table_xinfo hidden 2/3) and
# MariaDB (VIRTUAL/PERSISTENT/STORED, information_schema GENERATION_EXPRESSION) become
# GENERATED ALWAYS AS (...) STORED where the expression translates exactly, else plain
# columns of the copied values with the reason in the plan. The copy and sync never write
# a generated column; verify, diff, sync and the manifest compare its values, which
# PostgreSQL computes.
set -uo pipefail
corrente="$1"
here="$(cd "$(dirname "$0")" && pwd)"
. "$here/common.sh"
. "$here/mariadb_env.sh"
# attname=attgenerated for the columns of a target table ('s' stored, '-' plain).
gen_of() { q "select string_agg(attname || '=' || coalesce(nullif(attgenerated::text, ''), '-'), ',' order by attnum) from pg_attribute where attrelid = '$1'::regclass and attnum > 0 and not attisdropped"; }

# --- SQLite -----------------------------------------------------------------------------
python3 - "$work/gen.db" <<'PY'
import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
c.executescript("""
create table persona (id integer primary key, nombre text, apellido text, n integer,
  precio real,
  completo text generated always as (nombre || ' ' || apellido) stored,
  doble integer generated always as (n * 2 + id) virtual,
  total real as (precio * n),
  mayus text as (upper(nombre)),
  "dos letras" text generated always as (substr(nombre, 1, 2)) virtual);
""")
c.executemany("insert into persona (id, nombre, apellido, n, precio) values (?,?,?,?,?)", [
    (1, 'José', 'Núñez', 3, 1.1), (2, None, 'Solo', None, None), (3, 'ana', 'B', -4, 0.25)])
c.commit()
PY
src="sqlite://$work/gen.db"
# A query's rows as PostgreSQL's concat_ws('|', ...) and string_agg(..., ';') print them.
sl() { python3 -c '
import sqlite3, sys
f = lambda v: repr(v)[:-2] if isinstance(v, float) and repr(v).endswith(".0") else str(v)
print(";".join("|".join(f(v) for v in r if v is not None) for r in sqlite3.connect(sys.argv[1]).execute(sys.argv[2])))' "$work/gen.db" "$1"; }

out=$("$corrente" migrate plan "$src" 2>&1); check "sqlite plan exits 0" [ $? -eq 0 ]
check "sqlite plan: || becomes a stored generated column" contains "$out" "\"completo\" text COLLATE \"C\" GENERATED ALWAYS AS \(\(\"nombre\" \|\| ' ' \|\| \"apellido\"\)\) STORED"
check "  arithmetic too" contains "$out" "\"doble\" bigint GENERATED ALWAYS AS \(\"n\" \* 2 \+ \"id\"\) STORED"
check "  upper as SQLite's ASCII-only upper" contains "$out" "GENERATED ALWAYS AS \(upper\(\"nombre\" COLLATE \"C\"\)\) STORED"
check "  the decision says PostgreSQL computes it" contains "$out" "total: REAL -> double precision; generated: PostgreSQL computes it"
check "  substr is not translated: a plain column, and the plan says why" contains "$out" "WARNING persona: column dos letras: generated column not translated \(function substr with these arguments\); carried as a plain column of its values"

out=$("$corrente" migrate copy "$src" --verify 2>&1); check "sqlite copy --verify exits 0" [ $? -eq 0 ] || echo "$out" | tail -5
check "sqlite copy: 3 rows, none rejected" contains "$out" "3 rows, 0 rejected"
check "sqlite verify: all match (PostgreSQL's computed values equal SQLite's)" contains "$out" "verify: all 1 tables match$"
check "the target's generated columns" [ "$(gen_of gen.persona)" = "id=-,nombre=-,apellido=-,n=-,precio=-,completo=s,doble=s,total=s,mayus=s,dos letras=-" ]
check "PostgreSQL computed what SQLite computed" [ "$(q "select string_agg(concat_ws('|', completo, doble, total, mayus, \"dos letras\"), ';' order by id) from gen.persona")" = "$(sl "select completo, doble, total, mayus, [dos letras] from persona order by id")" ]
check "  (upper leaves é alone, as SQLite does)" [ "$(q "select mayus from gen.persona where id = 1")" = "JOSé" ]

out=$("$corrente" migrate copy "$src" --schema gen_r --range-rows 1 --verify 2>&1)
check "sqlite copy in key ranges of one row skips the generated columns too" contains "$out" "verify: all 1 tables match$"
"$corrente" migrate copy "$src" --schema gen_m --manifest "$work/gen.manifest" >/dev/null 2>&1
check "copy --manifest exits 0" [ $? -eq 0 ]
"$corrente" migrate verify "$src" --schema gen_m --manifest "$work/gen.manifest" >/dev/null 2>&1
check "verify --manifest (target and source) passes" [ $? -eq 0 ]

# The source changes: diff and sync carry the base columns; PostgreSQL recomputes the rest.
python3 - "$work/gen.db" <<'PY'
import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
c.execute("update persona set n = 10, nombre = 'María' where id = 3")
c.execute("insert into persona (id, nombre, apellido, n, precio) values (4, 'Zoë', 'Q', 1, 2.5)")
c.execute("delete from persona where id = 2")
c.commit()
PY
"$corrente" migrate verify "$src" >/dev/null 2>&1; check "verify fails after the source changed" [ $? -eq 2 ]
out=$("$corrente" migrate diff "$src" --table persona 2>&1)
check "diff names the rows" [ "$(grep -E '^(missing|extra|changed) ' <<<"$out" | sort | tr '\n' ';')" = "changed id=3;extra id=2;missing id=4;" ]
out=$("$corrente" migrate sync "$src" 2>&1); check "sqlite sync exits 0" [ $? -eq 0 ] || echo "$out" | tail -5
check "sync: 1 inserted, 1 updated, 1 deleted" contains "$out" "sync persona: 1 inserted, 1 updated, 1 deleted"
check "the synced row's generated values recomputed" [ "$(q "select concat_ws('|', completo, doble, mayus) from gen.persona where id = 3")" = "María B|23|MARíA" ]
"$corrente" migrate verify "$src" >/dev/null 2>&1; check "verify after sync passes" [ $? -eq 0 ]
out=$("$corrente" migrate sync "$src" 2>&1); check "a second sync is a no-op" contains "$out" "sync persona: 0 inserted, 0 updated, 0 deleted"
check "a generated column cannot be written in the target" contains "$(q "update gen.persona set completo = 'x' where id = 1" 2>&1)" "can only be updated to DEFAULT"

# Comparisons, CASE/iif, integer division and remainder, '/' on doubles (issue #11 §1).
python3 - "$work/regla.db" <<'PY2'
import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
c.executescript("""
create table regla (id integer primary key, n integer, d integer, x real, t text,
  mayor integer as (n > d),
  cociente integer as (n / d),
  resto integer as (n % d) stored,
  signo text as (case when n > 0 then 'pos' when n < 0 then 'neg' else 'cero' end),
  elige real as (iif(t == 'a', x, n)),
  fdiv real as (x / d),
  ambos integer as (n > 0 and t is not null) stored,
  igual integer as (t is 'b'));
""")
c.executemany("insert into regla (id, n, d, x, t) values (?,?,?,?,?)", [
    (1, 7, 2, 1.5, 'a'), (2, -7, 2, -0.1, 'b'), (3, 7, -2, 2.0, None), (4, 5, 0, 3.25, 'a'),
    (5, None, 3, None, 'c'), (6, 0, None, 1e300, 'A'), (7, -9223372036854775807, 10, 0.3, 'b')])
c.commit()
PY2
rsrc="sqlite://$work/regla.db"
out=$("$corrente" migrate plan "$rsrc" 2>&1); check "sqlite plan (comparisons, CASE, division) exits 0" [ $? -eq 0 ]
check "  every generated column is translated (no warning)" lacks "$out" "generated column not translated"
check "  integer division as SQLite's, a zero divisor NULL" contains "$out" "\"cociente\" bigint GENERATED ALWAYS AS \(\(\"n\" / NULLIF\(\"d\", 0\)\)\) STORED"
check "  a comparison stored as its 1/0" contains "$out" "\"mayor\" bigint GENERATED ALWAYS AS \(\(\(\"n\" > \"d\"\)\)::integer\) STORED"
out=$("$corrente" migrate copy "$rsrc" --verify 2>&1); check "sqlite copy --verify (comparisons, CASE, division) exits 0" [ $? -eq 0 ] || echo "$out" | tail -5
check "  7 rows, none rejected" contains "$out" "7 rows, 0 rejected"
check "  verify: PostgreSQL computed every value SQLite did" contains "$out" "verify: all 1 tables match$"
check "  all eight are computed by PostgreSQL" [ "$(gen_of regla.regla)" = "id=-,n=-,d=-,x=-,t=-,mayor=s,cociente=s,resto=s,signo=s,elige=s,fdiv=s,ambos=s,igual=s" ]
rsl() { python3 -c '
import sqlite3, sys
print(";".join("|".join("" if v is None else str(v) for v in r) for r in sqlite3.connect(sys.argv[1]).execute(sys.argv[2])))' "$work/regla.db" "$1"; }
check "  the integer columns equal SQLite's, row by row" [ "$(q "select string_agg(concat_ws('|', id, coalesce(mayor::text, ''), coalesce(cociente::text, ''), coalesce(resto::text, ''), signo, coalesce(ambos::text, ''), igual), ';' order by id) from regla.regla")" = "$(rsl "select id, mayor, cociente, resto, signo, ambos, igual from regla order by id")" ]

# --- MariaDB ----------------------------------------------------------------------------
my_sql <<'SQL'
CREATE DATABASE tienda;
CREATE TABLE tienda.pedido (id INT PRIMARY KEY, nombre VARCHAR(20), apellido VARCHAR(20),
  qty INT, precio DECIMAL(10,2), f FLOAT,
  completo VARCHAR(41) AS (CONCAT(nombre, ' ', apellido)) VIRTUAL,
  total DECIMAL(12,2) AS (precio * qty) STORED,
  con_iva DECIMAL(12,2) AS (ROUND(precio * qty * 1.21, 2)) PERSISTENT,
  etiqueta VARCHAR(30) AS (LOWER(IFNULL(nombre, 'anon'))) VIRTUAL,
  grande BIGINT AS (qty * 1000000000) STORED,
  mitad DECIMAL(12,4) AS (precio / 2) STORED,
  fdoble DOUBLE AS (f * 2) VIRTUAL,
  KEY (total));
INSERT INTO tienda.pedido (id, nombre, apellido, qty, precio, f) VALUES
  (1, 'Ana', 'Pérez', 3, 9.99, 1.1), (2, NULL, 'X', NULL, NULL, NULL),
  (3, 'LUIS', 'B', 7, 0.05, -2.5), (4, 'Eva', 'C', 5, 123.45, 0);
SQL
check "MariaDB fixture loaded" [ $? -eq 0 ]
my_sql <<'SQL'
CREATE TABLE tienda.regla (id INT PRIMARY KEY, n INT, d INT, p DECIMAL(8,2), r DOUBLE,
  dia DATE, momento DATETIME, activo TINYINT(1),
  mayor INT AS (n > d) STORED,
  cociente BIGINT AS (n DIV d) VIRTUAL,
  resto INT AS (MOD(n, d)) VIRTUAL,
  tramo VARCHAR(10) AS (CASE WHEN p >= 100 THEN 'alto' WHEN p >= 10 THEN 'medio' ELSE 'bajo' END) STORED,
  neto DECIMAL(10,2) AS (IF(activo, p, 0)) STORED,
  rdiv DOUBLE AS (r / d) VIRTUAL,
  anio INT AS (YEAR(dia)) STORED,
  mes SMALLINT AS (MONTH(momento)) VIRTUAL,
  dia_de DATE AS (DATE(momento)) STORED,
  antes INT AS (dia < DATE(momento) OR n <=> d) VIRTUAL);
INSERT INTO tienda.regla (id, n, d, p, r, dia, momento, activo) VALUES
  (1, 7, 2, 150.00, 1.5, '2024-02-29', '2024-03-01 23:59:59', 1),
  (2, -7, 2, 10.00, -0.1, '1999-12-31', '1999-12-31 00:00:00', 0),
  (3, 7, -2, 9.99, 2, NULL, NULL, 1),
  (4, 5, 0, NULL, 3.25, '2000-01-01', '2038-01-19 03:14:08', NULL),
  (5, NULL, NULL, 0.01, NULL, '1000-01-01', '9999-12-31 23:59:59', 0);
SQL
check "MariaDB fixture with comparisons, CASE, DIV and dates loaded" [ $? -eq 0 ]
msrc="mysql://corrente:corrente@127.0.0.1:$port/tienda"
out=$("$corrente" migrate plan "$msrc" 2>&1); check "mariadb plan exits 0" [ $? -eq 0 ]
check "CONCAT -> ||" contains "$out" "\"completo\" varchar\(41\) GENERATED ALWAYS AS \(\(\"nombre\" \|\| ' ' \|\| \"apellido\"\)\) STORED"
check "decimal arithmetic" contains "$out" "\"total\" numeric\(12,2\) GENERATED ALWAYS AS \(\"precio\" \* \"qty\"::bigint\) STORED"
check "ROUND on exact numbers" contains "$out" "GENERATED ALWAYS AS \(round\(\(\"precio\" \* \"qty\"::bigint \* 1.21\)::numeric, 2\)\) STORED"
check "LOWER(IFNULL(...))" contains "$out" "GENERATED ALWAYS AS \(lower\(COALESCE\(\"nombre\", 'anon'\) COLLATE \"C.utf8\"\)\) STORED"
check "integers computed as 64-bit, as MySQL does" contains "$out" "\"grande\" bigint GENERATED ALWAYS AS \(\"qty\"::bigint \* 1000000000\) STORED"
check "'/' of exact numbers into scale 4: computed as MariaDB does (cut after 9 decimals)" contains "$out" "\"mitad\" numeric\(12,4\) GENERATED ALWAYS AS \(\(div\(\(\"precio\"\)::numeric \* 1000000000, NULLIF\(\(2\)::numeric, 0\)\) \* 0.000000001\)\) STORED"
check "FLOAT arithmetic stays a plain column, with the reason" contains "$out" "WARNING pedido: column fdoble: generated column not translated \(MySQL computes with FLOAT column f's 4-byte value\)"

out=$("$corrente" migrate copy "$msrc" --verify 2>&1); check "mariadb copy --verify exits 0" [ $? -eq 0 ] || echo "$out" | tail -5
check "mariadb copy: 9 rows, none rejected" contains "$out" " 9 rows, 0 rejected"
check "mariadb verify: all match (PostgreSQL's computed values equal MariaDB's)" contains "$out" "verify: all 2 tables match$"
check "comparisons, CASE, IF, DIV, MOD, '/' on doubles and dates: PostgreSQL computes them all" [ "$(gen_of tienda.regla)" = "id=-,n=-,d=-,p=-,r=-,dia=-,momento=-,activo=-,mayor=s,cociente=s,resto=s,tramo=s,neto=s,rdiv=s,anio=s,mes=s,dia_de=s,antes=s" ]
my_vals=$(my_sql -N -e "select concat_ws('|', id, ifnull(mayor, ''), ifnull(cociente, ''), ifnull(resto, ''), tramo, ifnull(neto, ''), ifnull(anio, ''), ifnull(mes, ''), ifnull(dia_de, ''), ifnull(antes, '')) from tienda.regla order by id" | tr '\n' ';')
check "  their values equal MariaDB's, row by row" [ "$(q "select string_agg(concat_ws('|', id, coalesce(mayor::text, ''), coalesce(cociente::text, ''), coalesce(resto::text, ''), tramo, coalesce(neto::text, ''), coalesce(anio::text, ''), coalesce(mes::text, ''), coalesce(dia_de::text, ''), coalesce(antes::text, '')), ';' order by id) || ';' from tienda.regla")" = "$my_vals" ]
check "the target's generated columns" [ "$(gen_of tienda.pedido)" = "id=-,nombre=-,apellido=-,qty=-,precio=-,f=-,completo=s,total=s,con_iva=s,etiqueta=s,grande=s,mitad=s,fdoble=-" ]
my_vals=$(my_sql -N -e "select concat_ws('|', id, completo, total, con_iva, etiqueta, grande, mitad) from tienda.pedido order by id" | tr '\n' ';')
check "PostgreSQL computed what MariaDB computed" [ "$(q "select string_agg(concat_ws('|', id, completo, total, con_iva, etiqueta, grande, mitad), ';' order by id) || ';' from tienda.pedido")" = "$my_vals" ]
check "the index on a generated column is built" [ "$(q "select count(*) from pg_indexes where schemaname = 'tienda' and tablename = 'pedido' and indexdef like '%(total)%'")" = "1" ]

my_sql tienda -e "UPDATE pedido SET qty = 100, precio = 0.33 WHERE id = 1; INSERT INTO pedido (id, nombre, apellido, qty, precio, f) VALUES (5, 'Íñigo', 'D', 2, 1.00, 3); DELETE FROM pedido WHERE id = 2;"
out=$("$corrente" migrate sync "$msrc" 2>&1); check "mariadb sync exits 0" [ $? -eq 0 ] || echo "$out" | tail -5
check "mariadb sync: 1 inserted, 1 updated, 1 deleted" contains "$out" "sync pedido: 1 inserted, 1 updated, 1 deleted"
my_vals=$(my_sql -N -e "select concat_ws('|', id, completo, total, con_iva, etiqueta, grande, mitad) from tienda.pedido order by id" | tr '\n' ';')
check "after sync PostgreSQL's values equal MariaDB's" [ "$(q "select string_agg(concat_ws('|', id, completo, total, con_iva, etiqueta, grande, mitad), ';' order by id) || ';' from tienda.pedido")" = "$my_vals" ]
"$corrente" migrate verify "$msrc" >/dev/null 2>&1; check "mariadb verify after sync passes" [ $? -eq 0 ]
q "update tienda.pedido set qty = 8 where id = 3" >/dev/null
out=$("$corrente" migrate diff "$msrc" --table pedido 2>&1); check "a base column changed in the target: diff sees it" [ "$(grep -E '^(missing|extra|changed) ' <<<"$out")" = "changed id=3" ]
out=$("$corrente" migrate sync "$msrc" 2>&1); check "  and sync puts it back" contains "$out" "sync pedido: 0 inserted, 1 updated, 0 deleted"
check "  with its generated values" [ "$(q "select total || ' ' || grande from tienda.pedido where id = 3")" = "0.35 7000000000" ]

finish
