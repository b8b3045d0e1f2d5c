#!/usr/bin/env bash
# `db dump` / `db load` of a whole Corrente database over itself: the partitioned facts loaded
# back (pg_restore --clean alone failed on the partitions' inherited constraints), in one
# transaction, so a load that fails (a role its grants name is missing, a truncated file)
# changes nothing.
set -uo pipefail
corrente="$1"
. "$(dirname "$0")/lib.sh"
unset DATABASE_URL CORRENTE_PG_PORT
export CORRENTE_PG_FAST=1
export CORRENTE_HOME=$(mktemp -d /tmp/corrente-dbload.XXXX)
chmod 755 "$CORRENTE_HOME"
trap '"$corrente" db stop >/dev/null 2>&1; rm -rf "$CORRENTE_HOME"' EXIT
q() { psql "$("$corrente" db url)" -qAtX -v ON_ERROR_STOP=1 -c "$1"; }
counts() { q "select (select count(*) from core.fact_demand_daily) || '/' || (select count(*) from core.fact_orders)
                  || '/' || (select count(*) from core.dim_item) || '/' || (select count(*) from pg_constraint where conrelid::regclass::text like 'core.fact_%')"; }

"$corrente" db start >/dev/null 2>&1; check "db start" [ $? -eq 0 ]
"$corrente" db upgrade >/dev/null 2>&1; check "db upgrade" [ $? -eq 0 ]
"$corrente" seed --items 12 --sites 2 --days 60 >/dev/null 2>&1; check "seed" [ $? -eq 0 ]
dumped=$(counts)
check "the facts are partitioned" [ "$(q "select count(*) from pg_inherits i join pg_class c on c.oid = i.inhparent where c.relname = 'fact_orders'")" -gt 0 ]
"$corrente" db dump "$CORRENTE_HOME/a.dump" >/dev/null 2>&1; check "db dump" [ $? -eq 0 ]

q "delete from core.fact_demand_daily where item_id <= 3"
q "insert into core.dim_item (sku, name) values ('AFTER-DUMP', 'added after the dump')"
check "the database moved on from the dump" [ "$(counts)" != "$dumped" ]
out=$("$corrente" db load "$CORRENTE_HOME/a.dump" 2>&1); check "db load over the same schema" [ $? -eq 0 ] || echo "$out"
check "every row and constraint is the dump's again" [ "$(counts)" = "$dumped" ]
check "the row added after the dump is gone" [ "$(q "select count(*) from core.dim_item where sku = 'AFTER-DUMP'")" = 0 ]
out=$("$corrente" db upgrade 2>&1); check "the migration history came back too (nothing to apply)" [ $? -eq 0 ]
also contains "$out" "up to date|applied 0"
out=$("$corrente" db load "$CORRENTE_HOME/a.dump" 2>&1); check "loading again" [ $? -eq 0 ] || echo "$out"
check "same rows" [ "$(counts)" = "$dumped" ]

# A dump whose grants name a role this cluster lacks fails at the end, after the drops and the
# data: the transaction rolls back and the database is as it was.
q "create role corrente_load_test_reader; grant select on core.dim_site to corrente_load_test_reader"
"$corrente" db dump "$CORRENTE_HOME/role.dump" >/dev/null 2>&1
q "revoke select on core.dim_site from corrente_load_test_reader; drop role corrente_load_test_reader"
q "delete from core.fact_demand_daily where item_id = 5"
before=$(counts)
out=$("$corrente" db load "$CORRENTE_HOME/role.dump" 2>&1); rc=$?
check "a load that fails exits non-zero" [ $rc -ne 0 ]
also contains "$out" 'role "corrente_load_test_reader" does not exist'
also contains "$out" "nothing was changed"
check "and changed nothing" [ "$(counts)" = "$before" ]
# The check and the restore read the same bytes: a pg_restore wrapper replaces FILE with a
# foreign dump (a lone schema "core") right after the check's `pg_restore --list` has read it.
# Reading FILE again, the restore dropped Corrente's schemas and loaded the foreign one.
q "delete from core.fact_demand_daily where item_id = 5"
q "create database foreign_db"
psql "$(with_db "$("$corrente" db url)" foreign_db)" -qAtX -c "create schema core; create table core.lone (i int)"
pg_dump --format=custom --file="$CORRENTE_HOME/foreign.dump" "$(with_db "$("$corrente" db url)" foreign_db)"
out=$("$corrente" db load "$CORRENTE_HOME/foreign.dump" 2>&1); check "a foreign dump is refused" [ $? -eq 1 ]
also contains "$out" "is not a dump of 'corrente db dump'"
real_bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
mkdir "$CORRENTE_HOME/bin"
for f in "$real_bin"/*; do ln -s "$f" "$CORRENTE_HOME/bin/"; done
rm "$CORRENTE_HOME/bin/pg_restore"
cat >"$CORRENTE_HOME/bin/pg_restore" <<WRAP
#!/bin/bash
"$real_bin/pg_restore" "\$@"; rc=\$?
[ "\$1" = --list ] && cp "$CORRENTE_HOME/foreign.dump" "$CORRENTE_HOME/swapped.dump"
exit \$rc
WRAP
chmod +x "$CORRENTE_HOME/bin/pg_restore"
cp "$CORRENTE_HOME/a.dump" "$CORRENTE_HOME/swapped.dump"
out=$(CORRENTE_PG_BINDIR="$CORRENTE_HOME/bin" "$corrente" db load "$CORRENTE_HOME/swapped.dump" 2>&1)
check "a dump swapped after the check loads what was checked" [ $? -eq 0 ] || echo "$out"
also cmp -s "$CORRENTE_HOME/swapped.dump" "$CORRENTE_HOME/foreign.dump"  # the wrapper did swap it
check "every row is the checked dump's" [ "$(counts)" = "$dumped" ]
check "and the foreign schema's table is not there" [ "$(q "select to_regclass('core.lone') is null")" = t ]
before=$(counts)

head -c 4000 "$CORRENTE_HOME/a.dump" >"$CORRENTE_HOME/cut.dump"
out=$("$corrente" db load "$CORRENTE_HOME/cut.dump" 2>&1); check "a truncated dump is refused" [ $? -ne 0 ]
check "and changed nothing" [ "$(counts)" = "$before" ]
finish
