#!/usr/bin/env bash
# The attack14 review on the real binary (attack14.py): a keep-alive connection's requests share
# a token check only while it is current (pipelined tokens of other roles, spellings of the
# header, a logout, logout-all, demotion, deactivation, password reset or refresh between two
# requests, expiry in the middle of a connection); HEAD and 304 keep the connection's framing;
# targets split directly and by Boost.URL route the same; a client with one request in flight at
# a time is never refused 429.
set -uo pipefail
corrente="$1"
here="$(cd "$(dirname "$0")" && pwd)"
. "$here/../lib.sh"
api_scratch api_attack14

"$corrente" db upgrade >/dev/null 2>&1; check "db upgrade" [ $? -eq 0 ]
"$corrente" seed --items 6 --sites 2 --days 120 --no-demo-users >/dev/null 2>&1; check "seed" [ $? -eq 0 ]
pw='Attack-Fourteen-Phrase-9'
for u in a14_admin:ADMIN a14_victim:ADMIN a14_viewer:VIEWER; do
  echo "$pw" | "$corrente" user add "${u%%:*}" --role "${u#*:}" --password-stdin >/dev/null 2>&1
done
port=$(free_port)
# Tokens of 10 s (the shortest allowed), so that one expires in the middle of a connection.
CORRENTE_JWT_TTL_SECONDS=10 "$corrente" serve --port "$port" --workers 2 >"$work/serve.log" 2>&1 &
spid=$!
wait_http "http://127.0.0.1:$port/health" 30; check "serve answers" [ $? -eq 0 ]

BASE="http://127.0.0.1:$port" DSN="$DATABASE_URL" PASSWORD="$pw" python3 "$here/attack14.py"
check "attack14.py" [ $? -eq 0 ]

kill -TERM "$spid"; wait "$spid"; rc=$?; spid=""
check "SIGTERM: exits 0" [ "$rc" -eq 0 ]
check "the server logged no error" lacks "$(cat "$work/serve.log")" '"level":"error"|\[error\]'
finish
