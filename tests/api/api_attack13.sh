#!/usr/bin/env bash
# The attack13 review's findings on the real binary. attack13.py: request coalescing shares no
# response about the lead's caller (its 401 when its token ended while it waited for a worker),
# and a follower whose own token ended while it waited is refused, not answered the lead's data;
# one account stores at most an eighth of the response cache.
set -uo pipefail
corrente="$1"
here="$(cd "$(dirname "$0")" && pwd)"
. "$here/../lib.sh"
api_scratch api_attack13

"$corrente" db upgrade >/dev/null 2>&1; check "db upgrade" [ $? -eq 0 ]
"$corrente" seed --items 6 --sites 2 --days 120 --no-demo-users >/dev/null 2>&1; check "seed" [ $? -eq 0 ]
pw='Attack-Thirteen-Phrase-7'
for u in a13_viewer a13_viewer2 a13_other; do
  echo "$pw" | "$corrente" user add "$u" --role VIEWER --password-stdin >/dev/null 2>&1
done
port=$(free_port)
"$corrente" serve --port "$port" --workers 2 --max-in-flight 4 >"$work/serve.log" 2>&1 &
spid=$!
wait_http "http://127.0.0.1:$port/health" 30; check "serve answers" [ $? -eq 0 ]

BASE="http://127.0.0.1:$port" DSN="$DATABASE_URL" PASSWORD="$pw" python3 "$here/attack13.py"
check "attack13.py" [ $? -eq 0 ]

kill -TERM "$spid"; wait "$spid"; rc=$?; spid=""
check "SIGTERM: exits 0" [ "$rc" -eq 0 ]
check "the server logged no error" lacks "$(cat "$work/serve.log")" '"level":"error"|\[error\]'
finish
