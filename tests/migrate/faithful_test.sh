#!/usr/bin/env bash
# corrente migrate on messy SQLite files (issue #11 §1): a declared type is only an affinity
# (values scanned, the narrowest exact type chosen, --strict keeps the declared one), a
# DEFAULT PostgreSQL cannot take, text that is not UTF-8 (--invalid-text), a btree index
# whose entries are too large, and verify failing on refused rows unless --accept-rejects.
set -uo pipefail
corrente="$1"
. "$(dirname "$0")/common.sh"
trap cleanup_db EXIT
export CORRENTE_LOG_FORMAT=json

# The DATETIME of the issue: 0, a timestamp, a bare year and NULL, with DEFAULT 0; text in
# an INTEGER and in a REAL; a TEXT value with an invalid byte.
python3 - "$work/messy.db" <<'PY'
import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
c.executescript("""
create table evento (id integer primary key, cuando datetime default 0, n integer,
                     precio real, nota text, alta date default 'mañana');
create table limpio (id integer primary key, cuando datetime default current_timestamp,
                     n integer default 7);
""")
c.executemany("insert into evento values (?,?,?,?,?,?)", [
    (1, 0, 5, 1.5, 'a', '2024-01-01'),
    (2, '2024-01-05 10:00:00', 'muchos', 2, 'b', '2024-01-02'),
    (3, 2024, 7, 'n/a', None, None),
    (4, None, None, None, None, None)])
c.execute("insert into evento values (5, '2024-02-01 00:00:00', 9, 3.25, cast(x'41ff42' as text), null)")
c.executemany("insert into limpio values (?,?,?)", [(1, '2024-01-01 00:00:00', 1), (2, None, None)])
c.commit()
PY
src="sqlite://$work/messy.db"
sum_before=$(sha256sum "$work/messy.db")

out=$("$corrente" migrate plan "$src" 2>&1); check "plan exits 0" [ $? -eq 0 ]
check "plan: the mixed DATETIME is kept as text, and says why" contains "$out" "cuando: datetime -> timestamp.*; values scanned: 2 numbers \(e.g. 0\) beside 2 text values -> text COLLATE \"C\", every value kept exactly \(--strict keeps timestamp without time zone and refuses them\)"
check "plan: text in an INTEGER -> text" contains "$out" "n: INTEGER -> bigint.*values scanned: 1 of 4 sampled values \(e.g. 'muchos'\) do not fit bigint -> text"
check "plan: text in a REAL -> text" contains "$out" "precio: REAL -> double precision.*'n/a'.* -> text"
check "plan: a clean DATETIME stays a timestamp" contains "$out" "cuando: datetime -> timestamp without time zone \(no shift; integers read as Unix ms\)$"
check "plan: DEFAULT 0 on the (text) column is the text '0'" contains "$out" "\"cuando\" text COLLATE \"C\" DEFAULT '0'"
check "plan: a DEFAULT that is no date is left out, with a warning" contains "$out" "WARNING evento: column alta: DEFAULT 'mañana' is not a date value PostgreSQL can take as written; left out"
check "plan: each widening is a warning too" contains "$out" "WARNING evento: column cuando: 2 numbers"
out=$("$corrente" migrate plan "$src" --strict 2>&1)
check "plan --strict keeps the declared types" contains "$out" "\"cuando\" timestamp without time zone, \"n\" bigint, \"precio\" double precision"

out=$("$corrente" migrate copy "$src" 2>&1); check "copy exits 0" [ $? -eq 0 ]
check "copy: only the invalid UTF-8 row refused" contains "$out" "6 rows, 1 rejected"
check "every value kept exactly" [ "$(q "select string_agg(id || ':' || coalesce(cuando, '-') || ':' || coalesce(n, '-') || ':' || coalesce(precio, '-'), ',' order by id) from messy.evento")" = "1:0:5:1.5,2:2024-01-05 10:00:00:muchos:2.0,3:2024:7:n/a,4:-:-:-" ]
check "column types" [ "$(q "select string_agg(data_type, ',' order by ordinal_position) from information_schema.columns where table_schema = 'messy' and table_name = 'evento'")" = "bigint,text,text,text,text,date" ]
check "defaults: '0' kept, the bad one left out" [ "$(q "select string_agg(column_name || '=' || coalesce(column_default, '-'), ',' order by ordinal_position) from information_schema.columns where table_schema = 'messy' and table_name = 'evento' and column_name in ('cuando', 'alta')")" = "cuando='0'::text,alta=-" ]
check "the reject names the row and the reason" [ "$(q "select source_key || ' ' || reason from staging.migration_rejects where target_schema = 'messy'")" = "id=5 invalid UTF-8 in column nota" ]
check "source untouched" [ "$(sha256sum "$work/messy.db")" = "$sum_before" ]

out=$("$corrente" migrate verify "$src" 2>&1); rc=$?
check "verify fails on the refused row (exit 2)" [ $rc -eq 2 ]
check "verify lists its key" contains "$out" "1 source rows refused at copy, not in the target \(keys id=5 in staging.migration_rejects\); --accept-rejects accepts them"
check "verify does not say all tables match" lacks "$out" "all 2 tables match"
out=$("$corrente" migrate verify "$src" --accept-rejects 2>&1); check "verify --accept-rejects exits 0" [ $? -eq 0 ]
check "and the report says the rows were accepted" contains "$out" "all 2 tables match, except 1 refused rows accepted with --accept-rejects"
out=$("$corrente" migrate verify "$src" --accept-rejects --json 2>/dev/null)
check "verify --json marks the accepted rejects" [ "$(python3 -c 'import json,sys; d=json.load(sys.stdin); print([(t["table"], t["rejects_accepted"]) for t in d["tables"]])' <<<"$out")" = "[('evento', True), ('limpio', False)]" ]

# --invalid-text escape: the row is carried, its invalid byte as \xFF, and verify (under the
# same policy) passes without accepting anything.
out=$("$corrente" migrate copy "$src" --fresh --invalid-text escape --verify 2>&1); rc=$?
check "copy --invalid-text escape --verify exits 0" [ $rc -eq 0 ]
check "no row refused" contains "$out" "7 rows, 0 rejected"
check "all tables match" contains "$out" "verify: all 2 tables match$"
check "the invalid byte escaped" [ "$(q "select nota from messy.evento where id = 5")" = 'A\xFFB' ]
check "a note says so" [ "$(q "select source_key || ' ' || note from staging.migration_notes where target_schema = 'messy'")" = 'id=5 invalid UTF-8 in column nota escaped as \xNN' ]
"$corrente" migrate verify "$src" --invalid-text escape >/dev/null 2>&1; check "verify under the same policy passes" [ $? -eq 0 ]
check "the copy recorded its policy" [ "$(q "select invalid_text from staging.migration_options where target_schema = 'messy'")" = "escape" ]
out=$("$corrente" migrate verify "$src" 2>&1); check "verify without the flag takes the recorded policy and passes" [ $? -eq 0 ]
check "  and says so" contains "$out" "schema messy: the copy's mapping options: --zero-dates null --invalid-text escape"
"$corrente" migrate verify "$src" --invalid-text reject >/dev/null 2>&1; check "verify given the reject policy does not (the row would not be there)" [ $? -eq 2 ]
# --invalid-text bytea: the text column whose scanned values are not all UTF-8 becomes bytea,
# every value kept as its bytes; verify (the policy recorded) passes.
out=$("$corrente" migrate plan "$src" --invalid-text bytea 2>&1)
check "plan --invalid-text bytea: nota becomes bytea, and says why" contains "$out" "nota: .*[0-9]+ of [0-9]+ sampled values are not UTF-8 -> bytea \(--invalid-text bytea\)"
out=$("$corrente" migrate copy "$src" --schema raw --invalid-text bytea --verify 2>&1); rc=$?
check "copy --invalid-text bytea --verify exits 0" [ $rc -eq 0 ] || echo "$out" | tail -5
check "  no row refused" contains "$out" "7 rows, 0 rejected"
check "  the bytes kept exactly, the valid text as its UTF-8" [ "$(q "select string_agg(encode(nota, 'hex'), ',' order by id) from raw.evento where nota is not null")" = "$(python3 -c "import sqlite3,sys; print(','.join(r[0].hex() for r in sqlite3.connect(sys.argv[1]).execute('select cast(nota as blob) from evento where nota is not null order by id')))" "$work/messy.db")" ]
"$corrente" migrate verify "$src" --schema raw >/dev/null 2>&1; check "  verify with the recorded policy passes" [ $? -eq 0 ]
check "--invalid-text is stated in --help with its default" contains "$("$corrente" migrate copy --help 2>&1)" "--invalid-text TEXT=reject"

# --strict: the declared types, and the rows they cannot hold refused (and listed).
out=$("$corrente" migrate copy "$src" --schema strict --strict 2>&1); check "copy --strict exits 0" [ $? -eq 0 ]
check "copy --strict: the rows the types cannot hold are refused" [ "$(q "select string_agg(source_key || ' ' || reason, ', ' order by source_key) from staging.migration_rejects where target_schema = 'strict'")" = "id=2 not an integer: muchos, id=3 not a number: n/a, id=5 invalid UTF-8 in column nota" ]
out=$("$corrente" migrate verify "$src" --schema strict --strict 2>&1)
check "verify --strict lists the three keys" contains "$out" "3 source rows refused at copy, not in the target \(keys id=2, id=3, id=5 in"
out=$("$corrente" migrate verify "$src" --schema strict 2>&1)
check "  so does verify without --strict (recorded by the copy)" contains "$out" "3 source rows refused at copy, not in the target \(keys id=2, id=3, id=5 in"

# A btree index whose entries are too large for a page: rebuilt as a hash index (one
# column) or an md5 expression index (unique), and reported.
python3 - "$work/big.db" <<'PY'
import os, sqlite3, sys
c = sqlite3.connect(sys.argv[1])
c.executescript("""
create table doc (id integer primary key, cuerpo text, ref text);
create index doc_cuerpo on doc (cuerpo);
create unique index doc_ref on doc (ref);
""")
c.executemany("insert into doc values (?,?,?)",
              [(i, os.urandom(6000).hex(), os.urandom(6000).hex()) for i in range(1, 4)])
c.execute("insert into doc values (4, 'corto', 'corto')")
c.commit()
PY
out=$("$corrente" migrate copy "sqlite://$work/big.db" --verify 2>&1); check "copy with oversize index entries exits 0" [ $? -eq 0 ]
check "reported: rebuilt as a hash index" contains "$out" "doc: index doc_cuerpo: a value is too large for a btree entry \(index row .*\); rebuilt as a hash index"
check "reported: unique rebuilt on md5" contains "$out" "doc: index doc_ref: a value is too large .*rebuilt as a unique btree index on md5 of each column"
check "the hash index exists" contains "$(q "select indexdef from pg_indexes where schemaname = 'big' and indexname = 'doc_cuerpo'")" "USING hash \(cuerpo\)"
check "the md5 index is unique and enforced" [ "$(q "insert into big.doc select 99, 'y', ref from big.doc where id = 1" 2>&1 | grep -c 'doc_ref')$(q "insert into big.doc values (100, 'z', 'nuevo')" 2>&1 | grep -c 'doc_ref')" = "10" ]
check "lookups can use the hash index" contains "$(q "set enable_seqscan = off; explain select id from big.doc where cuerpo = 'corto'")" "doc_cuerpo"

# Names equal within PostgreSQL's 63 bytes: two columns and two tables get a cut name and a
# short hash (the same in every command), listed in the plan; --rename chooses one by hand.
python3 - "$work/names.db" <<'PY'
import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
a, b = 'x' * 64 + '_alpha', 'x' * 64 + '_beta'
c.executescript(f"""
create table datos (id integer primary key, "{a}" integer, "{b}" text);
create table "{'t' * 64}_uno" (id integer primary key, v text);
create table "{'t' * 64}_dos" (id integer primary key, v text);
insert into datos values (1, 10, 'diez'), (2, 20, 'veinte');
insert into "{'t' * 64}_uno" values (1, 'a');
insert into "{'t' * 64}_dos" values (1, 'b'), (2, 'c');
""")
c.commit()
PY
names="sqlite://$work/names.db"
out=$("$corrente" migrate plan "$names" 2>&1); check "plan with long alike names exits 0" [ $? -eq 0 ]
check "plan lists the column renames" [ "$(grep -c 'WARNING datos: column x\{64\}_[a-z]* renamed x\{54\}_[0-9a-f]\{8\} (one name with another' <<<"$out")" = "2" ]
check "plan lists the table renames" [ "$(grep -c 'renamed t\{54\}_[0-9a-f]\{8\} (one name' <<<"$out")" = "2" ]
out=$("$corrente" migrate copy "$names" --verify 2>&1); check "copy --verify with renamed names exits 0" [ $? -eq 0 ]
check "all 3 tables match" contains "$out" "all 3 tables match"
check "the renamed columns hold their values" [ "$(q "select string_agg(column_name, ',' order by ordinal_position) from information_schema.columns where table_schema = 'names' and table_name = 'datos'" | sed -E 's/x{54}_[0-9a-f]{8}/X/g')" = "id,X,X" ]
check "two renamed tables" [ "$(q "select count(*) from pg_tables where schemaname = 'names' and tablename ~ '^t{54}_[0-9a-f]{8}$'")" = "2" ]
python3 -c "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute('insert into datos values (3, 30, \'treinta\')'); c.commit()" "$work/names.db"
out=$("$corrente" migrate sync "$names" 2>&1); check "sync with renamed names" contains "$out" "sync datos: 1 inserted, 0 updated, 0 deleted"
out=$("$corrente" migrate diff "$names" --table datos 2>&1); check "diff after sync: equal" [ $? -eq 0 ]
out=$("$corrente" migrate copy "$names" --schema names2 --rename datos.${x64:=$(printf 'x%.0s' $(seq 64))}_alpha=alfa --verify 2>&1)
check "--rename chooses a name" [ "$(q "select string_agg(column_name, ',' order by ordinal_position) from information_schema.columns where table_schema = 'names2' and table_name = 'datos'" | sed -E 's/x{54}_[0-9a-f]{8}/X/g')" = "id,alfa,X" ]
check "and verify agrees" contains "$out" "all 3 tables match"
out=$("$corrente" migrate verify "$names" --schema names2 2>&1); check "verify without repeating --rename (the copy recorded it)" [ $? -eq 0 ]
python3 -c "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute('insert into datos values (4, 40, \'cuarenta\')'); c.commit()" "$work/names.db"
out=$("$corrente" migrate sync "$names" --schema names2 2>&1); check "  sync too, into the chosen name" [ "$(q "select alfa from names2.datos where id = 4")" = "40" ]

# --invalid-text bytea with the only invalid bytes past the plan's 100,000-row sample: the
# plan and the copy check every row's text, so the column is found and becomes bytea.
python3 - "$work/late.db" <<'PY'
import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
c.execute("create table tarde (id integer primary key, nota text, limpia text)")
c.executemany("insert into tarde values (?,?,?)", ((i, "fila %d" % i, "ok") for i in range(1, 100011)))
c.execute("update tarde set nota = cast(x'41ff42' as text) where id = 100007")
c.commit()
PY
late="sqlite://$work/late.db"
out=$("$corrente" migrate plan "$late" --invalid-text bytea 2>&1); check "plan --invalid-text bytea exits 0" [ $? -eq 0 ]
check "  the column whose invalid bytes come past the sample becomes bytea, and says so" contains "$out" "nota: .*1 value past the 100000 sampled rows is not UTF-8 \(the full check\) -> bytea \(--invalid-text bytea\)"
check "  the clean column stays text" contains "$out" "\"limpia\" text"
out=$("$corrente" migrate plan "$late" 2>&1)
check "  (without bytea the plan reads only the sample: nota stays text)" contains "$out" "\"nota\" text"
out=$("$corrente" migrate copy "$late" --invalid-text bytea --verify 2>&1); rc=$?
check "copy --invalid-text bytea --verify exits 0" [ $rc -eq 0 ] || echo "$out" | tail -5
check "  every row carried, none refused" contains "$out" "100010 rows, 0 rejected"
check "  verify: all match" contains "$out" "verify: all 1 tables match$"
check "  the late value kept as its bytes" [ "$(q "select encode(nota, 'hex') from late.tarde where id = 100007")" = "41ff42" ]
check "  and valid text as its UTF-8" [ "$(q "select convert_from(nota, 'UTF8') from late.tarde where id = 100006")" = "fila 100006" ]

# Virtual tables: an FTS5 table's rows are copied as a plain table's, its shadow tables (the
# module's storage) are not; one whose module this SQLite lacks is skipped with a warning.
python3 - "$work/fts.db" <<'PY'
import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
c.executescript("""
create virtual table docs using fts5(title, body);
insert into docs values ('hola', 'mundo'), ('ñandú', 'ave corredora');
create table nota (id integer primary key, v text);
insert into nota values (1, 'a');
pragma writable_schema = on;
insert into sqlite_master (type, name, tbl_name, rootpage, sql)
  values ('table', 'raro', 'raro', 0, 'CREATE VIRTUAL TABLE raro USING nosuchmodule(a)');
""")
c.commit()
PY
out=$("$corrente" migrate copy "sqlite://$work/fts.db" --verify 2>&1); check "copy with virtual tables exits 0" [ $? -eq 0 ] || echo "$out" | tail -5
check "the FTS5 table copied as a plain table, and said" contains "$out" "docs: virtual table \(USING fts5\) copied as a plain table of its rows; its index is not carried over"
check "the one without its module skipped, and said" contains "$out" "virtual table raro \(USING nosuchmodule\) skipped: no such module: nosuchmodule"
check "its rows, and no shadow tables" [ "$(q "select string_agg(tablename, ',' order by tablename) from pg_tables where schemaname = 'fts'")|$(q "select string_agg(title || ':' || body, ',' order by title) from fts.docs")" = "docs,nota|hola:mundo,ñandú:ave corredora" ]
check "verify: both tables match" contains "$out" "all 2 tables match"

finish
