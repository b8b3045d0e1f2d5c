#!/usr/bin/env bash
# Request coalescing on the real `corrente serve` (tests/api/coalesce.py): a burst of identical
# uncached requests is computed once and all get the same bytes (cache_coalesced_total), roles
# and formats are not mixed, an invalidation starts a new computation, a lead with nothing to
# share (a streamed export) sends its followers to compute themselves; and a revocation landing
# between a request's token check on the I/O thread and its worker is honoured.
set -uo pipefail
corrente="$1"
here="$(cd "$(dirname "$0")" && pwd)"
. "$here/../lib.sh"
api_scratch api_coalesce

"$corrente" db upgrade >/dev/null 2>&1; check "db upgrade" [ $? -eq 0 ]
"$corrente" seed --items 6 --sites 2 --days 120 --no-demo-users >/dev/null 2>&1; check "seed" [ $? -eq 0 ]
pw='Coalesce-Twelve-Phrase-3'
for u in co_viewer:VIEWER co_viewer2:VIEWER co_analyst:ANALYST; do
  echo "$pw" | "$corrente" user add "${u%%:*}" --role "${u##*:}" --password-stdin >/dev/null 2>&1
done
port=$(free_port)
"$corrente" serve --port "$port" --workers 2 --max-in-flight 4 >"$work/serve.log" 2>&1 &
spid=$!
wait_http "http://127.0.0.1:$port/health" 30; check "serve answers" [ $? -eq 0 ]

BASE="http://127.0.0.1:$port" DSN="$DATABASE_URL" PASSWORD="$pw" python3 "$here/coalesce.py"
check "coalesce.py" [ $? -eq 0 ]

kill -TERM "$spid"; wait "$spid"; rc=$?; spid=""
check "SIGTERM: exits 0" [ "$rc" -eq 0 ]
check "the server logged no error" lacks "$(cat "$work/serve.log")" '"level":"error"|\[error\]'
finish
