#!/usr/bin/env bash
# migrate sync --follow, the cutover's dual run: changes in a live SQLite source reach the
# target pass after pass; the lag is printed and shown by `migrate status`; an unreadable source
# makes passes fail and back off without touching the target, then it catches up; kill -9
# during a pass loses nothing (the restart catches up and verify matches); a pass in which
# one table fails commits no table's changes; SIGTERM stops it.
set -uo pipefail
corrente="$1"
fixtures="$(cd "$(dirname "$0")/.." && pwd)/fixtures"
. "$(dirname "$0")/common.sh"
fpid=""
trap '[ -n "$fpid" ] && kill -9 "$fpid" 2>/dev/null; cleanup_db' EXIT
export CORRENTE_LOG_FORMAT=json

cp "$fixtures/chinook.sqlite" "$work/live.db"
live="sqlite://$work/live.db"
"$corrente" migrate copy "$live" --schema live >/dev/null 2>&1; check "copy" [ $? -eq 0 ]
src() { python3 -c "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.executescript(sys.argv[2]); c.commit()" "$work/live.db" "$1"; }
wait_for() {  # wait_for SQL EXPECTED SECONDS
  local i
  for i in $(seq 1 $(($3 * 10))); do
    [ "$(q "$1")" = "$2" ] && return 0
    sleep 0.1
  done
  return 1
}

"$corrente" migrate sync "$live" --schema live --follow --interval 0.5 >"$work/follow.log" 2>&1 &
fpid=$!
wait_for "select count(*) >= 11 from staging.migration_sync_log where target_schema = 'live'" t 30
check "the first pass syncs the 11 tables" [ $? -eq 0 ]
src "insert into Genre (GenreId, Name) values (26, 'Fado'); update Track set UnitPrice = 1.29 where TrackId = 1; delete from Playlist where PlaylistId = 4"
wait_for "select count(*) from live.\"Genre\" where \"Name\" = 'Fado'" 1 30; check "an insert in the source reaches the target" [ $? -eq 0 ]
wait_for "select \"UnitPrice\"::text from live.\"Track\" where \"TrackId\" = 1" 1.29 30; check "  and an update" [ $? -eq 0 ]
wait_for "select count(*) from live.\"Playlist\" where \"PlaylistId\" = 4" 0 30; check "  and a delete" [ $? -eq 0 ]
check "each pass prints its lag" grep -qE '^pass [0-9]+: .* lag [0-9.]+ s; next in 0 s' "$work/follow.log"
out=$("$corrente" migrate status 2>&1)
check "migrate status shows the sync lag" contains "$out" 'sync lag of live: [0-9]+ s'

# The source becomes unreadable: passes fail and back off, the target is left as it was.
rows=$(q 'select count(*) from live."Track"')
mv "$work/live.db" "$work/live.db.away"
# The pass under way when it went (its file already open) ends well; the next one fails. Not a
# fixed sleep: a pass of chinook takes seconds on a loaded machine.
for _ in $(seq 1 600); do grep -qE '^pass [0-9]+ FAILED' "$work/follow.log" && break; sleep 0.1; done
check "a pass fails while the source is away, and backs off" grep -qE '^pass [0-9]+ FAILED after .*retry in [1-9][0-9]* s' "$work/follow.log"
check "  the target is untouched" [ "$(q 'select count(*) from live."Track"')" = "$rows" ]
check "  and it keeps running" kill -0 "$fpid"
mv "$work/live.db.away" "$work/live.db"
src "insert into Genre (GenreId, Name) values (27, 'Forró')"
wait_for "select count(*) from live.\"Genre\" where \"GenreId\" = 27" 1 40; check "it catches up once the source is back" [ $? -eq 0 ]

# One pass is one transaction: a table the target refuses fails the pass, and the other
# tables' changes of that pass are not committed either; once the target takes it, both land.
q "alter table live.\"Genre\" add constraint no_samba check (\"Name\" <> 'Samba')" >/dev/null
failed=$(grep -c FAILED "$work/follow.log")
src "insert into Artist (ArtistId, Name) values (300, 'Cartola'); insert into Genre (GenreId, Name) values (28, 'Samba')"
for _ in $(seq 1 300); do [ "$(grep -c FAILED "$work/follow.log")" -gt "$failed" ] && break; sleep 0.1; done
check "a pass with a refused row fails" [ "$(grep -c FAILED "$work/follow.log")" -gt "$failed" ]
check "  naming the table and the constraint" grep -qE '^pass [0-9]+ FAILED .*Genre: .*no_samba' "$work/follow.log"
check "  and the other table's change of that pass is not committed" [ "$(q 'select count(*) from live."Artist" where "ArtistId" = 300')" = "0" ]
check "  nor logged" [ "$(q "select count(*) from staging.migration_sync_log where target_schema = 'live' and table_name = 'Artist' and rows_inserted > 0")" = "0" ]
q 'alter table live."Genre" drop constraint no_samba' >/dev/null
wait_for "select count(*) from live.\"Artist\" where \"ArtistId\" = 300" 1 40; check "once the target takes it, the next pass brings both" [ $? -eq 0 ]
check "  (the Genre row too)" [ "$(q 'select count(*) from live."Genre" where "GenreId" = 28')" = "1" ]

# kill -9 in the middle of a big pass (many changes), then a restart catches up.
src "update Track set Milliseconds = Milliseconds + 1"
sleep 0.3
kill -9 "$fpid"; wait "$fpid" 2>/dev/null; fpid=""
"$corrente" migrate sync "$live" --schema live --follow --interval 0.5 --max-passes 1 >"$work/restart.log" 2>&1
check "after kill -9, one pass catches up" [ $? -eq 0 ]
"$corrente" migrate verify "$live" --schema live >"$work/verify.log" 2>&1
check "  and verify matches the source" [ $? -eq 0 ] || tail -5 "$work/verify.log"

# SIGTERM ends it cleanly.
logged=$(q "select count(*) from staging.migration_sync_log where target_schema = 'live'")
"$corrente" migrate sync "$live" --schema live --follow --interval 0.5 >"$work/term.log" 2>&1 &
fpid=$!
# Its first pass logged (a pass that started in the last 2 s missed a pass of more than 2 s).
wait_for "select count(*) >= $logged + 11 from staging.migration_sync_log where target_schema = 'live'" t 60
check "the restarted --follow completes a pass" [ $? -eq 0 ]
kill -TERM "$fpid"
for _ in $(seq 1 100); do kill -0 "$fpid" 2>/dev/null || break; sleep 0.1; done
wait "$fpid"; rc=$?; fpid=""
check "SIGTERM stops it with exit 0" [ $rc -eq 0 ]
check "--follow is in --help" contains "$("$corrente" migrate sync --help)" '--follow'
finish
