#!/usr/bin/env bash
# The attack12 review's findings on the real binary: a login sent to "/api/v1/auth/login/" (the
# router takes it) is refused on the I/O thread and held a second like one to the exact path;
# `db dump` writes a file only its owner reads; `db load` refuses a dump that is not Corrente's,
# a truncated one, and a load that would drop other schemas' objects (nothing changed, exit 1),
# and writes its temporary files in a private directory (a planted symlink is not followed);
# no child process has the DSN's password on its command line; `pipeline run --stages nope` is
# bad usage (exit 2). attack12.py: override writes the table refuses are 400, not 500.
set -uo pipefail
corrente="$1"
here="$(cd "$(dirname "$0")" && pwd)"
. "$here/../lib.sh"
api_scratch api_attack12
other=api_attack12_other
trap '[ -n "$spid" ] && kill "$spid" 2>/dev/null; wait 2>/dev/null; rm -rf "$work"; psql "$main_url" -qAtc "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1; psql "$main_url" -qAtc "DROP DATABASE IF EXISTS $other WITH (FORCE)" >/dev/null 2>&1' EXIT
q() { psql "$DATABASE_URL" -qAtX -v ON_ERROR_STOP=1 -c "$1"; }

check "db upgrade" quietly "$corrente" db upgrade
api_seed --items 6 --sites 2 --days 60 --no-demo-users
out=$("$corrente" pipeline run --stages forecast,nope 2>&1); rc=$?
check "pipeline run --stages forecast,nope: bad usage (exit 2, as a bad --horizon), names the stage" \
  [ "$rc" -eq 2 ] && also contains "$out" "unknown stage 'nope'"
state() {  # what a load must not lose: tables, foreign keys, views, item rows
  q "select (select count(*) from pg_tables where schemaname in ('core','analytics','support','staging'))
     || '/' || (select count(*) from pg_constraint where contype = 'f')
     || '/' || (select count(*) from pg_views where schemaname in ('core','analytics','support'))
     || '/' || (select count(*) from core.dim_item)"
}
before=$(state)
owners() {
  q "select string_agg(tableowner || ':' || n, ',' order by tableowner) from (select tableowner, count(*) n
     from pg_tables where schemaname in ('core','analytics','support','staging') group by 1) o"
}
owners_before=$(owners)

# ---- db dump: the file holds password hashes and the audit log, so only its owner reads it.
dump="$work/a12.dump"
touch "$dump"; chmod 644 "$dump"
(umask 022; "$corrente" db dump "$dump" >/dev/null 2>&1); rc=$?
check "db dump: exit 0" [ "$rc" -eq 0 ] && also [ -s "$dump" ]
check "db dump over a 0644 file, umask 022: the dump is 0600" [ "$(stat -c %a "$dump")" = 600 ]
null_mode=$(stat -c %a /dev/null)
out=$("$corrente" db dump /dev/null 2>&1); rc=$?
# (exit 1 until attack15, pg_dump failing to fsync it: now written with --no-sync, as a pipe)
check "db dump /dev/null: exit 0, /dev/null keeps its mode ($null_mode) and stays a device" \
  [ "$rc" -eq 0 ] && also [ "$(stat -c %a /dev/null)" = "$null_mode" ] && also [ -c /dev/null ]

# ---- db load of a dump that is not Corrente's: a database with a lone "core" schema.
psql "$main_url" -qAtc "DROP DATABASE IF EXISTS $other WITH (FORCE)" >/dev/null
psql "$main_url" -qAtc "CREATE DATABASE $other" >/dev/null
other_url=$(with_db "$main_url" "$other")
psql "$other_url" -qAtX -c "CREATE SCHEMA core; CREATE TABLE core.x (i int); INSERT INTO core.x VALUES (1)"
bindir=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
"$bindir/pg_dump" --format=custom --file="$work/other.dump" --dbname="$other_url"
out=$("$corrente" db load "$work/other.dump" 2>&1); rc=$?
check "db load of another database's dump (a lone core schema): exit 1" [ "$rc" -eq 1 ] \
  && also contains "$out" 'not a dump of .corrente db dump.*nothing was changed'
check "  and nothing changed" [ "$(state)" = "$before" ]

"$bindir/pg_dump" --format=plain --file="$work/plain.sql" --dbname="$other_url"
out=$("$corrente" db load "$work/plain.sql" 2>&1); rc=$?
check "db load of a plain SQL dump: exit 1, says why" [ "$rc" -eq 1 ] \
  && also contains "$out" 'text format dump'
check "  and nothing changed" [ "$(state)" = "$before" ]

head -c $(( $(stat -c %s "$dump") * 2 / 3 )) "$dump" >"$work/truncated.dump"
out=$("$corrente" db load "$work/truncated.dump" 2>&1); rc=$?
check "db load of a truncated dump: exit 1" [ "$rc" -eq 1 ] && also contains "$out" 'nothing was changed'
check "  and nothing changed" [ "$(state)" = "$before" ]

# ---- objects of another schema built on the dump's (a view, a foreign key, a column type):
# DROP SCHEMA ... CASCADE took them silently.
q "CREATE SCHEMA a12_reporting;
   CREATE VIEW a12_reporting.items AS SELECT item_id, sku FROM core.dim_item;
   CREATE TABLE a12_reporting.notes (item_id int REFERENCES core.dim_item (item_id), note text);
   INSERT INTO a12_reporting.notes VALUES (1, 'keep me')"
out=$("$corrente" db load "$dump" 2>&1); rc=$?
check "db load with a view and a foreign key of another schema on core: exit 1, named" [ "$rc" -eq 1 ] \
  && also contains "$out" 'outside the dump.s schemas' && also contains "$out" 'view a12_reporting.items' \
  && also contains "$out" 'a12_reporting.notes'
check "  the view, the key and the note are still there" \
  [ "$(q "select count(*) from a12_reporting.items") $(q "select count(*) from pg_constraint where conrelid = 'a12_reporting.notes'::regclass and contype = 'f'") $(q "select note from a12_reporting.notes")" = "6 1 keep me" ]
q "DROP SCHEMA a12_reporting CASCADE" 2>/dev/null

# ---- temporary files: names another local user could plant in a shared TMPDIR.
mkdir -p "$work/tmp"; chmod 1777 "$work/tmp"
echo "victim" >"$work/victim"
(
  for name in "corrente-restore-$BASHPID.sql" "corrente-restore-list-$BASHPID" "corrente-bash-$BASHPID.log" \
              "corrente-restore-list-$BASHPID.log"; do
    ln -s "$work/victim" "$work/tmp/$name"
  done
  TMPDIR="$work/tmp" exec "$corrente" db load "$dump" >"$work/load.out" 2>&1
); rc=$?
check "db load with symlinks planted at its old temporary names: exit 0" [ "$rc" -eq 0 ] || cat "$work/load.out"
check "  the symlinks' target is untouched" [ "$(cat "$work/victim")" = victim ]
check "  no temporary file is left" [ "$(find "$work/tmp" -mindepth 1 ! -type l | wc -l)" = 0 ]
check "  the data is the dump's" [ "$(state)" = "$before" ]
check "  the tables keep their owners ($owners_before)" [ "$(owners)" = "$owners_before" ]
"$corrente" pipeline run --horizon 7 >"$work/run.log" 2>&1
check "  the pipeline (its own role) runs on the loaded database" [ $? -eq 0 ] || tail -3 "$work/run.log"

# ---- the password of DATABASE_URL on no child's command line (/proc/PID/cmdline is readable by
# every local user): psql and pg_dump were given the whole URL.
pass=$(python3 -c 'import sys, urllib.parse as u; print(u.unquote(u.urlparse(sys.argv[1]).password or ""))' "$DATABASE_URL")
check "the test's DATABASE_URL has a password" [ -n "$pass" ]
exposed() {  # exposed PID: 1 when PID or a process under it had the password in its arguments
  # Only PID's own tree: tests running beside this one (ctest -j) pass the shared test
  # cluster's URL to psql on their command lines.
  local seen=0
  while kill -0 "$1" 2>/dev/null; do
    ps -eo pid=,ppid=,args= | PW="$pass" awk -v root="$1" '
      { pid[NR] = $1; ppid[NR] = $2; line[NR] = $0 }
      END {
        tree[root] = 1
        do { grew = 0; for (i = 1; i <= NR; i++) if ((ppid[i] in tree) && !(pid[i] in tree)) { tree[pid[i]] = 1; grew = 1 } } while (grew)
        for (i = 1; i <= NR; i++) if ((pid[i] in tree) && index(line[i], ENVIRON["PW"])) f = 1
        exit !f
      }' && seen=1
    sleep 0.02
  done
  echo $seen
}
"$corrente" db load "$dump" >"$work/load2.out" 2>&1 &
lpid=$!; seen=$(exposed $lpid); wait $lpid; rc=$?
check "db load: exit 0, and the password on no command line meanwhile" [ "$rc" -eq 0 ] && also [ "$seen" = 0 ]
"$corrente" db dump "$work/again.dump" >/dev/null 2>&1 &
lpid=$!; seen=$(exposed $lpid); wait $lpid; rc=$?
check "db dump: exit 0, and the password on no command line meanwhile" [ "$rc" -eq 0 ] && also [ "$seen" = 0 ]
printf 'select pg_sleep(0.5);\n' | "$corrente" db psql >/dev/null 2>&1 &
lpid=$!; seen=$(exposed $lpid); wait $lpid; rc=$?
check "db psql: exit 0, and the password not on psql's command line" [ "$rc" -eq 0 ] && also [ "$seen" = 0 ]

# ---- the overrides (attack12.py), then a login at ".../login/": the router takes it, so must
# the login's own bounds.
pw='Attack-Twelve-Phrase-3'
add_users "$pw" a12_analyst:ANALYST a12_admin:ADMIN
check "serve answers" api_serve --login-rate-address 3/1
check "attack12.py" api_py attack12.py "$pw"
metric() { curl -s "http://127.0.0.1:$port/metrics" | awk -v m="$1" '$1 == m {print $2}'; }
login() {  # login PATH USER -> "status seconds"
  curl -s -o /dev/null -w '%{http_code} %{time_total}' -X POST "http://127.0.0.1:$port$1" \
    -H 'Content-Type: application/json' -d "{\"username\":\"$2\",\"password\":\"not-it\"}"
}
held0=$(metric http_held_total); refused0=$(metric auth_login_rate_address_refused_total)
r1=$(login /api/v1/auth/login/ nobody1); r2=$(login /api/v1/auth/login/ nobody2); r3=$(login /api/v1/auth/login/ nobody3)
check "two wrong logins at .../login/ are checked (401)" [ "${r1%% *}" = 401 ] && also [ "${r2%% *}" = 401 ]
check "the third, past the address's burst of 3 (one taken by attack12.py's login): 429" [ "${r3%% *}" = 429 ]
check "  held a second like one at the exact path (the tarpit): ${r3#* } s" \
  python3 -c "import sys; sys.exit(0 if float('${r3#* }') >= 0.9 else 1)"
check "  refused before a worker (auth_login_rate_address_refused_total +1, http_held_total +1)" \
  [ "$(metric auth_login_rate_address_refused_total)" = $((refused0 + 1)) ] \
  && also [ "$(metric http_held_total)" = $((held0 + 1)) ]
r4=$(login /api/v1/auth/login nobody4)
check "the exact path, the same address: 429 too, held" [ "${r4%% *}" = 429 ]

check "SIGTERM: exits 0" api_stop
check "the server logged no error" log_clean
finish
