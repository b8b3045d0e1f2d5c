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

check "db upgrade" quietly "$corrente" db upgrade
api_seed --items 6 --sites 2 --days 120 --no-demo-users
pw='Coalesce-Twelve-Phrase-3'
add_users "$pw" co_viewer:VIEWER co_viewer2:VIEWER co_analyst:ANALYST
# At debug level the server logs where a request waits (for a worker, for a request in flight):
# coalesce.py waits on those lines, not on fixed sleeps.
export SERVE_LOG="$work/serve.log"
CORRENTE_LOG_LEVEL=debug check "serve answers" api_serve --workers 2 --max-in-flight 4

check "coalesce.py" api_py coalesce.py "$pw"

check "SIGTERM: exits 0" api_stop
check "the server logged no error" log_clean
finish
