#!/usr/bin/env bash
# Operations on the real binary: /metrics' operational gauges (pool, database, slow statements,
# pipeline, sync lag, cache hit ratios, disk) with real sources, every metric the Grafana
# dashboard and the alert rules in deploy/ query is really exported, lineage of seed, pipeline
# and migrate runs in support.audit_logs, and the updated_at triggers.
set -uo pipefail
corrente="$1"
here="$(cd "$(dirname "$0")" && pwd)"
root="$here/../.."
. "$here/../lib.sh"
unset CORRENTE_METRICS_TOKEN
api_scratch api_ops
chmod 755 "$work"
q() { psql "$DATABASE_URL" -qAtX -v ON_ERROR_STOP=1 -c "$1"; }

out=$("$corrente" db upgrade 2>&1); rc=$?; check "db upgrade" [ $rc -eq 0 ]; [ $rc -eq 0 ] || echo "$out" | tail -5
q "CREATE EXTENSION IF NOT EXISTS pg_stat_statements"
check "pg_stat_statements is preloaded on the managed cluster" [ "$(q "select count(*) from pg_stat_statements limit 1")" -ge 0 ]

# Lineage: seed, pipeline run, migrate copy and sync each leave an audit record.
api_seed --items 20 --sites 2 --days 120 --no-demo-users
"$corrente" pipeline run --jobs 2 >"$work/run.log" 2>&1; check "pipeline run" [ $? -eq 0 ]
run_id=$(sed -n 's/^run \([0-9]*\) published.*/\1/p' "$work/run.log")
check "seed recorded with its rows" [ "$(q "select details->'rows'->>'demand' = (select count(*)::text from core.fact_demand_daily) from support.audit_logs where action = 'SEED'")" = "t" ]
check "seed recorded with who" [ "$(q "select actor from support.audit_logs where action = 'SEED'")" = "cli:$(id -un)" ]
check "pipeline run recorded with its run id" [ "$(q "select count(*) from support.audit_logs where action = 'PIPELINE_RUN' and entity_id = $run_id and details->>'status' = 'SUCCEEDED'")" = "1" ]
forecast_rows=$(q "select count(*) from analytics.forecasts where run_id = $run_id")
check "and its forecast rows" [ "$(q "select details->'rows'->>'forecast' from support.audit_logs where action = 'PIPELINE_RUN' and entity_id = $run_id")" = "$forecast_rows" ]
python3 - "$work/legacy.db" <<'PY'
import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
c.execute("create table stock (id integer primary key, qty integer)")
c.executemany("insert into stock values (?, ?)", [(i, i * 10) for i in range(1, 51)])
c.commit()
PY
"$corrente" migrate copy "sqlite://$work/legacy.db" --schema legacy >/dev/null 2>&1; check "migrate copy" [ $? -eq 0 ]
check "migrate copy recorded with its rows" [ "$(q "select details->>'rows' from support.audit_logs where action = 'MIGRATE_COPY'")" = "50" ]
python3 -c "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute('insert into stock values (51, 510)'); c.execute('update stock set qty = 0 where id = 1'); c.commit()" "$work/legacy.db"
"$corrente" migrate sync "sqlite://$work/legacy.db" --schema legacy >/dev/null 2>&1; check "migrate sync" [ $? -eq 0 ]
check "migrate sync recorded with its rows" [ "$(q "select details->'rows'->'stock'->>'inserted' || '/' || (details->'rows'->'stock'->>'updated') from support.audit_logs where action = 'MIGRATE_SYNC'")" = "1/1" ]

# updated_at is kept by the database for any client.
before=$(q "select updated_at from core.dim_item where item_id = (select min(item_id) from core.dim_item)")
q "update core.dim_item set description = 'changed by psql' where item_id = (select min(item_id) from core.dim_item)"
check "a plain UPDATE moves updated_at" [ "$(q "select updated_at > '$before' from core.dim_item where item_id = (select min(item_id) from core.dim_item)")" = "t" ]
q "update core.dim_item set description = 'explicit', updated_at = '2001-02-03 00:00:00+00' where item_id = (select min(item_id) from core.dim_item)"
check "an explicit updated_at is kept" [ "$(q "select updated_at = '2001-02-03 00:00:00+00' from core.dim_item where item_id = (select min(item_id) from core.dim_item)")" = "t" ]
check "every table with updated_at has the trigger" [ "$(q "select count(*) from pg_attribute a join pg_class c on c.oid = a.attrelid join pg_namespace n on n.oid = c.relnamespace where a.attname = 'updated_at' and c.relkind in ('r','p') and not c.relispartition and n.nspname in ('core','analytics','support','staging') and not exists (select 1 from pg_trigger t where t.tgrelid = c.oid and t.tgname = 'set_updated_at')")" = "0" ]

# A slow statement for pg_stat_statements to see.
q "select pg_sleep(0.15)" >/dev/null; q "select pg_sleep(0.15)" >/dev/null

check "serve answers" api_serve
add_users 'Tundra-Kestrel-9183' opsadmin:ADMIN
token=$(api_login opsadmin 'Tundra-Kestrel-9183')
check "logged in" [ -n "$token" ]
for _ in 1 2 3 4 5; do curl -s -o /dev/null -H "Authorization: Bearer $token" "http://127.0.0.1:$port/api/v1/items?limit=5"; done
curl -s "http://127.0.0.1:$port/metrics" >"$work/metrics"
m() { awk -v n="$1" '$1 == n { print $2 }' "$work/metrics"; }
check "db_up is 1" [ "$(m db_up)" = "1" ]
check "pool acquisitions are counted" [ "$(m db_pool_acquires_total)" -gt 0 ]
check "pool wait time is exported" contains "$(m db_pool_wait_seconds_total)" '^[0-9.e+-]+$'
check "pool in use is exported" contains "$(m db_pool_connections_in_use)" '^[0-9]+$'
check "pg_stat_statements sees a statement over 100 ms" [ "$(m db_slow_statements)" -ge 1 ]
check "the slowest mean is at least 0.15 s" python3 -c "import sys; sys.exit(0 if float('$(m db_statement_mean_seconds_max)') >= 0.15 else 1)"
check "buffer cache hit ratio is a ratio" python3 -c "import sys; v=float('$(m db_cache_hit_ratio)'); sys.exit(0 if 0 < v <= 1 else 1)"
# The first ask is not stored, the second is: 3 hits of 5.
check "response cache: 3 hits of 5 (ratio 0.6)" [ "$(m cache_hit_ratio)" = "0.6" ]
check "response cache: one first ask not stored" [ "$(m cache_not_admitted_total)" = "1" ]
check "pipeline: last run did not fail" [ "$(m pipeline_last_run_failed)" = "0" ]
duration=$(q "select extract(epoch from finished_at - started_at) from analytics.pipeline_runs where run_id = $run_id")
check "pipeline: last run's duration is the run's" python3 -c "import sys; sys.exit(0 if abs(float('$(m pipeline_last_run_duration_seconds)') - $duration) < 0.01 else 1)"
check "pipeline: last success is recent" python3 -c "import sys; sys.exit(0 if 0 <= float('$(m pipeline_last_success_age_seconds)') < 600 else 1)"
check "sync lag of the synced schema" python3 -c "import sys; sys.exit(0 if 0 <= float('$(m 'sync_lag_seconds{target_schema="legacy"}')') < 600 else 1)"
check "disk free and size" python3 -c "import sys; f=float('$(grep '^disk_free_bytes' "$work/metrics" | awk '{print $2}')'); s=float('$(grep '^disk_size_bytes' "$work/metrics" | awk '{print $2}')'); sys.exit(0 if 0 < f <= s else 1)"

# Every metric the dashboard and the alert rules query is exported (Prometheus' own `up`
# aside; the read replica's are checked by tests/replica_test.sh, which has one).
out=$("$root/tests/monitoring_metrics.py" "$root/deploy/grafana/corrente.json" "$root/deploy/prometheus/corrente.rules.yml" \
      "$work/metrics" --except db_replica_,db_reads_)
missing=$(tail -n +2 <<<"$out" | tr '\n' ' ')
check "the dashboard and rules query metrics ($(head -1 <<<"$out") names)" [ "$(head -1 <<<"$out")" -ge 20 ]
check "every one is exported (missing: ${missing:-none})" [ -z "$missing" ]
check "the dashboard has panels" [ "$(python3 -c "import json; print(len(json.load(open('$root/deploy/grafana/corrente.json'))['panels']))")" -ge 10 ]

# Rotating the JWT secret (docs/operations.md): the old token is refused, a new login works.
api_stop
home="$work/home"; mkdir -p "$home"
rotate() {
  sh -c "umask 077; openssl rand -hex 32 > '$home/jwt_secret.new'"
  mv "$home/jwt_secret.new" "$home/jwt_secret"
}
serve_home() {
  port=$(free_port)
  env -u CORRENTE_JWT_SECRET CORRENTE_HOME="$home" CORRENTE_ENV=production "$corrente" serve --port "$port" >"$work/serve-rot.log" 2>&1 &
  spid=$!
  wait_http "http://127.0.0.1:$port/health" 30
}
login() { curl -s -X POST -H 'Content-Type: application/json' -d '{"username":"opsadmin","password":"Tundra-Kestrel-9183"}' \
            "http://127.0.0.1:$port/api/v1/auth/login" | python3 -c 'import json,sys; print(json.load(sys.stdin)["data"]["access_token"])'; }
me() { curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $1" "http://127.0.0.1:$port/api/v1/auth/me"; }
rotate; serve_home; check "serves with the secret file (production)" [ $? -eq 0 ]
old_token=$(login); check "a token from the first secret works" [ "$(me "$old_token")" = 200 ]
api_stop
rotate; serve_home
check "after rotation and restart, the old token is refused" [ "$(me "$old_token")" = 401 ]
new_token=$(login); check "and a new login works" [ "$(me "$new_token")" = 200 ]
check "the secret file is 0600" [ "$(stat -c %a "$home/jwt_secret")" = "600" ]

# Without the database, db_up says so and the database gauges are left out, not zeroed.
api_stop
port=$(free_port)
DATABASE_URL="postgresql://nobody:x@127.0.0.1:1/none" DATABASE_URL_API="postgresql://nobody:x@127.0.0.1:1/none" \
  "$corrente" serve --port "$port" >"$work/serve2.log" 2>&1 &
spid=$!
wait_http "http://127.0.0.1:$port/health" 30
curl -s "http://127.0.0.1:$port/metrics" >"$work/metrics"
check "database unreachable: db_up is 0" [ "$(m db_up)" = "0" ]
check "and no pipeline or cache-ratio gauge is made up" lacks "$(cat "$work/metrics")" '^(pipeline_|db_cache_hit_ratio|db_slow_statements)'
finish
