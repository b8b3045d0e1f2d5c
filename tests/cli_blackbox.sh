#!/usr/bin/env bash
# The real binary against the ctest run's managed cluster (CORRENTE_HOME is set by ctest):
# help and exit codes, migrations, seeding, user management, and /health over real HTTP.
set -uo pipefail
corrente="$1"
. "$(dirname "$0")/lib.sh"
unset DATABASE_URL
url=$("$corrente" db url)
q() { psql "$url" -Atc "$1"; }
pids=()
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done' EXIT

out=$("$corrente" --help); check "--help exits 0" [ $? -eq 0 ]
for sub in db seed user serve demo; do check "--help lists $sub" contains "$out" "^  $sub "; done
out=$("$corrente" bogus 2>&1); check "unknown subcommand exits 2" [ $? -eq 2 ]
check "  naming it" contains "$out" "^corrente: unknown subcommand 'bogus'"
# Every nested group too (CLI11 said only 'A subcommand is required').
for group in db "db replica" user pipeline migrate; do
  out=$("$corrente" $group bogus 2>&1); rc=$?
  check "corrente $group bogus exits 2, naming it" [ $rc -eq 2 ] \
    && also contains "$out" "^corrente $group: unknown subcommand 'bogus'"
done
out=$("$corrente" db 2>&1); check "corrente db alone exits 2" [ $? -eq 2 ] && also lacks "$out" "unknown subcommand"
"$corrente" seed --items -3 >/dev/null 2>&1; check "bad --items exits 2" [ $? -eq 2 ]

"$corrente" db upgrade 2>/dev/null; check "db upgrade" [ $? -eq 0 ]
out=$("$corrente" db downgrade --to 9999 2>&1); rc=$?
check "db downgrade --to above the schema's version is bad usage (exit 2)" [ $rc -eq 2 ]
check "  and says so" contains "$out" "above the schema's version"
# attack13: 'db upgrade --to -5' applied nothing and exited 0; downgrade's message printed
# DBL_MAX as the range's end.
out=$("$corrente" db upgrade --to -5 2>&1); rc=$?
check "db upgrade --to -5 is bad usage (exit 2)" [ $rc -eq 2 ] && also contains "$out" "not in range 1 to 9999"
out=$("$corrente" db downgrade --to -1 2>&1); rc=$?
check "db downgrade --to -1 is bad usage (exit 2), a readable range" [ $rc -eq 2 ] \
  && also contains "$out" "not in range 0 to 9999"
# attack14: 'db upgrade --to' past the binary's newest migration or below the schema's version
# applied nothing and exited 0 ("schema at V73"); CLI11 read '--to 0x10' as 16.
newest=$(q "select max(version) from support.schema_migrations")
out=$("$corrente" db upgrade --to 9999 2>&1); rc=$?
check "db upgrade --to 9999 (no such migration) is bad usage (exit 2)" [ $rc -eq 2 ] \
  && also contains "$out" "above this binary's newest migration, V$newest"
out=$("$corrente" db upgrade --to 1 2>&1); rc=$?
check "db upgrade --to 1 (below the schema's V$newest) is bad usage (exit 2)" [ $rc -eq 2 ] \
  && also contains "$out" "below the schema's version, V$newest"
"$corrente" db upgrade --to "$newest" >/dev/null 2>&1; check "db upgrade --to V$newest (the schema's): exit 0" [ $? -eq 0 ]
for bad in 0x10 ' 5' +5; do
  out=$("$corrente" db upgrade --to "$bad" 2>&1); rc=$?
  check "db upgrade --to '$bad' is bad usage (exit 2)" [ $rc -eq 2 ] && also contains "$out" "not a version number"
done
out=$("$corrente" db downgrade --to 0x1000 2>&1); rc=$?
check "db downgrade --to 0x1000 is bad usage (exit 2)" [ $rc -eq 2 ] && also contains "$out" "not a version number"
out=$(CORRENTE_HASH_THREADS=abc timeout 30 "$corrente" serve --port 1 2>&1); rc=$?
check "serve refuses a numeric variable that is not a number" [ $rc -ne 0 ]
check "  naming it" contains "$out" \
  "CORRENTE_HASH_THREADS must be a whole number from 1 to 64, got 'abc'"
for bad in 2.5 0x10 ' 4'; do  # attack13: strtod read these as 2, 16 and 4
  out=$(CORRENTE_HASH_THREADS="$bad" timeout 30 "$corrente" serve --port 1 2>&1); rc=$?
  check "serve refuses CORRENTE_HASH_THREADS='$bad'" [ $rc -ne 0 ] \
    && also contains "$out" "CORRENTE_HASH_THREADS must be a whole number from 1 to 64, got '$bad'"
done
out=$("$corrente" db history 2>/dev/null)
check "history lists V001..V004 as ok" [ "$(grep -cE '^V00[1-4] .* ok$' <<<"$out")" -eq 4 ]

out=$("$corrente" seed --items 40 --sites 3 --days 200 --seed 11 2>&1); check "seed a small database" [ $? -eq 0 ]
check "seed prints the three demo logins" [ "$(grep -c '^demo login: ' <<<"$out")" -eq 3 ]
check "items loaded" [ "$(q 'select count(*) from core.dim_item')" = "40" ]
check "inventory is dense: items x sites x days" [ "$(q 'select count(*) from core.fact_inventory_daily')" = "$((40 * 3 * 200))" ]
check "history ends yesterday" [ "$(q "select max(full_date) = current_date - 1 from core.fact_inventory_daily")" = "t" ]
before=$(q 'select count(*) from core.fact_demand_daily')
out=$("$corrente" seed --items 10 2>&1); rc=$?
check "seed on a non-empty database is refused" [ $rc -eq 1 ]
check "the refusal mentions --force" contains "$out" "--force"
check "nothing changed" [ "$(q 'select count(*) from core.fact_demand_daily')" = "$before" ]

# Users from the command line.
echo "short" | "$corrente" user add alice --role ANALYST --password-stdin >/dev/null 2>&1
check "a weak password is refused" [ $? -eq 1 ]
check "and no user was created" [ "$(q "select count(*) from support.users where username='alice'")" = "0" ]
echo "Vn8-kept-Secret" | "$corrente" user add alice --role ANALYST --password-stdin 2>/dev/null
check "user add with a strong password" [ $? -eq 0 ]
check "stored as argon2id" contains "$(q "select password_hash from support.users where username='alice'")" '^\$argon2id\$v=19\$m=19456,t=2'
echo "Vn8-kept-Secret" | "$corrente" user add alice --role ANALYST --password-stdin >/dev/null 2>&1
check "a duplicate user is refused" [ $? -eq 1 ]
echo "x" | "$corrente" user add bob --role GOD --password-stdin >/dev/null 2>&1
check "an unknown role is a usage error" [ $? -eq 2 ]
echo "Other-Pass-77x" | "$corrente" user passwd alice --password-stdin 2>/dev/null; check "user passwd" [ $? -eq 0 ]
echo "Other-Pass-77x" | "$corrente" user passwd nobody --password-stdin >/dev/null 2>&1; check "passwd of an unknown user fails" [ $? -eq 1 ]
check "user list shows alice" contains "$("$corrente" user list 2>/dev/null)" "alice +ANALYST"
check "user writes are audited" [ "$(q "select count(*) from support.audit_logs where action in ('USER_CREATE','USER_PASSWORD_RESET')")" -ge 2 ]
evil="x'); DROP TABLE support.users; --"
echo "Vn8-kept-Secret" | "$corrente" user add "$evil" --role VIEWER --password-stdin >/dev/null 2>&1
check "an injection-shaped username is refused" [ $? -ne 0 ]
check "users table intact" [ "$(q "select count(*) from support.users")" -ge 4 ]

# /health over real HTTP.
port=$(free_port)
"$corrente" serve --port "$port" >/tmp/corrente-serve-$$.log 2>&1 & pids+=($!); spid=$!
wait_http "http://127.0.0.1:$port/health"
body=$(curl -s -w '\n%{http_code}' "http://127.0.0.1:$port/health")
check "/health is 200" [ "$(tail -1 <<<"$body")" = "200" ]
check "/health says healthy and connected" contains "$body" '"status":"healthy".*"database":"connected"|"database":"connected".*"status":"healthy"'
check "/health has a timestamp" contains "$body" '"timestamp":"[0-9T:-]+Z"'
check "/health reports data freshness" contains "$body" '"latest_demand_date":"[0-9-]+"'
check "/health gives no versions without a token" lacks "$body" '"(postgres_)?version"'
token=$(curl -s -XPOST "http://127.0.0.1:$port/api/v1/auth/login" -d '{"username":"alice","password":"Other-Pass-77x"}' |
        python3 -c 'import json,sys; print(json.load(sys.stdin)["data"]["access_token"])')
body=$(curl -s -H "Authorization: Bearer $token" "http://127.0.0.1:$port/health")
check "/health with a valid token gives corrente's version" contains "$body" '"version":"[0-9]+\.[0-9]+\.[0-9]+"'
check "and PostgreSQL's, exactly" grep -qF "\"postgres_version\":\"$(q 'show server_version')\"" <<<"$body"
code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/api/v1/nope"); check "unknown API path is 404" [ "$code" = "404" ]
code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/nope.js"); check "a missing file is 404" [ "$code" = "404" ]
code=$(curl -s -o /dev/null -w '%{http_code}' -X POST "http://127.0.0.1:$port/health"); check "wrong method is 405" [ "$code" = "405" ]
code=$(curl -s -o /dev/null -w '%{http_code}' -X POST --data-binary @<(head -c 2000000 /dev/zero) "http://127.0.0.1:$port/health")
check "a 2 MB body is 413" [ "$code" = "413" ]
out=$("$corrente" serve --port "$port" 2>&1); rc=$?
check "a busy explicit --port is an error" [ $rc -eq 1 ]
check "which says the address is in use" contains "$out" "in use"
kill -TERM "$spid"; wait "$spid"; rc=$?
check "SIGTERM: serve exits 0" [ $rc -eq 0 ]

# Database unreachable: 503 degraded with Retry-After, no crash.
port=$(free_port)
DATABASE_URL="postgresql://u:p@127.0.0.1:1/x" "$corrente" serve --port "$port" >/dev/null 2>&1 & pids+=($!); spid=$!
wait_http "http://127.0.0.1:$port/health"
hdrs=$(curl -s -D - "http://127.0.0.1:$port/health")
check "/health is 503 without a database" contains "$hdrs" "^HTTP/1.1 503"
check "with Retry-After" contains "$hdrs" "^Retry-After: "
check "and says degraded, disconnected" contains "$hdrs" '"status":"degraded".*|"database":"disconnected"'
check "and gives no versions" lacks "$hdrs" '"(postgres_)?version"'
check "the server is still alive" kill -0 "$spid"
kill -TERM "$spid"; wait "$spid"

# A DATABASE_URL user who may neither create nor join roles (no CREATEROLE): the migrations
# apply, the commands say the roles are not set up, and carry on as that user.
plain="plain_cli_$$" pw="pw$RANDOM$RANDOM"
q "CREATE ROLE $plain LOGIN PASSWORD '$pw'" >/dev/null
q "CREATE DATABASE $plain OWNER $plain" >/dev/null
plain_url=$(with_db "$url" "$plain" | sed -E "s#//[^@]+@#//$plain:$pw@#")
out=$(DATABASE_URL="$plain_url" "$corrente" user list 2>&1); rc=$?
check "without CREATEROLE: a command still works" [ $rc -eq 0 ]
check "and warns that the roles are not set up" contains "$out" "least-privilege roles are not set up"
check "and runs as that user (it owns the tables)" \
  [ "$(psql "$plain_url" -Atc "select tableowner from pg_tables where schemaname = 'core' and tablename = 'dim_item'")" = "$plain" ]
q "DROP DATABASE $plain WITH (FORCE)" >/dev/null
q "DROP ROLE $plain" >/dev/null

# corrente forecast on 40 real M4 Weekly series: the global model competes, and can be left out.
m4="$(dirname "$0")/fixtures/m4-weekly/Weekly-train.csv"
tmpf=$(mktemp -d); head -41 "$m4" > "$tmpf/in.csv"
"$corrente" forecast "$tmpf/in.csv" -H 13 -m 52 -o "$tmpf/g.csv" 2>"$tmpf/g.err"
check "forecast exits 0" [ $? -eq 0 ]
check "one row per series" [ "$(($(wc -l < "$tmpf/g.csv") - 1))" -eq 40 ]
check "the global model is fitted and said so" contains "$(cat "$tmpf/g.err")" "^global model: [0-9]+ training windows; chosen or combined for [0-9]+ of 40 series"
"$corrente" forecast "$tmpf/in.csv" -H 13 -m 52 --no-global -o "$tmpf/n.csv" 2>"$tmpf/n.err"
check "--no-global exits 0" [ $? -eq 0 ]
check "--no-global: no series uses it" [ "$(grep -c global "$tmpf/n.csv")" -eq 0 ]
check "--no-global: nothing said of it" [ ! -s "$tmpf/n.err" ]
head -11 "$m4" > "$tmpf/few.csv"
"$corrente" forecast "$tmpf/few.csv" -H 13 -m 52 -o "$tmpf/f.csv" 2>"$tmpf/f.err"
check "10 series: too few for a global model" [ "$(grep -c global "$tmpf/f.csv" "$tmpf/f.err" | awk -F: '{s+=$2} END {print s}')" -eq 0 ]
rm -rf "$tmpf"
# `db` as an operator meets it: every subcommand's --help, and its errors with no cluster, a
# stopped one, a wrong DATABASE_URL and a CORRENTE_HOME it may not write: one line (stdout for
# status and backups, "corrente: ..." on stderr otherwise) and the README's exit code.
one_line() { [ -n "$1" ] && [ "$(printf '%s\n' "$1" | wc -l)" -eq 1 ]; }
for sub in start stop status url psql upgrade downgrade history grant backup backups restore dump load "replica add"; do
  out=$("$corrente" db $sub --help 2>&1); check "db $sub --help exits 0" [ $? -eq 0 ] && also contains "$out" "^Usage: corrente db $sub"
done
opdir=$(mktemp -d); chmod 755 "$opdir"; mkdir -m 755 "$opdir/none" "$opdir/stopped"
for c in stop status url "url --role api" backups restore; do
  out=$(CORRENTE_HOME="$opdir/none" "$corrente" db $c 2>&1); rc=$?
  case "$c" in stop) want=0 ;; status | backups) want=3 ;; *) want=1 ;; esac
  check "no cluster: db $c exits $want in one line" [ $rc -eq $want ] && also one_line "$out" || echo "$out"
done
check "  and made no cluster" [ ! -e "$opdir/none/pg/data" ]
check "  db restore says there is nothing to restore" contains "$(CORRENTE_HOME="$opdir/none" "$corrente" db restore 2>&1)" "^corrente: no cluster under .*: nothing to restore"
if CORRENTE_HOME="$opdir/stopped" CORRENTE_PG_FAST=1 "$corrente" db start >/dev/null 2>&1 &&
   CORRENTE_HOME="$opdir/stopped" "$corrente" db stop >/dev/null 2>&1; then
  for c in stop status "url --role api" restore; do
    out=$(CORRENTE_HOME="$opdir/stopped" "$corrente" db $c 2>&1); rc=$?
    case "$c" in stop) want=0 ;; status) want=3 ;; *) want=1 ;; esac
    check "stopped cluster: db $c exits $want in one line" [ $rc -eq $want ] && also one_line "$out" || echo "$out"
  done
  check "  db url --role says to start it" contains "$(CORRENTE_HOME="$opdir/stopped" "$corrente" db url --role api 2>&1)" "is stopped: run 'corrente db start' first"
  check "  db restore with no backup says so" contains "$(CORRENTE_HOME="$opdir/stopped" "$corrente" db restore 2>&1)" "no backups yet in .*: nothing to restore"
  check "  and left the cluster stopped" [ "$(CORRENTE_HOME="$opdir/stopped" "$corrente" db status >/dev/null 2>&1; echo $?)" = 3 ]
else
  not_ok "a second cluster for the stopped-cluster errors"
fi
echo "a dump to keep" >"$opdir/keep.dump"
bad_urls=("postgresql://corrente:s3cret@127.0.0.1:1/corrente" "$(sed -E 's#//([^:]+):[^@]*@#//\1:wrong-password@#' <<<"$url")"
          "$(with_db "$url" no_such_db)" "postgresql://corrente:s3cret@[bad")
bad_names=("no server on the port" "a wrong password" "no such database" "an unparsable URL")
for i in 0 1 2 3; do
  bad=${bad_urls[$i]}
  for c in start stop status psql upgrade downgrade history grant backup backups restore "dump $opdir/keep.dump" "load $opdir/keep.dump" "replica add"; do
    out=$(DATABASE_URL="$bad" timeout 60 "$corrente" db $c 2>&1 </dev/null); rc=$?
    case "$c" in status) want=3 ;; *) want=1 ;; esac
    check "DATABASE_URL with ${bad_names[$i]}: db ${c%% *} exits $want in one line" [ $rc -eq $want ] && also one_line "$out" \
      && also lacks "$out" "s3cret|wrong-password" || echo "$out"
  done
done
check "  a failed dump left the previous file as it was" [ "$(cat "$opdir/keep.dump")" = "a dump to keep" ]
check "  and no partial file beside it" [ "$(ls "$opdir" | grep -c partial)" = 0 ]
# CORRENTE_HOME this user may not write (as root, run as nobody: root writes anywhere).
mkdir -m 555 "$opdir/ro"
as=()
[ "$(id -u)" = 0 ] && as=(runuser -u nobody --)
if [ ${#as[@]} -eq 0 ] || "${as[@]}" test -x "$corrente"; then
  for c in start upgrade; do
    out=$(CORRENTE_HOME="$opdir/ro/home" "${as[@]}" "$corrente" db $c 2>&1); rc=$?
    check "CORRENTE_HOME not writable: db $c exits 1 in one line" [ $rc -eq 1 ] && also one_line "$out" \
      && also contains "$out" "Permission denied.*CORRENTE_HOME \($opdir/ro/home\) must be writable by this user" || echo "$out"
  done
else
  echo "skip: nobody cannot run $corrente (its directories are not searchable)"
fi
rm -rf "$opdir"
finish
