#!/usr/bin/env bash
# corrente migrate on a hostile-but-realistic MariaDB (tests/migrate/messy_mysql.sql): FLOAT
# and BIT(64) values that were changed silently, an FK index named like a table (the copy
# stopped), a system-versioned table (left out silently), charsets the server converts, an
# enum's error value '', AUTO_INCREMENT past the maximum, views, triggers and routines
# reported; every value compared with MariaDB's own, then verify, diff and sync.
set -uo pipefail
corrente="$1"
here="$(cd "$(dirname "$0")" && pwd)"
. "$here/common.sh"
. "$here/mariadb_env.sh"
my_sql --default-character-set=utf8mb4 <"$here/messy_mysql.sql"; check "fixture loaded" [ $? -eq 0 ]
src="mysql://corrente:corrente@127.0.0.1:$port/messy"
my_q() { my_sql --default-character-set=utf8mb4 -N messy -e "$1"; }

out=$("$corrente" migrate plan "$src" 2>&1); check "plan exits 0" [ $? -eq 0 ]
check "FLOAT read as its exact value" contains "$out" "f: float -> double precision \(float4 read as its exact value"
check "BIT(64) -> numeric(20,0)" contains "$out" "b64: bit\(64\) -> numeric\(20,0\)"
check "the FK index named like table dept renamed" contains "$out" "WARNING emp: index dept renamed emp_dept"
check "system-versioned table planned, history said" contains "$out" "WARNING versioned: system-versioned: its current rows are copied, not its history"
check "partitioned table said" contains "$out" "WARNING parts: partitioned in the source: copied as one table"
check "cp1251 converted by the server" contains "$out" "ru: varchar\(10\) -> varchar\(10\) \[cp1251 converted to UTF-8 by the server\]"
check "utf16 converted by the server" contains "$out" "u16: varchar\(10\) -> varchar\(10\) \[utf16 converted to UTF-8 by the server\]"
check "enum's '' allowed and said" contains "$out" "CHECK \(\"e\" IN \('a', 'b', ''\)\)"
check "MariaDB UUID -> uuid" contains "$out" "g: uuid -> uuid"
check "INET6 carried as its text, said" contains "$out" "WARNING modern: column i6: type inet6 has no exact equivalent; carried as text"
check "system column names renamed" contains "$out" "WARNING bbox: column xmin renamed xmin_[0-9a-f]{8} \(a PostgreSQL system column name"
also contains "$out" "WARNING bbox: column xmax renamed xmax_ \(a PostgreSQL system column name"
check "view reported" contains "$out" "WARNING view v_emp is not copied"
check "trigger reported" contains "$out" "WARNING trigger trg \(BEFORE INSERT on dept\) is not carried"
check "procedure reported" contains "$out" "WARNING procedure p1 is not carried"
check "MariaDB sequence reported, not copied as a table" contains "$out" "WARNING sequence seq_pedido \(MariaDB\) is not carried"

out=$("$corrente" migrate copy "$src" --verify --manifest "$work/messy.manifest" 2>&1); rc=$?
check "copy --verify exits 0" [ $rc -eq 0 ]
check "all 17 tables match" contains "$out" "verify: all 17 tables match"
check "nothing refused" contains "$out" "0 rejected"
[ $rc -eq 0 ] || echo "$out" | tail -30
out=$("$corrente" migrate verify "$src" --manifest "$work/messy.manifest" 2>&1)
check "the SHA-256 manifest re-checks from the target and from the source" [ $? -eq 0 ]
also contains "$out" "manifest: every table matches"

# Values, row by row against MariaDB's own. Doubles compared as numbers (PostgreSQL prints
# 3.4028234663852886e+38 where MariaDB prints ...e38).
same_floats() {  # same_floats "id|value,..." "id|value,..."
  python3 -c 'import sys
a, b = ([(int(i), None if v in ("", "NULL") else float(v)) for i, v in (r.split("|") for r in s.split(","))] for s in sys.argv[1:])
sys.exit(0 if a == b else 1)' "$1" "$2"
}
pg_f=$(q "select string_agg(id || '|' || coalesce(f::text, ''), ',' order by id) from messy.nums")
my_f=$(my_q "select concat(id, '|', coalesce(f + 0e0, '')) from nums order by id" | paste -sd,)
check "FLOAT values exact (1234567, not MySQL's printed 1234570)" same_floats "$pg_f" "$my_f"
also [ "$(q 'select f from messy.nums where id = 1')" = "1234567" ]
also [ "$(q 'select f from messy.nums where id = 5')" = "0.10000000149011612" ]
check "FLOAT UNSIGNED 16777217 is the float 16777216" [ "$(q 'select fu from messy.nums where id = 5')" = "16777216" ]
pg_d=$(q "select string_agg(id || '|' || coalesce(d::text, ''), ',' order by id) from messy.nums")
my_d=$(my_q "select concat(id, '|', coalesce(d, '')) from nums order by id" | paste -sd,)
check "DOUBLE values exact (subnormal, max)" same_floats "$pg_d" "$my_d"
check "BIT(64) unsigned values" [ "$(q "select string_agg(coalesce(b64::text, 'null'), ',' order by id) from messy.nums")" = "$(my_q "select group_concat(coalesce(b64 + 0, 'null') order by id) from nums")" ]
also [ "$(q 'select b64 from messy.nums where id = 1')" = "18446744073709551615" ]
check "unsigned maxima and DECIMAL(65,30)" [ "$(q "select string_agg(concat_ws('|', ut, us, um, ui, ub, b8, dec65), ',' order by id) from messy.nums")" = "$(my_q "select group_concat(concat_ws('|', ut, us, um, ui, ub, b8 + 0, dec65) order by id) from nums")" ]
check "TIME past 24 h, negative, fractions" [ "$(q "select string_agg(t::text, ',' order by id) from messy.dates")" = "838:59:59,-838:59:59,-00:00:01.5,100:00:00.000001" ]
check "DATETIME(6) and TIMESTAMP(6) fractions" [ "$(q "select dt6 || '|' || ts from messy.dates where id = 3")" = "9999-12-31 23:59:59.999999|2038-01-19 03:14:07.999999+00" ]
check "zero dates (with a zero month or day) NULL, each with a note" [ "$(q "select string_agg(source_key || ':' || column_name, ',' order by source_key, column_name) from staging.migration_notes where target_schema = 'messy' and table_name = 'dates'")" = "id=1:d,id=1:dt6,id=1:ts,id=2:d,id=2:dt6" ]
check "binary kept with its trailing zero bytes" [ "$(q "select string_agg(encode(b, 'hex') || '/' || encode(vb, 'hex'), ',' order by id) from messy.bins")" = "$(my_q "select group_concat(lower(hex(b)), '/', lower(hex(vb)) order by id) from bins")" ]
check "CHAR as MySQL reads it (trailing spaces off), VARCHAR kept, 4-byte UTF-8" [ "$(q "select string_agg(c || '|' || vc || '|', ',' order by id) from messy.bins")" = "ab|ab   |,||,é😀|😀🇪🇸𝄞|" ]
check "LONGBLOB of 3 MB exact" [ "$(q "select md5(lb) from messy.bins where id = 2")" = "$(my_q "select md5(lb) from bins where id = 2")" ]
check "reserved-word columns, composite key, table name with a dot and a space" [ "$(q "select string_agg(concat_ws('|', \"user\", \"order\", \"group\", \"Select\", \"col with space\"), ',' order by 1, 2) from messy.\"Weird Table.Name\"")" = "1|1|a|x|1,1|2|b|y|2,2|1" ]
check "key-less duplicates kept" [ "$(q "select count(*) || '/' || count(*) filter (where a is null) from messy.dupes")" = "5/2" ]
check "system-versioned table: current rows" [ "$(q "select string_agg(id || ':' || v, ',' order by id) from messy.versioned")" = "1:3,2:2" ]
check "invisible column carried" [ "$(q "select secret from messy.invis")" = "shh" ]
check "enum error value '' carried" [ "$(q "select '[' || e || ']' from messy.en where id = 2")" = "[]" ]
check "  and the CHECK still refuses a non-member" [ "$(q "insert into messy.en values (9, 'zzz', '')" 2>&1 | grep -c 'violates check constraint')" = "1" ]
check "cp1251, latin2, utf16 (with an emoji) decoded" [ "$(q "select string_agg(concat_ws('|', id, ru, l2, u16), ',' order by id collate \"C\") from messy.cs")" = "z,é|мир|ż|x,€|Привет|Łódź|héllo😀" ]
check "UUID, INET6, ZEROFILL, JSON values" [ "$(q "select string_agg(concat_ws('|', id, pg_typeof(g), g, i6, z, js), ',' order by id) from messy.modern")" = '1|uuid|123e4567-e89b-12d3-a456-426614174000|2001:db8::1|42|{"a": 1.50, "b": [1, 2]},2|uuid|::ffff:1.2.3.4' ]
check "bbox under its new column names" [ "$(q "select string_agg(column_name::text, ',' order by ordinal_position) from information_schema.columns where table_schema = 'messy' and table_name = 'bbox'" | sed -E 's/xmin_[0-9a-f]{8}/XMIN/')|$(q "select concat_ws('|', id, xmax_, ctid_, xmin_) from messy.bbox")" = "id,XMIN,ymin,xmax_,ctid_,xmin_|1|1|7|8" ]
check "  its CHECK follows the new names, enforced" [ "$(q "select pg_get_constraintdef(oid) from pg_constraint where conrelid = 'messy.bbox'::regclass and contype = 'c'" | sed -E 's/xmin_[0-9a-f]{8}/XMIN/')|$(q "update messy.bbox set xmax_ = -9" 2>&1 | grep -c 'violates check constraint')" = "CHECK ((xmax_ >= XMIN))|1" ]
check "table dept and index emp_dept both built" [ "$(q "select count(*) from pg_class c join pg_namespace n on n.oid = c.relnamespace where nspname = 'messy' and ((relname = 'dept' and relkind = 'r') or (relname = 'emp_dept' and relkind = 'i'))")" = "2" ]
check "FK actions kept (CASCADE, SET NULL, RESTRICT) and the cycle" [ "$(q "select string_agg(conrelid::regclass || ':' || confdeltype::text, ',' order by 1) from pg_constraint where contype = 'f' and connamespace = 'messy'::regnamespace")" = "messy.dept:c,messy.emp:n,messy.emp:r" ]
check "AUTO_INCREMENT 1000 carried: the next id is 1000, not 4" [ "$(q "with i as (insert into messy.emp (boss) values (1) returning id) select id from i")" = "1000" ]
q "delete from messy.emp where id = 1000" >/dev/null
check "CHECKs translated and enforced" [ "$(q "insert into messy.checks values (2, 5, 1)" 2>&1 | grep -c 'violates check constraint')" = "1" ]
check "string DEFAULTs with MariaDB's escapes (it's, a\\b, a newline, q'q) as MariaDB gives them" [ "$(q "with i as (insert into messy.defs (id) values (2) returning g, h, k, m) select encode(convert_to(concat_ws('|', g, h, k, m), 'UTF8'), 'hex') from i")" = "$(my_q "select lower(hex(concat_ws('|', g, h, k, m))) from defs where id = 1")" ]
also [ "$(q "select h from messy.defs where id = 2")" = 'a\b' ]
q "delete from messy.defs where id = 2" >/dev/null
check "DEFAULT CURRENT_TIMESTAMP(6) carried, uuid() left out with a warning" contains "$(q "select column_name || ':' || coalesce(column_default, '-') from information_schema.columns where table_schema = 'messy' and table_name = 'defs' order by ordinal_position" | tr '\n' ' ')" "a:\(CURRENT_TIMESTAMP AT TIME ZONE 'UTC'::text\) b:- c:- e:'y'::text"

# diff and sync on the latin1 text key (source order converted to UTF-8 bytes), the FLOAT and
# BIT(64) columns and the composite key.
out=$("$corrente" migrate diff "$src" --table cs 2>&1); check "diff cs: equal (latin1 key order agrees)" [ $? -eq 0 ]
[ -n "$(grep -E '^(missing|extra|changed) ' <<<"$out")" ] && echo "$out" | tail
out=$("$corrente" migrate diff "$src" --table nums 2>&1); check "diff nums: equal" [ $? -eq 0 ]
my_q "UPDATE cs SET ru = 'Пока' WHERE id = '€'; INSERT INTO cs VALUES ('ä', 'да', NULL, NULL);
  UPDATE nums SET f = 7654321, b64 = b'1111111111111111111111111111111111111111111111111111111111111110' WHERE id = 2;
  INSERT INTO emp (boss, dept) VALUES (1, 10); UPDATE bbox SET xmin = -4, xmax = 2; UPDATE \`Weird Table.Name\` SET \`group\` = 'c' WHERE \`user\` = 1 AND \`order\` = 2;"
out=$("$corrente" migrate diff "$src" --table cs 2>&1); check "diff cs names the changes" [ "$(grep -E '^(missing|extra|changed) ' <<<"$out" | sort | tr '\n' ' ')" = "changed id=€ missing id=ä " ]
out=$("$corrente" migrate sync "$src" 2>&1); rc=$?; check "sync exits 0" [ $rc -eq 0 ]
[ $rc -eq 0 ] || grep -v '"level":"info"' <<<"$out" | tail -20
check "sync cs: 1 inserted, 1 updated" contains "$out" "sync cs: 1 inserted, 1 updated, 0 deleted"
check "sync bbox: 1 updated" contains "$out" "sync bbox: 0 inserted, 1 updated, 0 deleted"
check "sync nums: 1 updated" contains "$out" "sync nums: 0 inserted, 1 updated, 0 deleted"
check "sync emp: the id MariaDB gave (1000)" [ "$(q "select string_agg(id::text, ',' order by id) from messy.emp")" = "1,2,3,1000" ]
check "  and the identity continues past it" [ "$(q "select nextval(pg_get_serial_sequence('messy.emp', 'id'))")" = "1001" ]
check "synced values" [ "$(q "select (select ru from messy.cs where id = '€') || '|' || (select ru from messy.cs where id = 'ä') || '|' || f || '|' || b64 || '|' || (select \"group\" from messy.\"Weird Table.Name\" where \"user\" = 1 and \"order\" = 2) from messy.nums where id = 2")" = "Пока|да|7654321|18446744073709551614|c" ]
out=$("$corrente" migrate verify "$src" 2>&1); rc=$?; check "verify after sync" [ $rc -eq 0 ]
[ $rc -eq 0 ] || grep -v '"level":"info"' <<<"$out" | tail -20
out=$("$corrente" migrate sync "$src" 2>&1); rc=$?
noop=$(grep -c ": 0 inserted, 0 updated, 0 deleted" <<<"$out")
check "second sync is a no-op" [ $rc -eq 0 ] && also [ "$noop" = "17" ]
# What it changed, or its error.
[ $rc -eq 0 ] && [ "$noop" = 17 ] || grep -v '"level":"info"' <<<"$out" | grep -v ": 0 inserted, 0 updated, 0 deleted" | tail -20
finish
