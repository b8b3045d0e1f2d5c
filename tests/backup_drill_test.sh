#!/usr/bin/env bash
# The restore drill on a real managed cluster with pgBackRest: write, back up, write, note the
# time, write, restore to the noted time and check the exact rows; then the latest restore,
# the backup list, a logical dump loaded into another home, and the polite refusal with
# DATABASE_URL. Prints how long the drill took.
set -uo pipefail
corrente="$1"
. "$(dirname "$0")/lib.sh"
unset DATABASE_URL CORRENTE_PG_PORT CORRENTE_BACKUP_REPO
command -v pgbackrest >/dev/null || { echo "pgbackrest is not installed (scripts/deps.sh test)"; exit 1; }
# Durability settings as in production: this cluster is backed up and restored.
unset CORRENTE_PG_FAST
h1=$(mktemp -d /tmp/corrente-drill1.XXXX) h2=$(mktemp -d /tmp/corrente-drill2.XXXX)
h3=$(mktemp -d /tmp/corrente-drill3.XXXX) repo=$(mktemp -d /tmp/corrente-repo.XXXX)
chmod 755 "$h1" "$h2" "$h3" "$repo"
cleanup() {
  CORRENTE_HOME="$h1" "$corrente" db stop >/dev/null 2>&1
  CORRENTE_HOME="$h2" "$corrente" db stop >/dev/null 2>&1
  CORRENTE_HOME="$h3" "$corrente" db stop >/dev/null 2>&1
  rm -rf "$h1" "$h2" "$h3" "$repo"
}
trap cleanup EXIT
export CORRENTE_HOME="$h1"
q() { psql "$("$corrente" db url)" -qAtX -v ON_ERROR_STOP=1 -c "$1"; }

"$corrente" db start >/dev/null 2>&1; check "db start" [ $? -eq 0 ]
check "wal_level is replica" [ "$(q 'show wal_level')" = "replica" ]
check "archive_mode is on" [ "$(q 'show archive_mode')" = "on" ]
check "archive_command is pgBackRest's" contains "$(q 'show archive_command')" "pgbackrest .*--stanza=corrente archive-push %p"
check "pg_stat_statements is installed" [ "$(q "select count(*) from pg_extension where extname = 'pg_stat_statements'")" = "1" ]
check "the repository is under CORRENTE_HOME" [ -f "$h1/backup/backup/corrente/backup.info" ]

out=$("$corrente" db backups 2>&1); rc=$?
check "db backups before any backup: exit 3" [ $rc -eq 3 ]
check "and says how to make one" contains "$out" "corrente db backup"

start=$(date +%s.%N)
q "create table drill (id int primary key, note text)"
q "insert into drill select g, 'before backup' from generate_series(1, 3) g"
out=$("$corrente" db backup 2>&1); check "full backup" [ $? -eq 0 ] || echo "$out"
q "insert into drill select g, 'after backup' from generate_series(4, 6) g"
sleep 1
noted=$(q "select to_char(clock_timestamp() at time zone 'UTC', 'YYYY-MM-DD HH24:MI:SS.US') || '+00'")
sleep 1
q "insert into drill select g, 'after the noted time' from generate_series(7, 9) g"
q "update drill set note = 'changed late' where id = 1"
out=$("$corrente" db restore --to "$noted" 2>&1); check "restore --to the noted time" [ $? -eq 0 ] || echo "$out"
check "restore says where it went" grep -qF "restored to $noted in" <<<"$out"
check "exactly rows 1-6 are back" [ "$(q "select string_agg(id::text, ',' order by id) from drill")" = "1,2,3,4,5,6" ]
check "with their notes as of that time" [ "$(q "select note from drill where id = 1")" = "before backup" ]
check "the restored cluster accepts writes" q "insert into drill values (10, 'after the restore')"
end=$(date +%s.%N)
printf 'restore drill (write, backup, write, restore to a point in time, check): %.1f s\n' "$(echo "$end - $start" | bc)"

# An incremental backup on the new timeline, then the latest-state restore loses nothing.
out=$("$corrente" db backup --incr 2>&1); check "incremental backup" [ $? -eq 0 ] || echo "$out"
q "insert into drill values (11, 'after the incremental backup')"
out=$("$corrente" db restore 2>&1); check "restore to the end of the archive" [ $? -eq 0 ] || echo "$out"
check "every committed row is there" [ "$(q "select string_agg(id::text, ',' order by id) from drill")" = "1,2,3,4,5,6,10,11" ]

out=$("$corrente" db backups 2>&1); check "db backups" [ $? -eq 0 ]
echo "$out"
check "lists the full backup with sizes" contains "$out" "F +full +20[0-9-]+T[0-9:]+Z +20[0-9-]+T[0-9:]+Z +[0-9.]+ MiB +[0-9.]+ [KM]iB"
check "lists the incremental one" contains "$out" "I +incr "
check "gives the restorable range" contains "$out" "restorable from 20[0-9-]+T"
out=$("$corrente" db backup --diff --incr 2>&1); check "--diff with --incr is refused" [ $? -ne 0 ]

# Retention: with 1 full backup kept, a new full one expires the old and its incremental.
out=$(CORRENTE_BACKUP_RETENTION_FULL=1 "$corrente" db backup --full 2>&1); check "full backup keeping one" [ $? -eq 0 ] || echo "$out"
out=$(CORRENTE_BACKUP_RETENTION_FULL=1 "$corrente" db backups 2>&1)
check "only the newest backup is left" [ "$(grep -cE ' (full|diff|incr) ' <<<"$out")" -eq 1 ]

# A logical dump moves the database to another home.
"$corrente" db dump "$h1/drill.dump" >/dev/null 2>&1; check "db dump" [ $? -eq 0 ]
check "it is pg_dump's custom format" [ "$(head -c 5 "$h1/drill.dump")" = "PGDMP" ]
CORRENTE_HOME="$h2" "$corrente" db load "$h1/drill.dump" >/dev/null 2>&1; check "db load into another home" [ $? -eq 0 ]
check "the rows arrived" [ "$(CORRENTE_HOME="$h2" q "select string_agg(id::text, ',' order by id) from drill")" = "1,2,3,4,5,6,10,11" ]
CORRENTE_HOME="$h2" "$corrente" db load "$h1/drill.dump" >/dev/null 2>&1; check "loading again replaces (no duplicates)" [ $? -eq 0 ]
check "still the same rows" [ "$(CORRENTE_HOME="$h2" q "select count(*) from drill")" = "8" ]
out=$(CORRENTE_HOME="$h2" "$corrente" db load "$h1/missing.dump" 2>&1); check "a missing dump is an error" [ $? -ne 0 ]

# Upgrade with a schema migration (docs/operations.md): back up, upgrade, history, and the
# way back with the down scripts.
"$corrente" db upgrade --to 56 >/dev/null 2>&1; check "schema at V056" [ $? -eq 0 ]
"$corrente" db backup >/dev/null 2>&1; check "backup before the upgrade" [ $? -eq 0 ]
out=$("$corrente" db upgrade 2>&1); check "db upgrade" [ $? -eq 0 ]
check "it applied the newer migrations" contains "$out" "applied [1-9][0-9]* migration\(s\); schema at V(5[89]|[6-9][0-9])$"
check "history shows V058 ok" contains "$("$corrente" db history)" "V058 +updated_at_triggers .* ok"
check "the updated_at triggers exist" [ "$(q "select count(*) > 0 from pg_trigger where tgname = 'set_updated_at'")" = "t" ]
out=$("$corrente" db downgrade --to 56 2>&1); check "db downgrade --to 56" [ $? -eq 0 ] || echo "$out"
check "the triggers are gone" [ "$(q "select count(*) from pg_trigger where tgname = 'set_updated_at'")" = "0" ]
check "and the function" [ "$(q "select count(*) from pg_proc where proname = 'set_updated_at'")" = "0" ]
"$corrente" db upgrade >/dev/null 2>&1; check "upgrade again after the downgrade" [ $? -eq 0 ]

# Migration cutover rollback (docs/operations.md): back up, note the time, the cutover loads a
# legacy store, then the rollback restores to the noted time. Timed.
python3 - "$h1/legacy.db" <<'PY'
import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
c.execute("create table stock (id integer primary key, qty integer)")
c.executemany("insert into stock values (?, ?)", [(i, i) for i in range(1, 1001)])
c.commit()
PY
"$corrente" db backup --incr >/dev/null 2>&1; check "backup before the cutover" [ $? -eq 0 ]
sleep 1
noted=$(q "select to_char(clock_timestamp() at time zone 'UTC', 'YYYY-MM-DD HH24:MI:SS.US') || '+00'")
sleep 1
"$corrente" migrate copy "sqlite://$h1/legacy.db" --schema legacy >/dev/null 2>&1; check "the cutover's copy" [ $? -eq 0 ]
check "the legacy rows are in" [ "$(q "select count(*) from legacy.stock")" = 1000 ]
start=$(date +%s.%N)
out=$("$corrente" db restore --to "$noted" 2>&1); check "rollback: restore to before the cutover" [ $? -eq 0 ] || echo "$out"
end=$(date +%s.%N)
check "the copied schema is gone" [ "$(q "select count(*) from pg_namespace where nspname = 'legacy'")" = 0 ]
check "the rest is intact" [ "$(q "select count(*) from drill")" = 8 ]
printf 'cutover rollback (restore to before the cutover, started and accepting writes): %.1f s\n' "$(echo "$end - $start" | bc)"

# A repository elsewhere (CORRENTE_BACKUP_REPO): WAL and backups go there, none in the home.
out=$(CORRENTE_HOME="$h3" CORRENTE_BACKUP_REPO="$repo/corrente" "$corrente" db backup 2>&1)
check "backup into CORRENTE_BACKUP_REPO" [ $? -eq 0 ] || echo "$out"
check "the backup is there" [ -f "$repo/corrente/backup/corrente/backup.info" ]
check "and its WAL" [ -n "$(ls "$repo/corrente/archive/corrente/" 2>/dev/null)" ]
check "nothing in the home's default place" [ ! -e "$h3/backup/backup" ]
check "db backups lists it" contains "$(CORRENTE_HOME="$h3" CORRENTE_BACKUP_REPO="$repo/corrente" "$corrente" db backups)" "^repository $repo/corrente .*status: ok"

# With DATABASE_URL the physical backup commands explain and refuse; nothing is half-done.
for cmd in "backup" "backups" "restore"; do
  out=$(DATABASE_URL="$("$corrente" db url)" "$corrente" db $cmd 2>&1); rc=$?
  check "db $cmd with DATABASE_URL refuses" [ $rc -ne 0 ]
  check "db $cmd explains what the server needs" contains "$out" "archive_command.*"
done
check "and points to the logical dump" contains "$out" "corrente db dump"
finish
