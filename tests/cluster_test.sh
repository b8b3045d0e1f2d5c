#!/usr/bin/env bash
# The managed cluster as a user (and CI, as root) drives it: start, url, status, stale pid
# files, busy ports, kill -9, two homes side by side, and clear errors.
set -uo pipefail
corrente="$1"
. "$(dirname "$0")/lib.sh"
unset DATABASE_URL CORRENTE_PG_PORT
export CORRENTE_PG_FAST=1
h1=$(mktemp -d /tmp/corrente-cl1.XXXX) h2=$(mktemp -d /tmp/corrente-cl2.XXXX)
chmod 755 "$h1" "$h2"
listener=""
cleanup() {
  [ -n "$listener" ] && kill "$listener" 2>/dev/null
  CORRENTE_HOME="$h1" "$corrente" db stop >/dev/null 2>&1
  CORRENTE_HOME="$h2" "$corrente" db stop >/dev/null 2>&1
  rm -rf "$h1" "$h2"
}
trap cleanup EXIT
export CORRENTE_HOME="$h1"

"$corrente" db status >/dev/null; check "status of a fresh home exits 3" [ $? -eq 3 ]
"$corrente" db url >/dev/null 2>&1; check "url without a cluster fails" [ $? -ne 0 ]
out=$("$corrente" db start 2>&1); check "db start succeeds" [ $? -eq 0 ]
url=$("$corrente" db url 2>/dev/null)
check "db url prints exactly one URL line" contains "$url" '^postgresql://corrente:[A-Za-z0-9]+@127\.0\.0\.1:[0-9]+/corrente\?sslmode=verify-full&sslrootcert=/[^&]+/ca\.crt$'
check "db url prints nothing else" [ "$(printf '%s\n' "$url" | wc -l)" -eq 1 ]
check "psql connects with that URL" [ "$(psql "$url" -Atc 'select 40+2')" = "42" ]
check "password file is 0600" [ "$(stat -c %a "$h1/pg/superuser.password")" = "600" ]
if [ "$(id -u)" -eq 0 ]; then
  check "as root, data dir belongs to postgres" [ "$(stat -c %U "$h1/pg/data")" = "postgres" ]
  check "as root, the server does not run as root" [ "$(psql "$url" -Atc "select 1" >/dev/null && ps -o user= -p "$(head -1 "$h1/pg/data/postmaster.pid")")" = "postgres" ]
fi
"$corrente" db start >/dev/null 2>&1; check "db start is idempotent" [ $? -eq 0 ]
check "status says running" contains "$("$corrente" db status)" '^running on 127\.0\.0\.1:'

# A second home runs side by side on another port.
port1=$(cat "$h1/pg/port")
CORRENTE_HOME="$h2" "$corrente" db start >/dev/null 2>&1; check "second home starts" [ $? -eq 0 ]
check "second home has another port" [ "$(cat "$h2/pg/port")" != "$port1" ]
CORRENTE_HOME="$h2" "$corrente" db stop >/dev/null 2>&1

# kill -9 leaves a stale postmaster.pid; start recovers.
pid=$(head -1 "$h1/pg/data/postmaster.pid")
kill -9 "$pid"; sleep 0.5
pkill -9 -f -- "-D $h1/pg/data" 2>/dev/null; sleep 0.5
check "pid file is left behind" [ -f "$h1/pg/data/postmaster.pid" ]
out=$("$corrente" db start 2>&1); check "start after kill -9 succeeds" [ $? -eq 0 ]
check "it says it removed the stale pid file" contains "$out" "stale"
check "data survived the crash" [ "$(psql "$("$corrente" db url)" -Atc 'select 1')" = "1" ]

# A pid file naming a dead process is recovered from.
"$corrente" db stop >/dev/null 2>&1
printf '999999\n%s\n' "$h1/pg/data" > "$h1/pg/data/postmaster.pid"
"$corrente" db start >/dev/null 2>&1; check "start with a dead pid in postmaster.pid" [ $? -eq 0 ]
"$corrente" db stop >/dev/null 2>&1
"$corrente" db status >/dev/null; check "status after stop exits 3" [ $? -eq 3 ]

# The recorded port is taken by someone else: say so and pick another.
ready="$h2/listening"
python3 -c "import socket,time; s=socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(('127.0.0.1', $port1)); s.listen(); open('$ready','w').close(); time.sleep(120)" &
listener=$!
for _ in $(seq 100); do [ -f "$ready" ] && break; sleep 0.1; done
check "a listener holds port $port1" [ -f "$ready" ]
out=$("$corrente" db start 2>&1); check "start with the port busy succeeds" [ $? -eq 0 ]
check "it says the port is busy" contains "$out" "port $port1 is busy"
check "it moved to another port" [ "$(cat "$h1/pg/port")" != "$port1" ]
"$corrente" db stop >/dev/null 2>&1
out=$(CORRENTE_PG_PORT=$port1 "$corrente" db start 2>&1); rc=$?
check "an explicit busy CORRENTE_PG_PORT is an error" [ $rc -ne 0 ]
check "which names the port" contains "$out" "port $port1 .*busy"
kill "$listener"; listener=""

# Missing server binaries name the package.
out=$(CORRENTE_PG_BINDIR=/nonexistent "$corrente" db start 2>&1); rc=$?
check "missing binaries: non-zero exit" [ $rc -ne 0 ]
check "missing binaries: names the Debian package" contains "$out" "postgresql-15"

# DATABASE_URL that does not connect: one clear line with host, port and reason.
out=$(DATABASE_URL="postgresql://u:secret@127.0.0.1:1/x" "$corrente" db upgrade 2>&1); rc=$?
check "bad DATABASE_URL: exit 1" [ $rc -eq 1 ]
check "bad DATABASE_URL: names host, port and reason" contains "$out" "127\.0\.0\.1:1.*(refused|connect)"
check "bad DATABASE_URL: one line" [ "$(printf '%s\n' "$out" | wc -l)" -eq 1 ]
check "bad DATABASE_URL: no password in the message" bash -c "! grep -q secret <<<'$out'"
out=$(DATABASE_URL="postgresql://u@127.0.0.1:1/x" "$corrente" db start 2>&1); rc=$?
check "db start with DATABASE_URL refuses to manage" [ $rc -ne 0 ]
finish
