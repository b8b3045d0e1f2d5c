#!/usr/bin/env bash
# The real `corrente serve` under a connection flood (CI size): 1,500 idle, 100 slowloris and
# 50 slow-body connections with short timeouts, then the same past a small --max-connections.
# The server must stay up, answer /health throughout, close every flood connection at its
# timeout, and log no error. The 5,000-connection version is bench/flood.
set -uo pipefail
corrente="$1"
here="$(cd "$(dirname "$0")" && pwd)"
. "$here/../lib.sh"
ulimit -n 8192 2>/dev/null || ulimit -n 4096 2>/dev/null || true
api_scratch api_flood
check "db upgrade on $db" quietly "$corrente" db upgrade

check "serve answers" api_serve --header-timeout 2 --request-timeout 3
python3 "$here/flood.py" 127.0.0.1 "$port" --idle 1500 --slowloris 100 --slow-body 50 \
  --seconds 5 --pid "$spid" --expect-closed
check "flood under the cap: alive, /health answered, every flood connection closed" [ $? -eq 0 ]
metrics=$(curl -s "http://127.0.0.1:$port/metrics")
check "metrics report the connection cap" contains "$metrics" '^http_connections_max [0-9]+'
check "no errors logged" [ "$(grep -ci 'error\|segv\|abort' "$work/serve.log")" = 0 ]
check "SIGTERM after the flood: exits 0" api_stop

check "serve with --max-connections 200" api_serve --max-connections 200
python3 "$here/flood.py" 127.0.0.1 "$port" --idle 1000 --slowloris 0 --slow-body 0 --seconds 3 --pid "$spid"
check "flood past the cap: alive, and /health still answered (idle evicted)" [ $? -eq 0 ]
metrics=$(curl -s "http://127.0.0.1:$port/metrics")
evicted=$(sed -n 's/^http_connections_evicted_total \([0-9]*\)$/\1/p' <<<"$metrics")
check "idle connections were evicted at the cap ($evicted)" [ "${evicted:-0}" -ge 800 ]
check "the cap held" [ "$(sed -n 's/^http_connections_open \([0-9]*\)$/\1/p' <<<"$metrics")" -le 200 ]
check "the cap is logged" grep -q "at most 200 open" "$work/serve.log"
check "SIGTERM: exits 0" api_stop
[ "$FAIL" -eq 0 ] || tail -20 "$work/serve.log"
finish
