#!/usr/bin/env bash
# corrente migrate on SQLite files as legacy applications leave them: a blob in an INTEGER
# and in a BOOLEAN column past the sampled rows (was silently read as a number and a
# boolean), two tables whose PRIMARY KEY constraints share a name (the second lost its key
# silently), AUTOINCREMENT with deleted keys (sqlite_sequence), views and triggers reported,
# WITHOUT ROWID with a composite text key through diff and sync.
set -uo pipefail
corrente="$1"
. "$(dirname "$0")/common.sh"
trap cleanup_db EXIT
export CORRENTE_LOG_FORMAT=json

python3 - "$work/legacy.db" <<'PY'
import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
c.executescript("""
create table lectura (id integer primary key, n integer, ok boolean);
create table a (id integer, constraint pk primary key (id));
create table b (id integer, v text, constraint pk primary key (id));
create table pk (id integer primary key);
create table auto (id integer primary key autoincrement, v text);
create table wr (k text, j int, v blob, primary key (k, j)) without rowid;
create table precio (id integer primary key, p decimal(10,2), q numeric(5,0));
create table suelto (id integer primary key, bo boolean, jd datetime, ep datetime, e text, r real, sin);
create table reloj (id integer primary key, at timestamp);
create table st (id integer primary key, n int, a any) strict;
create table montón (v text, w int);
create view v_auto as select * from auto;
create trigger tr_auto after insert on auto begin update auto set v = v where id = new.id; end;
""")
c.executemany("insert into lectura values (?,?,?)", [(i, i * 3, i % 2) for i in range(1, 100002)])
# Past the 100,000 rows the plan samples: bytes where numbers and booleans were.
c.execute("insert into lectura values (100002, x'0102', 1)")
c.execute("insert into lectura values (100003, 7, x'01')")
# SQLite's DECIMAL(10,2) is an affinity: it holds 3.14159 and 1.005 as written.
c.executemany("insert into precio values (?,?,?)", [(1, 1.005, 12345), (2, '3.14159', 2.5), (3, 12.5, '7'), (4, 0.1 + 0.2, None)])
# A BOOLEAN holding 't', 'yes' and 2; julian days and Unix epochs in DATETIME columns;
# empty text beside NULL; -0.0; a STRICT table with ANY; a rowid table with duplicate rows.
c.executemany("insert into suelto values (?,?,?,?,?,?,?)", [
    (1, 't', 2460000.5, 1700000000, '', -0.0, 2.0), (2, 'yes', 2451545.0, 1700000000123, None, 1e-320, 'two'),
    (3, 2, '2024-01-05', None, ' ', 1.7976931348623157e308, 3), (4, 0, None, 0, 'null', None, None)])
c.executemany("insert into st values (?,?,?)", [(1, 1, 'any'), (2, None, 3), (3, 2, 2.5), (4, 3, b'\x00')])
# Nanoseconds from another system: PostgreSQL would round them to microseconds.
c.executemany("insert into reloj values (?,?)", [(1, '2024-01-01 10:00:00.123456789'), (2, '2024-01-01 10:00:00.9999996'), (3, '2024-01-01 10:00:00.500000000')])
c.executemany("insert into montón values (?,?)", [('x', 1), ('x', 1), (None, None), ('x', 1)])
c.execute("delete from montón where rowid = 2")
c.executemany("insert into a values (?)", [(1,), (2,)])
c.executemany("insert into b values (?,?)", [(1, 'x'), (2, 'y')])
c.executemany("insert into auto (v) values (?)", [('a',), ('b',), ('c',)])
c.execute("delete from auto where id = 3")
c.executemany("insert into wr values (?,?,?)", [('b', 2, b'\x01'), ('a', 1, None), ('B', 1, b''), ('é', 1, b'\x00')])
# A NUMERIC key holding numbers and text: SQLite sorts numbers first (9 before 10), the
# target's text key sorts '10' before '9'.
c.execute("create table mezcla (k numeric primary key, v int)")
c.executemany("insert into mezcla values (?,?)", [(10, 1), (9, 2), ('a', 3), (2.5, 4)])
c.execute("create table nc (k text collate nocase primary key, v int)")
c.executemany("insert into nc values (?,?)", [('B', 1), ('a', 2), ('c', 3), ('D', 4)])
c.commit()
PY
src="sqlite://$work/legacy.db"
# An Android app's database: collations the app defined (LOCALIZED, UNICODE) in columns, a
# unique constraint and an index, which this SQLite library does not have.
python3 - "$work/android.db" <<'PY'
import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
c.create_collation("LOCALIZED", lambda a, b: (a > b) - (a < b))
c.create_collation("UNICODE", lambda a, b: (a > b) - (a < b))
c.executescript("""
create table android_metadata (locale text default 'en_US'); insert into android_metadata values ('en_US');
create table contacts (_id integer primary key autoincrement, name text collate LOCALIZED, email text collate UNICODE unique);
create index contacts_name on contacts (name collate LOCALIZED);
create table tags (t text collate UNICODE primary key, n int);
""")
c.executemany("insert into contacts (name, email) values (?,?)", [('Zoë', 'z@x'), ('adam', 'a@x')])
c.executemany("insert into tags values (?,?)", [('b', 1), ('a', 2), ('É', 3), ('B', 4)])
c.commit()
PY

out=$("$corrente" migrate plan "$src" 2>&1); check "plan exits 0" [ $? -eq 0 ]
check "the second 'pk' key renamed" contains "$out" "WARNING b: primary key pk renamed b_pk"
check "decimals past the scale widen to numeric, never rounded" contains "$out" "p: decimal\(10,2\) -> numeric\(10,2\); values scanned: 3 of 4 sampled values \(e.g. 1.005\) do not fit numeric\(10,2\) -> numeric, every value kept exactly"
also contains "$out" "q: numeric\(5,0\) -> numeric\(5,0\); values scanned: 1 of 3 sampled values \(e.g. 2.5\) do not fit numeric\(5,0\) -> numeric"
check "digits past microseconds: text, not rounded" contains "$out" "at: timestamp -> timestamp without time zone.*2 of 3 sampled values \(e.g. '2024-01-01 10:00:00.123456789'\) do not fit timestamp without time zone -> text"
check "view reported" contains "$out" "WARNING view v_auto is not copied"
check "trigger reported" contains "$out" "WARNING trigger tr_auto \(on auto\) is not carried"

out=$("$corrente" migrate copy "$src" --verify 2>&1); rc=$?
check "copy --verify fails on the refused rows (exit 2)" [ $rc -eq 2 ]
check "the blobs refused with their keys, not read as numbers" [ "$(q "select string_agg(source_key || ' ' || column_name || ' ' || reason, ',' order by source_key) from staging.migration_rejects where target_schema = 'legacy'")" = "id=100002 n not an integer: \\x01\\x02,id=100003 ok not a boolean: \\x01" ]
check "  and verify names them" contains "$out" "2 source rows refused at copy, not in the target \(keys id=100002, id=100003"
check "the other rows all there" [ "$(q "select count(*) || '/' || sum(n) from legacy.lectura")" = "100001/$((3 * 100001 * 100002 / 2))" ]
"$corrente" migrate verify "$src" --accept-rejects >/dev/null 2>&1; check "verify --accept-rejects passes" [ $? -eq 0 ]
check "both tables keep their primary key" [ "$(q "select string_agg(conrelid::regclass || ':' || conname, ',' order by 1) from pg_constraint where contype = 'p' and connamespace = 'legacy'::regnamespace and conrelid::regclass::text in ('legacy.a', 'legacy.b', 'legacy.pk')")" = "legacy.a:a_pk,legacy.b:b_pk,legacy.pk:pk_pkey" ]
check "  and b's refuses a duplicate" [ "$(q "insert into legacy.b values (1, 'z')" 2>&1 | grep -c 'duplicate key')" = "1" ]
check "decimals exactly as SQLite holds them (not 1.01, 3.14, 3, 0.30)" [ "$(q "select string_agg(concat_ws('|', p, q), ',' order by id) from legacy.precio")" = "1.005|12345,3.14159|2.5,12.5|7,0.30000000000000004" ]
out=$("$corrente" migrate copy "$src" --strict --schema strict --tables precio --verify 2>&1)
check "--strict keeps numeric(10,2) and refuses those rows by key" [ "$(q "select string_agg(source_key || ' ' || column_name || ' ' || reason, ',' order by source_key) from staging.migration_rejects where target_schema = 'strict'")" = "id=1 p value 1.005 has more than 2 decimals for numeric(10,2); it is not rounded,id=2 p value 3.14159 has more than 2 decimals for numeric(10,2); it is not rounded,id=4 p value 0.30000000000000004 has more than 2 decimals for numeric(10,2); it is not rounded" ]
also contains "$out" "3 source rows refused at copy"
check "BOOLEAN with 't'/'yes'/2 kept as text, exactly" [ "$(q "select max(pg_typeof(bo)::text) || ':' || string_agg(bo, ',' order by id) from legacy.suelto")" = "text:t,yes,2,0" ]
check "julian days beside a date: text, as SQLite holds them (NUMERIC affinity made 2451545.0 an integer)" [ "$(q "select max(pg_typeof(jd)::text) || ':' || string_agg(coalesce(jd, 'NULL'), ',' order by id) from legacy.suelto")" = "text:2460000.5,2451545,2024-01-05,NULL" ]
check "Unix seconds and milliseconds in a DATETIME, said in the plan" [ "$(q "select string_agg(coalesce(ep::text, 'NULL'), ',' order by id) from legacy.suelto")" = "2023-11-14 22:13:20,2023-11-14 22:13:20.123,NULL,1970-01-01 00:00:00" ]
check "an untyped column's REAL 2.0 beside text keeps its point" [ "$(q "select string_agg(coalesce(sin, 'NULL'), ',' order by id) from legacy.suelto")" = "2.0,two,3,NULL" ]
check "empty text apart from NULL, -0.0 and subnormal REAL" [ "$(q "select string_agg(coalesce('[' || e || ']', 'NULL') || '/' || coalesce(r::text, 'NULL'), ',' order by id) from legacy.suelto")" = "[]/0,NULL/1e-320,[ ]/1.7976931348623157e+308,[null]/NULL" ]
check "STRICT ANY holding text, integer, real, blob" [ "$(q "select max(pg_typeof(a)::text) || ':' || string_agg(coalesce(encode(a, 'escape'), 'NULL'), ',' order by id) from legacy.st")" = 'bytea:any,3,2.5,\000' ]
check "nanoseconds kept as written" [ "$(q "select string_agg(at, ',' order by id) from legacy.reloj")" = "2024-01-01 10:00:00.123456789,2024-01-01 10:00:00.9999996,2024-01-01 10:00:00.500000000" ]
check "a rowid table's duplicate rows kept" [ "$(q "select count(*) || '/' || count(v) from legacy.\"montón\"")" = "3/2" ]
check "AUTOINCREMENT: the deleted key 3 is not handed out again" [ "$(q "with i as (insert into legacy.auto (v) values ('d') returning id) select id from i")" = "4" ]
q "delete from legacy.auto where id = 4" >/dev/null
check "WITHOUT ROWID: composite text key, blobs and NULL" [ "$(q "select string_agg(k || j || ':' || coalesce(encode(v, 'hex'), 'null'), ',' order by k collate \"C\", j) from legacy.wr")" = "B1:,a1:null,b2:01,é1:00" ]

python3 - "$work/legacy.db" <<'PY'
import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
c.execute("update wr set v = x'02' where k = 'b'")
c.execute("insert into wr values ('A', 0, x'ff')")
c.execute("delete from wr where k = 'é'")
c.execute("insert into auto (v) values ('e')")  # id 4 in SQLite
c.commit()
PY
out=$("$corrente" migrate diff "$src" --table wr 2>&1)
check "diff wr names the changes" [ "$(grep -E '^(missing|extra|changed) ' <<<"$out" | LC_ALL=C sort | tr '\n' ' ')" = "changed k=b,j=2 extra k=é,j=1 missing k=A,j=0 " ]
out=$("$corrente" migrate sync "$src" 2>&1); check "sync exits 0" [ $? -eq 0 ]
check "sync wr: 1 inserted, 1 updated, 1 deleted" contains "$out" "sync wr: 1 inserted, 1 updated, 1 deleted"
check "sync auto: SQLite's id 4" [ "$(q "select string_agg(id || v, ',' order by id) from legacy.auto")" = "1a,2b,4e" ]
check "  and the identity continues at 5" [ "$(q "select nextval(pg_get_serial_sequence('legacy.auto', 'id'))")" = "5" ]
"$corrente" migrate verify "$src" --accept-rejects >/dev/null 2>&1; check "verify after sync" [ $? -eq 0 ]

# A COLLATE NOCASE text key: the source is read in byte order, as PostgreSQL's "C" (it came
# out case-insensitively, so diff saw B and D missing and extra, and sync deleted them).
q "update legacy.nc set v = 9 where k = 'c'" >/dev/null
out=$("$corrente" migrate diff "$src" --table nc 2>&1)
check "diff of a NOCASE key names only the changed row" [ "$(grep -E '^(missing|extra|changed) ' <<<"$out")" = "changed k=c" ]
out=$("$corrente" migrate sync "$src" --tables nc 2>&1)
check "sync puts it back and deletes nothing" contains "$out" "sync nc: 0 inserted, 1 updated, 0 deleted"
also [ "$(q "select string_agg(k || v, ',' order by k collate \"C\") from legacy.nc")" = "B1,D4,a2,c3" ]

q "update legacy.mezcla set v = 0 where k = 'a'" >/dev/null
out=$("$corrente" migrate diff "$src" --table mezcla 2>&1)
check "diff of a key SQLite sorts otherwise: only the changed row, the order said" [ "$(grep -E '^(missing|extra|changed) ' <<<"$out")" = "changed k=a" ]
also contains "$out" "table mezcla: 1 keys came from the source in another order than PostgreSQL's"
out=$("$corrente" migrate sync "$src" --tables mezcla 2>&1)
check "sync of it deletes nothing" contains "$out" "sync mezcla: 0 inserted, 1 updated, 0 deleted"
also [ "$(q "select string_agg(k || ':' || v, ',' order by k collate \"C\") from legacy.mezcla")" = "10:1,2.5:4,9:2,a:3" ]

out=$("$corrente" migrate copy "sqlite://$work/android.db" --verify 2>&1)
check "an Android database with app-defined collations copies and verifies" [ $? -eq 0 ]
also contains "$out" "verify: all 3 tables match"
check "  the collations said not carried" contains "$out" "warning: tags: column t: SQLite collation UNICODE not carried"
check "  every row" [ "$(q "select string_agg(t || n, ',' order by t collate \"C\") from android.tags")|$(q "select string_agg(name || '<' || email || '>', ',' order by _id) from android.contacts")" = "B4,a2,b1,É3|Zoë<z@x>,adam<a@x>" ]
q "update android.tags set n = 0 where t = 'b'" >/dev/null
out=$("$corrente" migrate sync "sqlite://$work/android.db" 2>&1)
check "  sync on its UNICODE key: 1 updated, nothing deleted" contains "$out" "sync tags: 0 inserted, 1 updated, 0 deleted"
finish
