#!/usr/bin/env bash
# `db grant` on a database upgraded before the roles existed (docs/security.md): DATABASE_URL's
# user may not create roles, so V053 granted nothing; a DBA then makes the roles, and `db grant`
# gives the database the migrations' ownership and grants in place, data untouched. Compared
# with a database the same user upgraded after the roles were made. Its own cluster: the roles
# are cluster-wide, and this test needs a cluster where they do not exist yet.
set -uo pipefail
corrente="$1"
here="$(dirname "$0")"
. "$here/lib.sh"
unset DATABASE_URL DATABASE_URL_API DATABASE_URL_PIPELINE DATABASE_URL_MIGRATE CORRENTE_PG_PORT
export CORRENTE_PG_FAST=1
export CORRENTE_HOME=$(mktemp -d /tmp/corrente-dbgrant.XXXX)
chmod 755 "$CORRENTE_HOME"
trap '"$corrente" db stop >/dev/null 2>&1; rm -rf "$CORRENTE_HOME"' EXIT
"$corrente" db start >/dev/null 2>&1; check "db start" [ $? -eq 0 ]
admin=$("$corrente" db url)
sq() { psql "$admin" -qAtX -v ON_ERROR_STOP=1 -c "$1"; }
app_url() { with_db "$(sed -E 's#//[^@]*@#//app:app-pw-9431@#' <<<"$admin")" "$1"; }
check "no corrente role exists yet" [ "$(sq "select count(*) from pg_roles where rolname like 'corrente\_%' and rolname not like '%\_login'")" = 0 ]
sq "create role app login password 'app-pw-9431' createdb"   # no CREATEROLE
for d in appdb refdb; do sq "create database $d owner app"; sq "revoke create on database $d from public"; done
snapshot() { psql "$(with_db "$admin" "$1")" -qAtX -v ON_ERROR_STOP=1 -f "$here/fixtures/role_grants_snapshot.sql"; }
# As the superuser in database $1, acting as role $2: "ok" or the error's SQLSTATE.
as_role() {
  local out
  out=$(psql "$(with_db "$admin" "$1")" -qAtX -v ON_ERROR_STOP=1 -v VERBOSITY=verbose \
        -c "SET ROLE $2" -c "$3" 2>&1) && { echo ok; return; }
  grep -oE 'ERROR: +[0-9A-Z]{5}' <<<"$out" | awk '{print $2}' | head -1
}

out=$(DATABASE_URL=$(app_url appdb) "$corrente" db upgrade 2>&1); check "db upgrade as a user without CREATEROLE" [ $? -eq 0 ]
also contains "$out" "roles are not set up"
DATABASE_URL=$(app_url appdb) "$corrente" seed --items 8 --sites 2 --days 40 >/dev/null 2>&1
check "seeded" [ $? -eq 0 ]
counts() { psql "$(app_url appdb)" -qAtX -c "select (select count(*) from core.fact_demand_daily) || '/' || (select count(*) from core.dim_item) || '/' || (select count(*) from support.users) || '/' || (select count(*) from support.schema_migrations)"; }
rows=$(counts)

out=$(DATABASE_URL=$(app_url appdb) "$corrente" db grant 2>&1); rc=$?
check "db grant before the roles exist fails (exit 1)" [ $rc -eq 1 ]
also contains "$out" "may not create them"
also [ "$(wc -l <<<"$out" | tr -d ' ')" -ge 1 ]
check "and changed nothing" [ "$(sq "select count(*) from pg_roles where rolname like 'corrente\_%' and rolname not like '%\_login'")" = 0 ]

# The DBA makes the roles (docs/security.md) but has not made app a member of corrente_owner.
for r in owner api pipeline migrate; do sq "create role corrente_$r nologin"; done
sq "grant corrente_pipeline, corrente_migrate to corrente_owner"
before=$(snapshot appdb)
out=$(DATABASE_URL=$(app_url appdb) "$corrente" db grant 2>&1); rc=$?
check "db grant by a user outside corrente_owner fails (exit 1)" [ $rc -eq 1 ]
also contains "$out" "GRANT corrente_owner TO app"
check "and changed nothing" [ "$(snapshot appdb)" = "$before" ]
check "the API role may not even read the facts yet" [ "$(as_role appdb corrente_api "select 1 from core.dim_item limit 1")" = 42501 ]

sq "grant corrente_owner to app"
# The reference: a database the same user upgrades now that the roles exist.
DATABASE_URL=$(app_url refdb) "$corrente" db upgrade >/dev/null 2>&1; check "reference database upgraded with the roles" [ $? -eq 0 ]
out=$(DATABASE_URL=$(app_url appdb) "$corrente" db grant 2>&1); check "db grant" [ $? -eq 0 ] || echo "$out"
also contains "$out" "re-applied the role grants of [0-9]+ migration\(s\), V53 to V"
first=$(snapshot appdb)
out=$(DATABASE_URL=$(app_url appdb) "$corrente" db grant 2>&1); check "db grant again (idempotent)" [ $? -eq 0 ] || echo "$out"
check "the same owners and grants after the second run" [ "$(snapshot appdb)" = "$first" ]
check "no row changed" [ "$(counts)" = "$rows" ]
"$corrente" db upgrade >/dev/null 2>&1
out=$("$corrente" db grant 2>&1); check "db grant on the managed cluster's own database" [ $? -eq 0 ] || echo "$out"
# Later migrations go on as app, a member of corrente_owner, once the owners are right.
out=$(DATABASE_URL=$(app_url appdb) "$corrente" db downgrade --to 72 2>&1); check "db downgrade of V073 and later as app" [ $? -eq 0 ] || echo "$out"
out=$(DATABASE_URL=$(app_url appdb) "$corrente" db upgrade 2>&1); check "and db upgrade again" [ $? -eq 0 ] || echo "$out"
check "  which gave V073's table the reference's owner and grants" \
  [ "$(snapshot appdb | grep ' analytics.forecast_totals ')" = "$(snapshot refdb | grep ' analytics.forecast_totals ')" ]

# Against the reference: every owner and grant the migrations gave is there. V053's grants run
# after the later migrations' tables exist, so they cover those too (docs/security.md lists
# what differs); the API role gains no more than SELECT.
ref=$(snapshot refdb)
missing=$(python3 - "$ref" "$first" <<'PY'
import sys
def parse(text):
    out = {}
    for line in text.splitlines():
        if not line.strip(): continue
        head, _, privs = line.rpartition(' ')
        if '=' in privs or not head:  # a line without privileges ends with its owner
            head, privs = line, ''
        out[head.rsplit(' owner=', 1)[0]] = (head, set(filter(None, privs.split(','))))
    return out
ref, got = parse(sys.argv[1]), parse(sys.argv[2])
for key, (head, privs) in sorted(ref.items()):
    if key not in got: print('missing object:', head); continue
    ghead, gprivs = got[key]
    if 'owner=corrente_' in head and head.split(' owner=')[1] != ghead.split(' owner=')[1]:
        print('owner differs:', head, '->', ghead)
    for p in sorted(privs - gprivs): print('missing grant:', key, p)
    for p in sorted(gprivs - privs):
        if p.startswith('corrente_api:') and not p.endswith(':SELECT'): print('API gains:', key, p)
PY
)
check "every owner and grant of the reference, and no API write more" [ -z "$missing" ] || echo "$missing"
check "the reference has grants at all" [ "$(grep -c 'corrente_api:SELECT' <<<"$ref")" -gt 20 ]

# What the roles may and may not do now (the statements of src/schema/roles_pgtest.cpp).
for stmt in "DROP TABLE core.fact_demand_daily" "DROP SCHEMA core CASCADE" \
            "ALTER TABLE core.dim_item ADD COLUMN x int" "ALTER TABLE support.users DROP COLUMN password_hash" \
            "TRUNCATE core.fact_demand_daily" "TRUNCATE support.audit_logs" \
            "INSERT INTO core.fact_demand_daily (full_date, item_id, site_id, quantity) VALUES ('2024-01-01', 1, 1, 1)" \
            "UPDATE core.fact_inventory_daily SET safety_stock = 0" "DELETE FROM core.dim_item" \
            "UPDATE support.users SET username = 'x'" "CREATE TABLE core.x (i int)"; do
  check "the API role is refused: $stmt" [ "$(as_role appdb corrente_api "$stmt")" = 42501 ]
done
check "the API role reads the facts" [ "$(as_role appdb corrente_api "select count(*) from core.fact_demand_daily")" = ok ]
check "the API role updates a user's last login" [ "$(as_role appdb corrente_api "update support.users set last_login = now()")" = ok ]
check "the API role writes the audit log" [ "$(as_role appdb corrente_api "insert into support.audit_logs (actor, action) values ('t', 'test')")" = ok ]
check "the pipeline role sets an ABC class" [ "$(as_role appdb corrente_pipeline "update core.dim_item set abc_class = abc_class")" = ok ]
check "the pipeline role may not delete items" [ "$(as_role appdb corrente_pipeline "delete from core.dim_item")" = 42501 ]
check "the migrate role may not read core" [ "$(as_role appdb corrente_migrate "select 1 from core.dim_item")" = 42501 ]
check "the owner role owns core" [ "$(psql "$(with_db "$admin" appdb)" -qAtX -c "select pg_get_userbyid(nspowner) from pg_namespace where nspname = 'core'")" = corrente_owner ]
finish
