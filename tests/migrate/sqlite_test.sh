#!/usr/bin/env bash
# corrente migrate against SQLite: Chinook copy + verify with exact spot values, a fixture
# of SQLite type and constraint rules, a changed row found by verify and named by diff,
# sync after inserts/updates/deletes, and kill -9 in the middle of a copy then resume.
set -uo pipefail
corrente="$1"
fixtures="$(cd "$(dirname "$0")/.." && pwd)/fixtures"
. "$(dirname "$0")/common.sh"
trap cleanup_db EXIT
export CORRENTE_LOG_FORMAT=json

chinook="sqlite://$fixtures/chinook.sqlite"
sum_before=$(sha256sum "$fixtures/chinook.sqlite")

out=$("$corrente" migrate plan "$chinook" 2>&1); check "plan exits 0" [ $? -eq 0 ]
check "plan: INTEGER -> bigint" contains "$out" '"AlbumId": INTEGER -> bigint|AlbumId: INTEGER -> bigint'
check "plan: NUMERIC(10,2) kept" contains "$out" 'UnitPrice: NUMERIC\(10,2\) -> numeric\(10,2\)'
check "plan: DATETIME -> timestamp" contains "$out" 'BirthDate: DATETIME -> timestamp without time zone'
check "plan: named PK kept" contains "$out" 'ADD CONSTRAINT "PK_Album" PRIMARY KEY'
check "plan writes nothing" [ "$(q "select count(*) from pg_namespace where nspname = 'chinook'")" = "0" ]

out=$("$corrente" migrate copy "$chinook" --jobs 2 2>&1); check "copy chinook" [ $? -eq 0 ] || echo "$out" | tail -5
check "copy reports 15607 rows" contains "$out" "15607 rows, 0 rejected"
out=$("$corrente" migrate verify "$chinook" 2>&1); rc=$?
check "verify passes" [ $rc -eq 0 ]
check "verify: all 11 tables match" contains "$out" "all 11 tables match"
check "track count" [ "$(q 'select count(*) from chinook."Track"')" = "3503" ]
check "unicode spot value (Artist 12? Antônio)" [ "$(q "select \"Name\" from chinook.\"Artist\" where \"ArtistId\" = 21")" = "Various Artists" ]
check "unicode exact" [ "$(q "select count(*) from chinook.\"Artist\" where \"Name\" = 'Antônio Carlos Jobim'")" = "1" ]
check "unicode exact (Nação Zumbi)" [ "$(q "select \"ArtistId\" from chinook.\"Artist\" where \"Name\" = 'Chico Science & Nação Zumbi'")" = "$(sqlite3 "$fixtures/chinook.sqlite" "select ArtistId from Artist where Name = 'Chico Science & Nação Zumbi'" 2>/dev/null || python3 -c "import sqlite3;print(sqlite3.connect('$fixtures/chinook.sqlite').execute(\"select ArtistId from Artist where Name = 'Chico Science & Nação Zumbi'\").fetchone()[0])")" ]
check "numeric exact" [ "$(q 'select "UnitPrice"::text from chinook."Track" where "TrackId" = 1')" = "0.99" ]
check "numeric sum exact" [ "$(q 'select sum("Total")::text from chinook."Invoice"')" = "2328.60" ]
check "timestamp not shifted" [ "$(q 'select "BirthDate"::text from chinook."Employee" where "EmployeeId" = 1')" = "1962-02-18 00:00:00" ]
check "column types" [ "$(q "select string_agg(data_type, ',' order by ordinal_position) from information_schema.columns where table_schema = 'chinook' and table_name = 'Track'")" = "bigint,character varying,bigint,bigint,bigint,character varying,bigint,bigint,numeric" ]
check "NOT NULL kept" [ "$(q "select is_nullable from information_schema.columns where table_schema = 'chinook' and table_name = 'Track' and column_name = 'MediaTypeId'")" = "NO" ]
check "indexes keep their names" [ "$(q "select count(*) from pg_indexes where schemaname = 'chinook' and indexname in ('IFK_TrackAlbumId', 'IPK_Track', 'PK_Track')")" = "3" ]
check "foreign keys added" [ "$(q "select count(*) from pg_constraint where connamespace = 'chinook'::regnamespace and contype = 'f' and convalidated")" = "11" ]
check "identity set past the max" [ "$(q "insert into chinook.\"Genre\" (\"Name\") values ('new') returning \"GenreId\"" | head -1)" = "26" ]
q 'delete from chinook."Genre" where "GenreId" = 26' >/dev/null
check "source untouched" [ "$(sha256sum "$fixtures/chinook.sqlite")" = "$sum_before" ]

# The SHA-256 manifest: written from the target, re-checked from the target alone and from
# the source alone; a changed row fails both; a reviewer's sha256 of the first table agrees.
out=$("$corrente" migrate copy "$chinook" --schema mf --manifest "$work/chinook.manifest" 2>&1)
check "copy --manifest writes it" [ $? -eq 0 ] && check "one line per table" [ "$(grep -c '^table ' "$work/chinook.manifest")" = "11" ]
check "Track: 3503 rows and a SHA-256" contains "$(cat "$work/chinook.manifest")" "^table Track 3503 [0-9a-f]{64}$"
check "  every table hashed as it was loaded (no second read)" contains "$out" "\(11 tables hashed as loaded, 0 read back from the target\)"
# The same copy again skips the loaded tables, so it reads them back: the same manifest.
out=$("$corrente" migrate copy "$chinook" --schema mf --manifest "$work/readback.manifest" 2>&1)
check "a manifest of tables loaded earlier is read back" contains "$out" "\(0 tables hashed as loaded, 11 read back from the target\)"
check "  and equals the one hashed during the load" cmp -s "$work/chinook.manifest" "$work/readback.manifest"
out=$("$corrente" migrate verify "$chinook" --manifest "$work/chinook.manifest" 2>&1); rc=$?
check "verify --manifest: target and source both match (exit 0)" [ $rc -eq 0 ]
check "22 checks, all OK" [ "$(grep -c ': OK (' <<<"$out")" = "22" ]
out=$("$corrente" migrate verify "$chinook" --manifest "$work/chinook.manifest" --manifest-side source 2>&1)
check "from the source alone" [ "$(grep -c 'source: OK' <<<"$out")/$(grep -c 'target:' <<<"$out")" = "11/0" ]
q "update mf.\"Genre\" set \"Name\" = 'Tampered' where \"GenreId\" = 3" >/dev/null
out=$("$corrente" migrate verify "$chinook" --manifest "$work/chinook.manifest" 2>&1); rc=$?
check "a changed row fails the target side only (exit 2)" [ $rc -eq 2 ]
check "named: Genre target" [ "$(grep MISMATCH <<<"$out" | cut -d: -f1 | tr '\n' ' ')" = "Genre target manifest " ]
# A reviewer recomputes Genre's line with Python alone (the format in docs/migrate.md).
python3 - "$fixtures/chinook.sqlite" "$work/genre.sha" <<'PY'
import hashlib, sqlite3, struct, sys
h = hashlib.sha256()
rows = sqlite3.connect(sys.argv[1]).execute('select GenreId, Name from Genre order by GenreId').fetchall()
for row in rows:
    for v in row:
        if v is None:
            h.update(b'\xff\xfeN')
        else:
            b = str(v).encode()
            h.update(struct.pack('<I', len(b)) + b)
open(sys.argv[2], 'w').write(f'table Genre {len(rows)} {h.hexdigest()}\n')
PY
check "a reviewer's SHA-256 of Genre equals the manifest's" [ "$(cat "$work/genre.sha")" = "$(grep '^table Genre ' "$work/chinook.manifest")" ]

# Per key range: with ranges of 1,000 rows, Track (3503 rows) gets 4 range lines; a changed
# row fails its own range only, which the check names.
CORRENTE_MIGRATE_TEST_MANIFEST_RANGE_ROWS=1000 "$corrente" migrate copy "$chinook" --schema mf --manifest "$work/ranged.manifest" >/dev/null 2>&1
check "ranged manifest written" [ $? -eq 0 ]
check "  Track in 4 key ranges, InvoiceLine in 3, Genre (25 rows) in none" [ "$(grep -c "^range	Track	" "$work/ranged.manifest") $(grep -c "^range	InvoiceLine	" "$work/ranged.manifest") $(grep -c "^range	Genre	" "$work/ranged.manifest")" = "4 3 0" ]
check "  the first range ends at key 1000, the last is open" [ "$(grep "^range	Track	" "$work/ranged.manifest" | cut -f3,5 | sed -n '1p;4p' | tr '\t\n' ' /')" = '1000 ["1000"]/503 /' ]
out=$("$corrente" migrate verify "$chinook" --schema mf --manifest "$work/ranged.manifest" --manifest-side target 2>&1)
check "verify of the ranged manifest passes" [ $? -eq 0 ] && check "  and counts the ranges" contains "$out" "Track target: OK \(3503 rows, [0-9a-f]{64}; 4 key ranges\)"
out=$("$corrente" migrate verify "$chinook" --schema mf --manifest "$work/ranged.manifest" --manifest-side source 2>&1)
check "from the source alone, per range too" contains "$out" "Track source: OK \(3503 rows, [0-9a-f]{64}; 4 key ranges\)"
q "update mf.\"Track\" set \"Name\" = 'Tampered' where \"TrackId\" = 2718" >/dev/null
out=$("$corrente" migrate verify "$chinook" --schema mf --manifest "$work/ranged.manifest" --manifest-side target 2>&1)
check "a changed row fails it (exit 2)" [ $? -eq 2 ]
check "  in the range that holds its key, and no other" [ "$(grep -o 'Track target: range [0-9/]* (keys up to [^)]*)' <<<"$out" | tr '\n' ' ')" = 'Track target: range 3/4 (keys up to ["3000"]) ' ]
# Loaded in key ranges (--range-rows 1000: Track in 4 load units), the manifest is still
# hashed as the rows are sent: each unit in ranges of 500 rows, closed at the unit's end.
out=$(CORRENTE_MIGRATE_TEST_MANIFEST_RANGE_ROWS=500 "$corrente" migrate copy "$chinook" --schema mfr --range-rows 1000 --manifest "$work/loadranged.manifest" 2>&1)
# PlaylistTrack is ranged over the rowid but keyed on two columns: its ranges are not in key
# order, so it alone is read back.
check "ranged load: manifest hashed as loaded, but PlaylistTrack" contains "$out" "\(10 tables hashed as loaded, 1 read back from the target\)"
track_ranges=$(grep "^range	Track	" "$work/loadranged.manifest")
check "  Track: 8 ranges (2 per load unit), 3503 rows, the last open" [ "$(wc -l <<<"$track_ranges") $(cut -f3 <<<"$track_ranges" | paste -sd+ | bc) $(tail -1 <<<"$track_ranges" | cut -f5)" = "8 3503 " ]
out=$("$corrente" migrate verify "$chinook" --schema mfr --manifest "$work/loadranged.manifest" 2>&1)
check "  verify --manifest from the target and from the source passes" [ $? -eq 0 ] && check "  22 checks OK" [ "$(grep -c ': OK (' <<<"$out")" = "22" ]
q "update mfr.\"Track\" set \"Name\" = 'Tampered' where \"TrackId\" = 2718" >/dev/null
out=$("$corrente" migrate verify "$chinook" --schema mfr --manifest "$work/loadranged.manifest" --manifest-side target 2>&1)
check "  a changed row fails one range only (exit 2)" [ $? -eq 2 ] && check "  one range named" [ "$(grep -c 'Track target: range ' <<<"$out")" = "1" ]

# One changed row: verify fails, diff names exactly that key.
q "update chinook.\"Track\" set \"Name\" = 'Tampered' where \"TrackId\" = 2718" >/dev/null
"$corrente" migrate verify "$chinook" >"$work/v.txt" 2>&1; rc=$?
check "verify fails after a change (exit 2)" [ $rc -eq 2 ]
check "verify names the Track table" contains "$(cat "$work/v.txt")" "^Track .*MISMATCH"
out=$("$corrente" migrate verify "$chinook" --json 2>/dev/null)
check "verify --json says not ok" [ "$(python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["ok"], [t["table"] for t in d["tables"] if not t["ok"]])' <<<"$out")" = "False ['Track']" ]
CORRENTE_MIGRATE_TEST_SPLIT_ROWS=1 "$corrente" migrate verify "$chinook" --jobs 3 --json >"$work/split.json" 2>/dev/null; rc=$?
check "verify split in key and page ranges also fails (exit 2)" [ $rc -eq 2 ]
check "split verify: the same checksums as one stream" [ "$(python3 -c 'import json,sys; a=json.load(open(sys.argv[1])); b=json.loads(sys.argv[2]); k=lambda t: [(s["rows"], s["checksum"], [(c["name"], c["nulls"], c["min"], c["max"]) for c in s["columns"]]) for s in (t["source"], t["target"])]; print(len(a["tables"]) == 11 and [k(t) for t in a["tables"]] == [k(t) for t in b["tables"]])' "$work/split.json" "$out")" = "True" ]
out=$("$corrente" migrate diff "$chinook" --table Track 2>&1); rc=$?
check "diff exits 2" [ $rc -eq 2 ]
check "diff names exactly that key" [ "$(grep -E '^(missing|extra|changed) ' <<<"$out")" = "changed TrackId=2718" ]
out=$("$corrente" migrate diff "$chinook" --table Album 2>&1); rc=$?
check "diff of an equal table: exit 0" [ $rc -eq 0 ]
check "diff of an equal table: one segment" contains "$out" "0 missing, 0 extra, 0 changed \(1 segments"

# Sync after inserts, updates and deletes in the source.
cp "$fixtures/chinook.sqlite" "$work/live.db"
live="sqlite://$work/live.db"
"$corrente" migrate copy "$live" --schema live >/dev/null 2>&1
python3 - "$work/live.db" <<'PY'
import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
c.execute("delete from Genre where GenreId = 25")
c.execute("insert into Genre (GenreId, Name) values (25, 'Ópera lírica')")  # deleted and re-added: an update
c.execute("insert into Genre (GenreId, Name) values (26, 'Fado'), (27, 'Forró')")
c.execute("update Track set UnitPrice = 1.29 where TrackId in (1, 3000)")
c.execute("delete from PlaylistTrack where PlaylistId = 1 and TrackId in (3402, 3389)")
c.execute("delete from Playlist where PlaylistId = 4")  # unreferenced, so PostgreSQL can delete it too
c.commit()
PY
out=$("$corrente" migrate sync "$live" --schema live 2>&1); check "sync exits 0" [ $? -eq 0 ]
check "sync Genre: 2 inserted" contains "$out" "sync Genre: 2 inserted, 1 updated, 0 deleted"
check "sync Playlist: 1 deleted" contains "$out" "sync Playlist: 0 inserted, 0 updated, 1 deleted"
check "sync Track: 2 updated" contains "$out" "sync Track: 0 inserted, 2 updated, 0 deleted"
check "sync PlaylistTrack: 2 deleted" contains "$out" "sync PlaylistTrack: 0 inserted, 0 updated, 2 deleted"
check "sync logged" [ "$(q "select sum(rows_inserted) || '/' || sum(rows_updated) || '/' || sum(rows_deleted) from staging.migration_sync_log where target_schema = 'live'")" = "2/3/3" ]
"$corrente" migrate verify "$live" --schema live >/dev/null 2>&1; check "verify after sync" [ $? -eq 0 ]
CORRENTE_MIGRATE_TEST_SPLIT_ROWS=1 "$corrente" migrate verify "$live" --schema live --jobs 4 >/dev/null 2>&1
check "verify after sync, split in ranges" [ $? -eq 0 ]
out=$("$corrente" migrate sync "$live" --schema live 2>&1)
check "second sync is a no-op" [ "$(grep -c ': 0 inserted, 0 updated, 0 deleted' <<<"$out")" = "11" ]
python3 -c "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute(\"insert into Genre values (40, 'Cumbia')\"); c.execute(\"update Genre set Name = 'x' where GenreId = 1\"); c.commit()" "$work/live.db"
out=$("$corrente" migrate sync "$live" --schema live --tables Genre --watermark-only 2>&1)
check "watermark sync appends past the key" contains "$out" "sync Genre: 1 inserted, 0 updated, 0 deleted, watermark 40"
check "watermark sync logged as such" [ "$(q "select mode from staging.migration_sync_log where target_schema = 'live' order by id desc limit 1")" = "pk-watermark" ]
out=$("$corrente" migrate sync "$live" --schema live --tables Genre 2>&1)
check "a full sync then finds the update" contains "$out" "sync Genre: 0 inserted, 1 updated, 0 deleted"

# Watermark sync by an updated-at column and by the rowid; deletions found by the key diff.
python3 - "$work/wm.db" <<'PY'
import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
c.executescript("""
create table pedido (id integer primary key, cliente text not null, total numeric(10,2),
                     actualizado datetime not null);
create table evento (id integer primary key, nombre text);
""")
c.executemany("insert into pedido values (?,?,?,?)",
              [(i, 'c%d' % i, i * 1.5, '2024-05-01 10:00:%02d' % i) for i in range(1, 21)])
c.executemany("insert into evento values (?,?)", [(i, 'e%d' % i) for i in range(1, 11)])
c.commit()
PY
wm="sqlite://$work/wm.db"
"$corrente" migrate copy "$wm" --schema wm >/dev/null 2>&1; check "copy the watermark fixture" [ $? -eq 0 ]
python3 - "$work/wm.db" <<'PY'
import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
c.execute("update pedido set total = 99, actualizado = '2024-05-02 09:00:00' where id in (3, 7)")
c.execute("update pedido set total = 55 where id = 5")  # timestamp not bumped: not seen
c.execute("insert into pedido values (21, 'nuevo', 1, '2024-05-02 09:30:00')")
c.execute("insert into pedido values (22, 'viejo', 2, '2024-04-01 00:00:00')")  # old stamp: a missing key
c.execute("delete from pedido where id in (10, 11)")
c.execute("insert into evento values (11, 'e11'), (12, 'e12')")
c.execute("update evento set nombre = 'cambiado' where id = 1")  # rowid kept: not seen
c.execute("delete from evento where id = 2")
c.commit()
PY
out=$("$corrente" migrate sync "$wm" --schema wm --tables pedido --watermark updated_at=actualizado 2>&1)
check "updated-at sync: inserts, updates, deletes" contains "$out" "sync pedido: 2 inserted, 2 updated, 2 deleted, watermark 2024-05-02 09:30:00"
check "updated-at values landed" [ "$(q "select string_agg(id || '=' || total, ',' order by id) from wm.pedido where id in (3, 5, 7, 21, 22)")" = "3=99.00,5=7.50,7=99.00,21=1.00,22=2.00" ]
check "deleted rows gone" [ "$(q "select count(*) from wm.pedido where id in (10, 11)")" = "0" ]
check "updated-at pass logged" [ "$(q "select mode || ' ' || rows_inserted || '/' || rows_updated || '/' || rows_deleted || ' ' || watermark from staging.migration_sync_log where target_schema = 'wm' order by id desc limit 1")" = "updated-at 2/2/2 2024-05-02 09:30:00" ]
out=$("$corrente" migrate sync "$wm" --schema wm --tables pedido --watermark updated_at=actualizado 2>&1)
check "second updated-at pass is a no-op" contains "$out" "sync pedido: 0 inserted, 0 updated, 0 deleted, watermark 2024-05-02 09:30:00"
python3 -c "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute(\"update pedido set cliente = 'tarde' where id = 4\"); c.execute(\"update pedido set actualizado = '2024-05-03 00:00:00' where id = 4\"); c.commit()" "$work/wm.db"
out=$("$corrente" migrate sync "$wm" --schema wm --tables pedido --watermark updated_at=actualizado 2>&1)
check "a later update is found from the logged watermark" contains "$out" "sync pedido: 0 inserted, 1 updated, 0 deleted, watermark 2024-05-03 00:00:00"
out=$("$corrente" migrate sync "$wm" --schema wm --tables evento --watermark rowid 2>&1)
check "rowid sync: inserts and deletes" contains "$out" "sync evento: 2 inserted, 0 updated, 1 deleted, watermark 12"
check "rowid pass logged" [ "$(q "select mode || ' ' || watermark from staging.migration_sync_log where target_schema = 'wm' order by id desc limit 1")" = "rowid 12" ]
out=$("$corrente" migrate sync "$wm" --schema wm --tables pedido --watermark rowid 2>&1); rc=$?
check "rowid pass on a table: ok (INTEGER PRIMARY KEY)" [ $rc -eq 0 ]
out=$("$corrente" migrate sync "$wm" --schema wm --tables pedido --watermark updated_at=nada 2>&1); rc=$?
check "unknown watermark column is an error" [ $rc -ne 0 ]
check "the error names the column" contains "$out" "no column nada"
out=$("$corrente" migrate sync "$wm" --schema wm 2>&1)
check "a full sync then finds the unstamped change (evento)" contains "$out" "sync evento: 0 inserted, 1 updated, 0 deleted"
check "a full sync then finds the unstamped change (pedido)" contains "$out" "sync pedido: 0 inserted, 1 updated, 0 deleted"
"$corrente" migrate verify "$wm" --schema wm >/dev/null 2>&1; check "verify after the watermark passes" [ $? -eq 0 ]

# kill -9 in the middle of the largest table, then the same command again.
CORRENTE_MIGRATE_TEST_KILL_AFTER=4000 "$corrente" migrate copy "$chinook" --schema crash --jobs 2 >/dev/null 2>&1
rc=$?
check "the first copy died of SIGKILL" [ $rc -eq 137 ]
check "no half table is visible" [ "$(q "select count(*) from staging.migration_tables where target_schema = 'crash' and table_name = 'PlaylistTrack'")" = "0" ]
out=$("$corrente" migrate copy "$chinook" --schema crash --jobs 2 2>&1); check "resume exits 0" [ $? -eq 0 ]
"$corrente" migrate verify "$chinook" --schema crash >/dev/null 2>&1; check "verify passes after resume" [ $? -eq 0 ]
check "no duplicate rows" [ "$(q 'select count(*) from (select distinct * from crash."PlaylistTrack") d')" = "8715" ]
out=$("$corrente" migrate copy "$chinook" --schema crash 2>&1)
check "a third run has nothing left to do" contains "$out" "0 tables loaded \(11 already done\)"
CORRENTE_MIGRATE_TEST_KILL_PHASE=constraints "$corrente" migrate copy "$chinook" --schema crash2 --jobs 1 >/dev/null 2>&1
check "killed in the constraint phase" [ $? -eq 137 ]
check "all tables were loaded before" [ "$(q "select count(*) from staging.migration_tables where target_schema = 'crash2' and status = 'loaded'")" = "11" ]
"$corrente" migrate copy "$chinook" --schema crash2 >/dev/null 2>&1; check "resume of the constraint phase" [ $? -eq 0 ]
check "keys, indexes and FKs all there once" [ "$(q "select count(*) filter (where contype = 'p') || '/' || count(*) filter (where contype = 'f') from pg_constraint where connamespace = 'crash2'::regnamespace")/$(q "select count(*) from pg_indexes where schemaname = 'crash2'")" = "11/11/$(q "select count(*) from pg_indexes where schemaname = 'chinook'")" ]
"$corrente" migrate verify "$chinook" --schema crash2 >/dev/null 2>&1; check "verify after the constraint-phase resume" [ $? -eq 0 ]
out=$("$corrente" migrate status 2>&1)
check "status shows the last verify" contains "$out" "last verify of crash: OK"
# copy --verify after an earlier partial run: the tables loaded now are verified from the
# rows as sent, those loaded before by reading the source again; both must match a
# separate verify.
"$corrente" migrate copy "$chinook" --schema crash3 --tables Artist Album Genre >/dev/null 2>&1
out=$("$corrente" migrate copy "$chinook" --schema crash3 --jobs 2 --verify 2>/dev/null); rc=$?
check "copy --verify resumes (exit 0)" [ $rc -eq 0 ]
check "copy --verify: all 11 tables match" contains "$out" "all 11 tables match"
check "copy --verify loaded the other 8 tables" contains "$out" "8 tables loaded \\(3 already done\\)"
check "copy --verify reports what a separate verify reports" [ "$(grep -E '^[A-Za-z]+ +[0-9]+ +[0-9]+ ' <<<"$out")" = "$("$corrente" migrate verify "$chinook" --schema crash3 2>/dev/null | grep -E '^[A-Za-z]+ +[0-9]+ +[0-9]+ ')" ]
q 'update crash3."Invoice" set "Total" = "Total" + 1 where "InvoiceId" = 7' >/dev/null
out=$("$corrente" migrate verify "$chinook" --schema crash3 2>/dev/null)
check "and the same verify still sees a change" contains "$out" "^Invoice .*MISMATCH"

# Large tables load in key ranges, one transaction each: a kill loses one range only.
python3 - "$work/ranged.db" <<'PY'
import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
c.execute("create table lote (id integer primary key, peso real not null, nota text)")
c.executemany("insert into lote values (?,?,?)", [(i, i / 8, 'lote %d' % i) for i in range(1, 10001)])
c.commit()
PY
ranged="sqlite://$work/ranged.db"
CORRENTE_MIGRATE_TEST_KILL_AFTER=5000 "$corrente" migrate copy "$ranged" --range-rows 2000 --jobs 1 >/dev/null 2>&1
check "a ranged copy killed in its third range" [ $? -eq 137 ]
check "two ranges of five are in" [ "$(q "select count(*) filter (where done) || '/' || count(*) || ' ' || (select count(*) from ranged.lote) from staging.migration_ranges where target_schema = 'ranged'")" = "2/5 4000" ]
out=$("$corrente" migrate status 2>&1)
check "status shows the ranges in" contains "$out" "ranged +lote +loading 2/5 +4000 "
out=$("$corrente" migrate copy "$ranged" --range-rows 2000 --jobs 2 --verify 2>&1); rc=$?
check "the same command resumes (exit 0)" [ $rc -eq 0 ]
check "only the three ranges left are loaded" contains "$out" "5 key ranges of id, 3 to load"
check "a resumed ranged table is verified from the source" contains "$out" "all 1 tables match"
check "(its source read again, not taken while loading)" lacks "$out" "source side taken while loading"
check "all rows once" [ "$(q "select count(*) || '/' || count(distinct id) || '/' || sum(peso) from ranged.lote")" = "10000/10000/6250625" ]
check "the table is loaded, then constrained" [ "$(q "select status || ' ' || rows_loaded from staging.migration_tables where target_schema = 'ranged'")" = "constrained 10000" ]
"$corrente" migrate verify "$ranged" >/dev/null 2>&1; check "verify passes after a range resume" [ $? -eq 0 ]
CORRENTE_MIGRATE_TEST_KILL_AFTER=5000 "$corrente" migrate copy "$ranged" --schema ranged3 --range-rows 2000 --jobs 1 >/dev/null 2>&1
q "delete from staging.migration_ranges where target_schema = 'ranged3'" >/dev/null
"$corrente" migrate copy "$ranged" --schema ranged3 --range-rows 2000 >/dev/null 2>&1
check "a 'loading' table whose range plan is gone is planned and loaded again, rows once" [ "$(q "select count(*) || '/' || count(distinct id) from ranged3.lote")" = "10000/10000" ]
out=$("$corrente" migrate copy "$ranged" --schema ranged2 --range-rows 3000 --jobs 2 --verify 2>&1)
check "copy --verify over ranges (stats merged per range)" contains "$out" "all 1 tables match"
check "the source side was taken while loading" contains "$out" "verify lote: source side taken while loading"
check "copy --verify over ranges reports what a separate verify reports" [ "$(grep -E '^lote ' <<<"$out")" = "$("$corrente" migrate verify "$ranged" --schema ranged2 2>/dev/null | grep -E '^lote ')" ]

# Key spans wider than int64 can count, a key at INT64_MAX, and a column named rowid (so the
# ranges must use another name of the rowid): every row lands once, and verify agrees.
python3 - "$work/spans.db" <<'PY'
import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
c.execute("create table ancho (id integer primary key, v text)")
c.executemany("insert into ancho values (?, ?)", [(-5 * 10**18, 'a'), (0, 'b'), (5 * 10**18, 'c')])
c.execute("create table tope (id integer primary key, v text)")
c.executemany("insert into tope values (?, ?)", [(1, 'a'), (2, 'b'), (2**63 - 1, 'c')])
c.execute('create table sombra ("rowid" integer, v text)')
c.executemany("insert into sombra values (?, ?)", [(None, 'a'), (7, 'b'), (3, 'c'), (9, 'd')])
c.commit()
PY
out=$("$corrente" migrate copy "sqlite://$work/spans.db" --range-rows 1 --jobs 2 --verify 2>&1); rc=$?
check "wide, INT64_MAX and shadowed-rowid tables in key ranges (exit 0)" [ $rc -eq 0 ]
check "all 10 rows landed" contains "$out" "10 rows, 0 rejected"
check "copy --verify: all 3 tables match" contains "$out" "all 3 tables match"
check "each table went in ranges" [ "$(q "select string_agg(table_name || ':' || n, ',' order by table_name) from (select table_name, count(*) n from staging.migration_ranges where target_schema = 'spans' and done group by 1) x")" = "ancho:3,sombra:4,tope:3" ]
check "the rows, once each" [ "$(q "select concat((select count(*) from spans.ancho), (select count(*) from spans.tope), (select count(*) || '/' || count(\"rowid\") from spans.sombra), (select max(id) from spans.tope))")" = "334/39223372036854775807" ]
"$corrente" migrate verify "sqlite://$work/spans.db" >/dev/null 2>&1; check "a separate verify agrees" [ $? -eq 0 ]

# A DEFAULT PostgreSQL cannot take as written is left out with a warning in the plan; it
# never fails the table.
python3 -c "import sqlite3, sys; c = sqlite3.connect(sys.argv[1]); c.execute(\"create table t (id integer primary key, n integer default 'abc')\"); c.commit()" "$work/baddef.db"
out=$("$corrente" migrate plan "sqlite://$work/baddef.db" 2>&1)
check "plan: the default is left out, with a warning" contains "$out" "WARNING t: column n: DEFAULT 'abc' is not a bigint value PostgreSQL can take as written; left out"
out=$("$corrente" migrate copy "sqlite://$work/baddef.db" 2>&1); rc=$?
check "a table with an untranslatable DEFAULT is copied (exit 0)" [ $rc -eq 0 ]
check "without that default" [ "$(q "select coalesce(column_default, 'none') from information_schema.columns where table_schema = 'baddef' and table_name = 't' and column_name = 'n'")" = "none" ]

# SQLite rules beyond Chinook: REAL, NUMERIC(p,s), BLOB, DATETIME, CHECK, DEFAULT, UNIQUE,
# a text value in an INTEGER column and invalid UTF-8 (both rejected row by row under
# --strict, which keeps the declared types; faithful_test.sh covers the default).
python3 - "$work/rules.db" <<'PY'
import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
c.executescript("""
create table producto (
  id integer primary key,
  sku text not null unique,
  precio numeric(8,2) not null default 0 check (precio >= 0),
  peso real,
  foto blob,
  alta datetime default current_timestamp,
  activo boolean not null default 1,
  stock integer check (stock >= 0)
);
create index producto_peso on producto (peso);
create table etiqueta (codigo text primary key, texto text, apodo text collate nocase) without rowid;
insert into etiqueta values ('b', 'beta', 'B'), ('a', 'alfa', 'A'), ('Z', 'zeta', 'z');
create table registro (momento text, valor real);
insert into registro values ('x', 1.5), ('x', 1.5);
""")
rows = [(1, 'A-1', 10.5, 0.1, b'\x00\x01\xff', '2024-01-02 03:04:05', 1, 5),
        (2, 'A-2', 3, 1e-7, None, '2024-02-29 23:59:59.123', 0, 0),
        (3, 'A-3', 7.25, -3.5, b'', None, 1, 'many'),
        (4, 'A-4', 1, 2.0, None, '2024-03-01', 1, 1)]
c.executemany("insert into producto values (?,?,?,?,?,?,?,?)", rows)
c.execute("insert into producto values (5, cast(x'41ff42' as text), 1, 1, null, null, 1, 1)")
c.commit()
PY
rules="sqlite://$work/rules.db"
out=$("$corrente" migrate copy "$rules" --strict 2>&1); check "copy rules" [ $? -eq 0 ]
check "two rows rejected" contains "$out" "8 rows, 2 rejected"
check "WITHOUT ROWID table copied, text in SQLite's byte order (COLLATE \"C\")" [ "$(q "select string_agg(codigo || '=' || texto, ',' order by codigo) from rules.etiqueta")" = "Z=zeta,a=alfa,b=beta" ]
check "SQLite BINARY text is COLLATE \"C\", NOCASE is not carried" [ "$(q "select string_agg(column_name || ':' || coalesce(collation_name, '-'), ',' order by ordinal_position) from information_schema.columns where table_schema = 'rules' and table_name = 'etiqueta'")" = "codigo:C,texto:C,apodo:-" ]
check "plan says so" contains "$("$corrente" migrate plan "$rules" 2>&1)" 'WARNING etiqueta: column apodo: SQLite collation NOCASE not carried'
check "key-less table keeps duplicates" [ "$(q 'select count(*) from rules.registro')" = "2" ]
check "reject reasons and keys" [ "$(q "select source_key || ':' || reason from staging.migration_rejects where target_schema = 'rules' order by 1")" = "$(printf 'id=3:not an integer: many\nid=5:invalid UTF-8 in column sku')" ]
check "types" [ "$(q "select string_agg(data_type, ',' order by ordinal_position) from information_schema.columns where table_schema = 'rules' and table_name = 'producto'")" = "bigint,text,numeric,double precision,bytea,timestamp without time zone,boolean,bigint" ]
check "REAL exact" [ "$(q 'select peso from rules.producto where id = 2')" = "1e-07" ]
check "BLOB exact" [ "$(q 'select foto from rules.producto where id = 1')" = '\x0001ff' ]
check "fractional timestamp" [ "$(q 'select alta from rules.producto where id = 2')" = "2024-02-29 23:59:59.123" ]
check "CHECKs carried" [ "$(q "select count(*) from pg_constraint where connamespace = 'rules'::regnamespace and contype = 'c'")" = "2" ]
check "UNIQUE carried" [ "$(q "select count(*) from pg_index i join pg_class c on c.oid = i.indrelid where c.relnamespace = 'rules'::regnamespace and i.indisunique and not i.indisprimary")" = "1" ]
check "index name kept" [ "$(q "select count(*) from pg_indexes where schemaname = 'rules' and indexname = 'producto_peso'")" = "1" ]
check "DEFAULT carried" [ "$(q "select column_default from information_schema.columns where table_schema = 'rules' and table_name = 'producto' and column_name = 'precio'")" = "0" ]
out=$("$corrente" migrate verify "$rules" --strict 2>&1); rc=$?
check "verify fails on rows refused at copy (exit 2)" [ $rc -eq 2 ]
check "and lists their keys" contains "$out" "2 source rows refused at copy, not in the target \(keys id=3, id=5 in staging.migration_rejects\)"
out=$("$corrente" migrate verify "$rules" --strict --accept-rejects 2>&1); check "verify --accept-rejects accounts for the rejects" [ $? -eq 0 ]
check "verify shows 5 source rows, 3 target, 2 rejects" contains "$out" "producto +5 +3 +2 "
check "and says they were accepted" contains "$out" "accepted \(--accept-rejects\): 2 source rows refused at copy"
check "in its last line too" contains "$out" "except 2 refused rows accepted with --accept-rejects"
out=$("$corrente" migrate copy "$rules" --strict --fresh --verify --accept-rejects 2>&1); check "copy --verify accounts for the rejects" [ $? -eq 0 ]
check "copy --verify shows 5 source rows, 3 target, 2 rejects" contains "$out" "producto +5 +3 +2 "

# Rows PostgreSQL itself refuses during COPY (here: a CHECK that rows written with
# ignore_check_constraints break) are isolated by bisection; the others land.
python3 - "$work/refused.db" <<'PY'
import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
c.executescript("""
create table movimiento (id integer primary key, cantidad integer not null check (cantidad >= 0),
                         nota text);
pragma ignore_check_constraints = on;
""")
c.executemany("insert into movimiento values (?,?,?)",
              [(i, -1 if i in (777, 4321) else i % 50, 'n%d' % i) for i in range(1, 10001)])
c.commit()
PY
refused="sqlite://$work/refused.db"
out=$("$corrente" migrate copy "$refused" 2>&1); check "copy with server-side refusals exits 0" [ $? -eq 0 ]
check "9998 rows landed, 2 rejected" contains "$out" "9998 rows, 2 rejected"
check "refused rows recorded with SQLSTATE and key" [ "$(q "select string_agg(source_key || ':' || left(reason, 29), ',' order by source_key) from staging.migration_rejects where target_schema = 'refused'")" = "id=4321:refused by PostgreSQL (23514),id=777:refused by PostgreSQL (23514)" ]
check "the CHECK holds on the target" [ "$(q "select count(*) from pg_constraint where connamespace = 'refused'::regnamespace and contype = 'c' and convalidated")" = "1" ]
check "good rows around the refused ones landed" [ "$(q "select count(*) from refused.movimiento where id in (776, 778, 4320, 4322)")" = "4" ]
"$corrente" migrate verify "$refused" >/dev/null 2>&1; check "verify fails on rows PostgreSQL refused" [ $? -eq 2 ]
out=$("$corrente" migrate verify "$refused" --accept-rejects 2>&1); check "verify --accept-rejects accounts for the refused rows" [ $? -eq 0 ]
check "verify shows 10000 source rows, 9998 target, 2 rejects" contains "$out" "movimiento +10000 +9998 +2 "
out=$("$corrente" migrate copy "$refused" --fresh --verify --accept-rejects 2>&1); check "copy --verify with refusals passes" [ $? -eq 0 ]
check "copy --verify shows 10000 source rows, 9998 target, 2 rejects" contains "$out" "movimiento +10000 +9998 +2 "
out=$("$corrente" migrate copy "$refused" --schema refused_r --range-rows 3000 --verify --accept-rejects 2>&1)
check "in key ranges, the refused rows are isolated in their range" contains "$out" "9998 rows, 2 rejected"
check "ranged copy --verify with refusals passes" contains "$out" "movimiento +10000 +9998 +2 .*OK"
out=$("$corrente" migrate diff "$refused" --table movimiento 2>&1); check "diff skips the refused rows (exit 0)" [ $? -eq 0 ]
out=$("$corrente" migrate sync "$refused" 2>&1); check "sync does not retry the refused rows" contains "$out" "sync movimiento: 0 inserted, 0 updated, 0 deleted"

# Keys that are not UTF-8, or long and alike: the label keeps every byte (\xNN when not
# UTF-8), so the reject can be stored and a refused key names one row only.
python3 - "$work/keys.db" <<'PY'
import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
c.executescript("create table codigo (code text primary key, v integer not null check (v >= 0)); pragma ignore_check_constraints = on;")
c.execute("insert into codigo values ('ok', 1)")
c.execute("insert into codigo values (cast(x'626164e16b6579' as text), 2)")
c.execute("insert into codigo values (?, -1)", ('x' * 70 + 'A',))
c.execute("insert into codigo values (?, 3)", ('x' * 70 + 'B',))
c.commit()
PY
out=$("$corrente" migrate copy "sqlite://$work/keys.db" --verify --accept-rejects 2>&1); rc=$?
check "copy --verify with a non-UTF-8 key and long alike keys (exit 0)" [ $rc -eq 0 ]
check "two rows in, two rejected" contains "$out" "2 rows, 2 rejected"
check "the non-UTF-8 key is stored escaped" [ "$(q "select source_key || ' ' || reason from staging.migration_rejects where target_schema = 'keys' and reason like 'invalid%'")" = 'code=bad\xe1key invalid UTF-8 in column code' ]
check "the refused long key is whole" [ "$(q "select length(source_key) from staging.migration_rejects where target_schema = 'keys' and reason like 'refused%'")" = "76" ]
check "verify tells the alike keys apart" contains "$out" "all 1 tables match"
# A backslash in a key is escaped too, so the text \xff and the byte ff label apart.
python3 - "$work/slash.db" <<'PY'
import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
c.executescript("create table b (k blob primary key, v integer not null check (v >= 0)); pragma ignore_check_constraints = on;")
c.execute("insert into b values (x'ff', -1)")
c.execute("insert into b values (?, 1)", ('\\xff',))
c.commit()
PY
out=$("$corrente" migrate copy "sqlite://$work/slash.db" --verify --accept-rejects 2>&1)
check "the refused byte key and the good text key are told apart" contains "$out" "all 1 tables match"
check "labels: k=\\xff refused" [ "$(q "select source_key from staging.migration_rejects where target_schema = 'slash'")" = 'k=\xff' ]

finish
