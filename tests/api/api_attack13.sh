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

check "db upgrade" quietly "$corrente" db upgrade
api_seed --items 6 --sites 2 --days 120 --no-demo-users
pw='Attack-Thirteen-Phrase-7'
add_users "$pw" a13_viewer:VIEWER a13_viewer2:VIEWER a13_other:VIEWER
# At debug level the server logs where a request waits (for a worker, for a request in flight):
# attack13.py waits on those lines, not on fixed sleeps.
export SERVE_LOG="$work/serve.log"
CORRENTE_LOG_LEVEL=debug check "serve answers" api_serve --workers 2 --max-in-flight 4

check "attack13.py" api_py attack13.py "$pw"

check "SIGTERM: exits 0" api_stop
check "the server logged no error" log_clean
finish
