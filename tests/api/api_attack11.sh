#!/usr/bin/env bash
# The attack11 review's findings on the real `corrente serve` (tests/api/attack11.py): one
# account's slow requests hold at most half the workers (429 past it) while another account's
# are answered; user names differing only in case are one account even when created at the same
# moment (V072), and `db upgrade` stops naming names that already collide; demand and forecast
# sums past numeric(18,4) are answered, not 500; two approvals of one override at once.
set -uo pipefail
corrente="$1"
here="$(cd "$(dirname "$0")" && pwd)"
. "$here/../lib.sh"
api_scratch api_attack11
q() { psql "$DATABASE_URL" -qAtX -v ON_ERROR_STOP=1 -c "$1"; }

check "db upgrade" quietly "$corrente" db upgrade
api_seed --items 6 --sites 2 --days 120 --no-demo-users
pw='Attack-Eleven-Phrase-7'
add_users "$pw" a11_admin:ADMIN a11_analyst:ANALYST a11_analyst2:ANALYST a11_viewer:VIEWER
check "users" [ "$(q "select count(*) from support.users where username like 'a11_%'")" = 4 ]
# Names that collide in case, as a race before V072 could leave them: the upgrade names them.
"$corrente" db downgrade --to 71 >/dev/null 2>&1; check "db downgrade --to 71" [ $? -eq 0 ]
hash=$(q "select password_hash from support.users where username = 'a11_viewer'")
q "insert into support.users (username, password_hash, role) values ('Clash.One', '$hash', 'VIEWER'), ('clash.one', '$hash', 'ADMIN')"
out=$("$corrente" db upgrade 2>&1); rc=$?
check "db upgrade with Clash.One and clash.one: fails" [ "$rc" -ne 0 ] \
  && also contains "$out" 'differ only in case: Clash\.One \(user_id [0-9]+\), clash\.one \(user_id [0-9]+\)'
check "  and stays at V071" [ "$(q "select max(version) from support.schema_migrations")" = 71 ]
q "update support.users set username = 'clash.two' where username = 'clash.one'"
"$corrente" db upgrade >/dev/null 2>&1; check "renamed: db upgrade passes" [ $? -eq 0 ]
out=$(q "insert into support.users (username, password_hash, role) values ('CLASH.TWO', '$hash', 'VIEWER')" 2>&1)
check "a direct INSERT of CLASH.TWO beside clash.two: unique violation" contains "$out" 'ux_users_username_lower'
"$corrente" db downgrade --to 71 >/dev/null 2>&1; check "db downgrade --to 71" [ $? -eq 0 ] \
  && also [ "$(q "select count(*) from pg_indexes where indexname = 'ux_users_username_lower'")" = 0 ]
"$corrente" db upgrade >/dev/null 2>&1; check "db upgrade again" [ $? -eq 0 ]

"$corrente" pipeline run --horizon 14 >"$work/run.log" 2>&1; check "pipeline run" [ $? -eq 0 ] || tail -5 "$work/run.log"
# (after the run: such a row overflows the pipeline's numeric(18,4) policy columns)
bigday=$(q "select max(full_date) - 10 from core.fact_demand_daily")
q "update core.fact_demand_daily set quantity = 99999999999999.9999, unit_cost = null
   where item_id = 3 and full_date = '$bigday'"
check "two demand rows of 99999999999999.9999 on one day" \
  [ "$(q "select count(*) from core.fact_demand_daily where quantity = 99999999999999.9999")" = 2 ]

check "serve answers" api_serve --workers 16 --login-rate-address 1000/600
check "serve logs its in-flight cap" contains "$(cat "$work/serve.log")" 'requests in flight per account or address: at most 8'

BIGDAY="$bigday" check "attack11.py" api_py attack11.py "$pw"

check "SIGTERM: exits 0" api_stop
check "the server logged no error" log_clean
finish
