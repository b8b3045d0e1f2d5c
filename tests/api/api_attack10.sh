#!/usr/bin/env bash
# The attack10 review's findings on the real `corrente serve` (tests/api/attack10.py): clients
# that stop reading a large CSV export are cut within --send-stall and free their export slots;
# a flood of logins on a throttled account writes one audit row at once and one summary when
# the server stops (not a row per attempt); override and simulation bodies are bounded (413)
# and refuse unknown fields (400); obsolete line folding, a missing or repeated Host and a
# repeated Authorization are 400; "//api/..." carries the API's private cache headers.
set -uo pipefail
corrente="$1"
here="$(cd "$(dirname "$0")" && pwd)"
. "$here/../lib.sh"
api_scratch api_attack10
q() { psql "$DATABASE_URL" -qAtX -v ON_ERROR_STOP=1 -c "$1"; }

check "db upgrade" quietly "$corrente" db upgrade
api_seed --items 10 --sites 2 --days 30 --no-demo-users
pw='Attack-Ten-Phrase-4'
add_users "$pw" a10_admin:ADMIN a10_admin2:ADMIN a10_analyst:ANALYST a10_viewer:VIEWER a10_locked:VIEWER
check "users" [ "$(q "select count(*) from support.users where username like 'a10_%'")" = 5 ]
out=$(echo "$pw" | "$corrente" user add A10_VIEWER --role ADMIN --password-stdin 2>&1); rc=$?
check "user add refuses A10_VIEWER beside a10_viewer (names differing in case are one account to the throttles)" [ "$rc" -ne 0 ] \
  && also [ "$(q "select count(*) from support.users where lower(username) = 'a10_viewer'")" = 1 ]
# About 30 MB of audit log to export: far more than the socket buffers of a client that stops reading.
q "INSERT INTO support.audit_logs (actor, action, entity_type, details)
   SELECT 'bulk', 'BULK_ROW', 'x', jsonb_build_object('pad', repeat('x', 400)) FROM generate_series(1, 60000)"

# A request timeout far above the send stall: a non-reader held until the request timeout
# (the old rule) stays past the test's bound.
check "serve answers" api_serve --request-timeout 90 --login-rate-address 1000/600

check "attack10.py" api_py attack10.py "$pw"

# The throttled flood's summary is written when the server stops (or its window ends).
check "SIGTERM: exits 0" api_stop
rows=$(q "select count(*) from support.audit_logs where actor = 'a10_locked' and details->>'reason' = 'throttled'")
check "40 throttled attempts: 2 audit rows (the first, then one summary), not 40 ($rows)" [ "$rows" = 2 ]
summary=$(q "select (details->>'attempts') || ' ' || (select count(*) from jsonb_object_keys(details->'addresses'))
             from support.audit_logs where actor = 'a10_locked' and details->>'summary' = 'true'")
check "  the summary counts the other 39 and their 4 addresses ($summary)" [ "$summary" = "39 4" ]
check "  which add up to 39" [ "$(q "select sum(value::int) from support.audit_logs, jsonb_each_text(details->'addresses') where actor = 'a10_locked' and details->>'summary' = 'true'")" = 39 ]
check "the server logged no error" log_clean
finish
