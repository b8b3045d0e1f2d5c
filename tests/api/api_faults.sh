#!/usr/bin/env bash
# Faults on a cluster this test owns (its own CORRENTE_HOME, never the shared ctest one):
# a PostgreSQL restart under load (503 + Retry-After, no crash, recovery without restarting
# the server), production mode refusing to start without a JWT secret, the development
# secret file's mode, the CORS allow-list, and SIGTERM exiting 0.
set -uo pipefail
corrente="$1"
here="$(cd "$(dirname "$0")" && pwd)"
. "$here/../lib.sh"
unset DATABASE_URL CORRENTE_JWT_SECRET
# A fixed port of its own: the restart below must come back where the server looks for it.
export CORRENTE_HOME=$(mktemp -d /tmp/corrente-faults.XXXXXX) CORRENTE_PG_FAST=1 CORRENTE_PG_PORT=$(free_pg_port)
chmod 755 "$CORRENTE_HOME"  # the unprivileged postgres user must reach its data directory
spid=""
cleanup() {
  [ -n "$spid" ] && kill "$spid" 2>/dev/null
  "$corrente" db stop >/dev/null 2>&1
  rm -rf "$CORRENTE_HOME"
}
trap cleanup EXIT

"$corrente" db start >/dev/null 2>&1; check "own cluster starts" [ $? -eq 0 ]
"$corrente" db upgrade >/dev/null 2>&1
out=$("$corrente" seed --items 10 --sites 2 --days 60 2>&1); check "seed" [ $? -eq 0 ]
admin_pw=$(sed -n 's/^demo login: admin \/ \(\S*\) .*/\1/p' <<<"$out")
dburl=$("$corrente" db url)  # given to serve only: `db stop/start` manage nothing when DATABASE_URL is set

# Production mode without a secret: refuses to start, saying why.
port=$(free_port)
out=$(DATABASE_URL="$dburl" CORRENTE_ENV=production timeout 30 "$corrente" serve --port "$port" 2>&1); rc=$?
check "production without a JWT secret refuses to start" [ $rc -ne 0 ] && also [ $rc -ne 124 ]
check "and names CORRENTE_JWT_SECRET" contains "$out" "CORRENTE_JWT_SECRET"
check "and created no secret file" [ ! -e "$CORRENTE_HOME/jwt_secret" ]
out=$(DATABASE_URL="$dburl" CORRENTE_ENV=production CORRENTE_JWT_SECRET=short timeout 30 "$corrente" serve --port "$port" 2>&1); rc=$?
check "a short secret is refused" [ $rc -ne 0 ] && also contains "$out" "32 bytes"

# Development: the secret is generated into a 0600 file.
DATABASE_URL="$dburl" CORRENTE_CORS_ORIGINS="https://dash.example, https://other.example" "$corrente" serve --port "$port" >"$CORRENTE_HOME/serve.log" 2>&1 &
spid=$!
wait_http "http://127.0.0.1:$port/health" 30; check "serve answers" [ $? -eq 0 ]
check "development secret file is 0600" [ "$(stat -c %a "$CORRENTE_HOME/jwt_secret")" = 600 ]
check "and holds 64 hex chars" [ "$(tr -d '\n' <"$CORRENTE_HOME/jwt_secret" | wc -c)" = 64 ]
token=$(curl -s -XPOST "http://127.0.0.1:$port/api/v1/auth/login" -d "{\"username\":\"admin\",\"password\":\"$admin_pw\"}" |
        python3 -c 'import json,sys; print(json.load(sys.stdin)["data"]["access_token"])')
check "login" [ -n "$token" ]

# CORS allow-list.
h=$(curl -s -D - -o /dev/null -H "Origin: https://dash.example" -H "Authorization: Bearer $token" "http://127.0.0.1:$port/api/v1/items")
check "CORS: an allowed origin is echoed" contains "$h" "^Access-Control-Allow-Origin: https://dash.example"
h=$(curl -s -D - -o /dev/null -H "Origin: https://evil.example" -H "Authorization: Bearer $token" "http://127.0.0.1:$port/api/v1/items")
check "CORS: another origin is not" bash -c '! grep -qi "^Access-Control-Allow-Origin" <<<"$0"' "$h"
h=$(curl -s -D - -o /dev/null -X OPTIONS -H "Origin: https://other.example" -H "Access-Control-Request-Method: PATCH" "http://127.0.0.1:$port/api/v1/alerts/1/resolve")
check "CORS: preflight from an allowed origin is 204 with methods" contains "$h" "^Access-Control-Allow-Methods: .*PATCH"

# PostgreSQL restart under load.
stop_file="$CORRENTE_HOME/stop-load"
python3 "$here/load.py" "http://127.0.0.1:$port" "$token" "$stop_file" >"$CORRENTE_HOME/load.json" &
lpid=$!
sleep 2
"$corrente" db stop >/dev/null 2>&1; check "database stopped under load" [ $? -eq 0 ]
sleep 3
code=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $token" "http://127.0.0.1:$port/api/v1/items?limit=7&offset=3")
check "while down, an uncached request is 503" [ "$code" = 503 ]
h=$(curl -s -D - -o /dev/null "http://127.0.0.1:$port/health")
check "while down, /health is 503 with Retry-After" contains "$h" "^Retry-After: "
check "the server is alive while the database is down" kill -0 "$spid"
"$corrente" db start >/dev/null 2>&1; check "database started again" [ $? -eq 0 ]
recovered=1
for i in $(seq 1 100); do
  code=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $token" "http://127.0.0.1:$port/api/v1/items?limit=9&offset=$i")
  [ "$code" = 200 ] && { recovered=0; break; }
  sleep 0.2
done
check "recovers without restarting the server" [ $recovered -eq 0 ]
sleep 2
touch "$stop_file"; wait "$lpid"
summary=$(cat "$CORRENTE_HOME/load.json"); echo "load: $summary"
check "load saw 503s, each with Retry-After" python3 -c '
import json, sys; s = json.loads(sys.argv[1])
sys.exit(0 if s["503_with_retry_after"] > 0 and s["503_without_retry_after"] == 0 else 1)' "$summary"
check "load saw only 200 and 503 (no 500s) and no dropped connections" python3 -c '
import json, sys; s = json.loads(sys.argv[1])
sys.exit(0 if set(s["status"]) <= {"200", "503"} and s["transport_errors"] == 0 else 1)' "$summary"
code=$(curl -s -o /dev/null -w '%{http_code}' -XPOST "http://127.0.0.1:$port/api/v1/auth/login" -d "{\"username\":\"admin\",\"password\":\"$admin_pw\"}")
check "login works after the restart" [ "$code" = 200 ]
check "/health is healthy again" contains "$(curl -s "http://127.0.0.1:$port/health")" '"status":"healthy"'
check "the server never restarted" kill -0 "$spid"
kill -TERM "$spid"; wait "$spid"; rc=$?; spid=""
check "SIGTERM: exits 0" [ $rc -eq 0 ]
[ "$FAIL" -eq 0 ] || tail -30 "$CORRENTE_HOME/serve.log"
finish
