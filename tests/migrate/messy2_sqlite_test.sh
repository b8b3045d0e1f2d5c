#!/usr/bin/env bash
# corrente migrate on SQLite files, second round: 24:00:00 and leap seconds (PostgreSQL read
# them as the next midnight and the next minute; now a column holding them is text, as
# written), SQLite's date functions in generated columns (now computed by PostgreSQL as
# SQLite computes them, compared value by value), NULL in a PRIMARY KEY that is not INTEGER
# (SQLite allows it; those rows were refused), a primary key too large for a btree entry (it
# was dropped), and names PostgreSQL must quote (keywords, unicode, a quote).
set -uo pipefail
corrente="$1"
. "$(dirname "$0")/common.sh"
trap cleanup_db EXIT
export CORRENTE_LOG_FORMAT=json

python3 - "$work/legacy2.db" <<'PY'
import random, sqlite3, sys
c = sqlite3.connect(sys.argv[1])
c.executescript("""
create table reloj (id integer primary key, at datetime, t time, t60 time, ok datetime);
create table ev (id integer primary key, at datetime, day date,
  d text generated always as (date(at)) virtual,
  dt text generated always as (datetime(at)) stored,
  tm text generated always as (time(at)) virtual,
  ue integer generated always as (unixepoch(at)) virtual,
  jd real generated always as (julianday(at)) virtual,
  sf text generated always as (strftime('%Y/%m/%d %H:%M:%S s=%s %%', at)) virtual,
  sff text generated always as (strftime('%f', at)) virtual,
  dd text generated always as (date(day)) virtual,
  plus text generated always as (date(at, '+1 day')) virtual);
create table prisma (id integer primary key, at datetime, d text generated always as (date(at)) virtual);
create table pn (k text primary key, v integer);
create table hijo (id integer primary key, k text references pn (k));
create table hk (k text primary key, v integer);
create table desc_pk (id integer primary key desc, v text);
create table hoy (id integer primary key, d date default current_date);
create table estado (id integer primary key, st text collate nocase check (st in ('A', 'B')),
  nm text collate nocase check (length(nm) > 0), n int check (n > 0));
create table "order" ("select" integer primary key, "from" text, "Größe" real, "名前" text unique,
  "a""b" text, "with space" text);
""")
c.executemany("insert into reloj values (?,?,?,?,?)", [
    (1, '2024-01-05 24:00:00', '24:00:00', '23:59:60', '2024-01-05 10:00:00'),
    (2, '2016-12-31 23:59:60', '23:59:59.999999', '10:00:00', '2024-01-05 23:59:59.999999'),
    (3, '2024-01-06 00:00:00', '00:00:00', None, None)])
r = random.Random(20261206)
rows = ['2024-01-05 23:59:59.9996', '2024-01-05 23:59:59.9994', '2024-02-29', '2024-02-29T12:30:00Z',
        '2000-01-01 00:00:00.0005', '1970-01-01 00:00:00', '1969-12-31 23:59:59.5', '0001-01-01 00:00:00',
        '9999-12-31 23:59:59.9994', '2024-06-01 10:00:00.123456', '2024-06-01T10:00:00.1235+00:00', None]
for i in range(2000):
    s = "%04d-%02d-%02d %02d:%02d:%02d" % (r.randint(1, 9999), r.randint(1, 12), r.randint(1, 28),
                                           r.randint(0, 23), r.randint(0, 59), r.randint(0, 59))
    digits = r.choice([0, 0, 1, 3, 4, 6])
    if digits:
        s += "." + "".join(r.choice("0459") if r.random() < 0.5 else r.choice("0123456789") for _ in range(digits))
    rows.append(s.replace(" ", "T") if r.random() < 0.1 else s)
c.executemany("insert into ev (id, at, day) values (?,?,?)",
              [(i + 1, at, at[:10] if at else None) for i, at in enumerate(rows)])
# Prisma's Unix milliseconds beside text: SQLite's date() reads a number as a julian day.
c.executemany("insert into prisma (id, at) values (?,?)", [(1, 1704447000000), (2, 1704447000123)])
c.executemany("insert into pn values (?,?)", [(None, 1), (None, 2), ('a', 3)])
c.executemany("insert into hijo values (?,?)", [(1, 'a'), (2, None)])
# INTEGER PRIMARY KEY DESC is not the rowid (a SQLite quirk): it holds text and reals.
c.executemany("insert into desc_pk values (?,?)", [(1, 'a'), ('x', 'b'), (3.5, 'c')])
big = lambda n: "".join(r.choice("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") for _ in range(n))
c.executemany("insert into hk values (?,?)", [(big(9000) + "A", 1), (big(9000) + "B", 2), ("short", 3)])
c.executemany("insert into estado values (?,?,?,?)", [(1, 'a', 'x', 1), (2, 'B', 'y', 2)])
c.executemany('insert into "order" values (?,?,?,?,?,?)',
              [(1, 'x', 1.5, 'ñandú', 'q"q', 'sp'), (2, None, None, None, None, None), (3, 'y', 2, None, 'z', 'w')])
c.commit()
PY
check "fixture created" [ $? -eq 0 ]
src="sqlite://$work/legacy2.db"
sq() { sqlite3 "$work/legacy2.db" "$1"; }

out=$("$corrente" migrate plan "$src" 2>&1); check "plan exits 0" [ $? -eq 0 ]
check "24:00:00 and :60 in a DATETIME: text, said" contains "$out" "WARNING reloj: column at: 2 of 3 sampled values \(e.g. '2024-01-05 24:00:00'\) do not fit timestamp without time zone; carried as text"
check "a TIME holding 24:00:00 stays time" contains "$out" '"t" time without time zone'
check "a TIME holding 23:59:60: text" contains "$out" "WARNING reloj: column t60: 1 of 2 sampled values \(e.g. '23:59:60'\) do not fit time without time zone; carried as text"
check "date(), datetime(), time(), unixepoch(), julianday(), strftime() computed by PostgreSQL" [ "$(grep -oE '"(d|dt|tm|ue|jd|sf|dd)" [a-z ]+( COLLATE "C")? GENERATED ALWAYS' <<<"$out" | wc -l)" = "7" ]
check "a modifier: a plain column, and why" contains "$out" "WARNING ev: column plus: generated column not translated \(date with modifiers or without a value\)"
check "strftime's %f (printf's rounding of a double): a plain column, and why" contains "$out" "WARNING ev: column sff: generated column not translated \(strftime's %f\)"
check "numbers in the column: a plain column, and why" contains "$out" "WARNING prisma: column d: generated column not translated \(date of column at, which holds numbers \(SQLite reads them as julian days\)\)"
check "a CHECK comparing text of a NOCASE column left out, said" contains "$out" "WARNING estado: CHECK \(st in \('A', 'B'\)\) is not carried: it may compare the text of column st, which SQLite compares under collation NOCASE"
also contains "$out" 'ADD CHECK \(char_length\("nm"\) > 0\)|ADD CHECK \(length\(nm\) > 0\)'
check "a PRIMARY KEY holding NULL: a UNIQUE index, said" contains "$out" "WARNING pn: primary key \(k\) holds NULL in 2 sampled rows \(SQLite allows it in a key that is not INTEGER\): carried as UNIQUE index pn_k_key, its columns nullable"
also contains "$out" 'CREATE UNIQUE INDEX "pn_k_key" ON "legacy2"."pn" \("k"\)'
also lacks "$out" '"pn_pkey"'

out=$("$corrente" migrate copy "$src" --verify 2>&1); rc=$?
check "copy --verify exits 0, nothing refused" [ $rc -eq 0 ]
also contains "$out" "verify: all 10 tables match"
also contains "$out" " 0 rejected"
[ $rc -eq 0 ] || grep -v '"level":"info"' <<<"$out" | tail -30
check "the large key kept unique through md5, said" contains "$out" "hk: primary key: a value is too large for a btree entry \(index row requires [0-9]+ bytes, maximum size is 8191\); enforced as unique index hk_pkey_md5 on md5 of each column, its columns NOT NULL"
check "  and it refuses a duplicate" [ "$(q "insert into legacy2.hk values ('short', 9)" 2>&1 | grep -c 'duplicate key value violates unique constraint "hk_pkey_md5"')" = "1" ]
check "24:00:00 and :60 kept as written" [ "$(q "select string_agg(concat_ws('|', pg_typeof(at), at, t, t60, ok), ',' order by id) from legacy2.reloj")" = "text|2024-01-05 24:00:00|24:00:00|23:59:60|2024-01-05 10:00:00,text|2016-12-31 23:59:60|23:59:59.999999|10:00:00|2024-01-05 23:59:59.999999,text|2024-01-06 00:00:00|00:00:00" ]
also [ "$(q "select string_agg(pg_typeof(t)::text || '/' || pg_typeof(t60) || '/' || pg_typeof(ok), ',') from legacy2.reloj where id = 1")" = "time without time zone/text/timestamp without time zone" ]
pg_ev=$(q "select string_agg(concat_ws('|', id, coalesce(d, 'N'), coalesce(dt, 'N'), coalesce(tm, 'N'), coalesce(ue::text, 'N'), coalesce(sf, 'N'), coalesce(dd, 'N')), E'\n' order by id) from legacy2.ev")
sq_ev=$(sq "select group_concat(id || '|' || coalesce(d, 'N') || '|' || coalesce(dt, 'N') || '|' || coalesce(tm, 'N') || '|' || coalesce(ue, 'N') || '|' || coalesce(sf, 'N') || '|' || coalesce(dd, 'N'), char(10)) from (select * from ev order by id)")
check "2012 rows: date, datetime, time, unixepoch, strftime as SQLite computes them" [ "$pg_ev" = "$sq_ev" ]
[ "$pg_ev" = "$sq_ev" ] || diff <(echo "$pg_ev") <(echo "$sq_ev") | head -6
also [ "$(wc -l <<<"$pg_ev")" = "2012" ]
same_jd=$(python3 -c 'import sys
a = [None if v == "N" else float(v) for v in sys.argv[1].split(",")]
b = [None if v == "N" else float(v) for v in sys.argv[2].split(",")]
print(len(a) == len(b) == 2012 and a == b, sum(x != y for x, y in zip(a, b)))' "$(q "select string_agg(coalesce(jd::text, 'N'), ',' order by id) from legacy2.ev")" "$(sq "select group_concat(case when jd is null then 'N' else printf('%!.20g', jd) end, ',') from (select jd from ev order by id)")")
check "julianday bit for bit" [ "$same_jd" = "True 0" ]
check "SQLite's fields cut (23:59:59.9996 is that day), its instant rounded to ms (unixepoch)" [ "$(q "select string_agg(d || ' ' || tm || ' ' || ue, ',' order by id) from legacy2.ev where id in (1, 2)")" = "2024-01-05 23:59:59 1704499200,2024-01-05 23:59:59 1704499199" ]
check "NULL keys carried (both), the unique index enforced" [ "$(q "select string_agg(coalesce(k, 'N') || ':' || v, ',' order by v) from legacy2.pn")" = "N:1,N:2,a:3" ]
also [ "$(q "insert into legacy2.pn values ('a', 9)" 2>&1 | grep -c 'duplicate key')" = "1" ]
check "  and the foreign key to it carried" [ "$(q "select count(*) from pg_constraint where contype = 'f' and conrelid = 'legacy2.hijo'::regclass")" = "1" ]
check "the row NOCASE took ('a') carried; the other CHECKs enforced" [ "$(q "select string_agg(st, ',' order by id) from legacy2.estado")" = "a,B" ]
also [ "$(q "insert into legacy2.estado values (9, 'A', '', 1)" 2>&1 | grep -c 'violates check constraint')" = "1" ]
also [ "$(q "insert into legacy2.estado values (9, 'A', 'x', 0)" 2>&1 | grep -c 'violates check constraint')" = "1" ]
check "INTEGER PRIMARY KEY DESC (not the rowid): its text and real keys carried" [ "$(q "select string_agg(id || '=' || v, ',' order by v) from legacy2.desc_pk")" = "1=a,x=b,3.5=c" ]
also [ "$(q "select count(*) from information_schema.columns where table_schema = 'legacy2' and table_name = 'desc_pk' and is_identity = 'YES'")" = "0" ]
check "keyword, unicode and quoted names" [ "$(q "select string_agg(concat_ws('|', \"select\", \"from\", \"Größe\", \"名前\", \"a\"\"b\", \"with space\"), ',' order by 1) from legacy2.\"order\"")" = "1|x|1.5|ñandú|q\"q|sp,2,3|y|2|z|w" ]

# DEFAULT CURRENT_DATE is UTC's date in SQLite; PostgreSQL's CURRENT_DATE is the session's
# (a zone where the date differs from UTC's now: UTC+14 after 12:00 UTC, UTC-12 before).
tz=$([ "$(date -u +%H)" -ge 12 ] && echo Pacific/Kiritimati || echo Etc/GMT+12)
check "DEFAULT CURRENT_DATE gives UTC's date in any session time zone ($tz)" [ "$(PGOPTIONS="-c client_min_messages=warning -c TimeZone=$tz" q "with i as (insert into legacy2.hoy (id) values (1) returning d) select d = (now() at time zone 'UTC')::date from i")" = "t" ]
q "delete from legacy2.hoy" >/dev/null

# --strict keeps the declared types: the 24:00:00 and :60 rows refused by key.
out=$("$corrente" migrate copy "$src" --schema strict2 --strict --tables reloj --verify 2>&1)
check "--strict: 24:00:00 and :60 refused by key, not changed" [ "$(q "select string_agg(source_key || ' ' || column_name, ',' order by source_key, column_name) from staging.migration_rejects where target_schema = 'strict2'")" = "id=1 at,id=2 at" ]
also contains "$out" "2 source rows refused at copy, not in the target \(keys id=1, id=2"

out=$("$corrente" migrate copy "$src" --schema strict3 --strict --tables desc_pk 2>&1)
check "--strict: a real key labelled by its value (it showed the last text key)" [ "$(q "select string_agg(source_key, ',' order by source_key) from staging.migration_rejects where target_schema = 'strict3'")" = "id=3.5,id=x" ]

# sync: new rows, a changed key too large for a btree (upsert through the md5 index), NULL keys.
sqlite3 "$work/legacy2.db" "insert into ev (id, at, day) values (5000, '2025-03-04 05:06:07.8999', '2025-03-04');
  update ev set at = '2030-01-01 23:59:59.99951' where id = 3; update hk set v = 20 where v = 2;
  insert into hk values ('new', 4); insert into pn values (null, 5); update pn set v = 30 where k = 'a';"
out=$("$corrente" migrate sync "$src" 2>&1); rc=$?; check "sync exits 0" [ $rc -eq 0 ]
[ $rc -eq 0 ] || grep -v '"level":"info"' <<<"$out" | tail -20
check "sync ev: 1 inserted, 1 updated, recomputed as SQLite does" contains "$out" "sync ev: 1 inserted, 1 updated, 0 deleted"
also [ "$(q "select d || ' ' || tm || ' ' || sf from legacy2.ev where id in (3, 5000) order by id")" = "$(sq "select d || ' ' || tm || ' ' || sf from ev where id in (3, 5000) order by id")" ]
check "sync hk: 1 inserted, 1 updated (through the md5 index)" contains "$out" "sync hk: 1 inserted, 1 updated, 0 deleted"
check "sync pn (whole rows): the new NULL-key row and the changed one" contains "$out" "sync pn: 2 inserted, 0 updated, 1 deleted"
"$corrente" migrate verify "$src" >/dev/null 2>&1; check "verify after sync" [ $? -eq 0 ]
out=$("$corrente" migrate sync "$src" 2>&1)
check "second sync is a no-op" [ "$(grep -c ": 0 inserted, 0 updated, 0 deleted" <<<"$out")" = "10" ]
finish
