#!/usr/bin/env bash
# A real streaming replica (`corrente db replica add`) and `serve` with DATABASE_READ_URL:
# reads are served from the replica, a user's read after its own write sees the write, reads
# fall back to the primary while the replica lags (replay paused) or is down, and return to it.
set -uo pipefail
corrente="$1"
. "$(dirname "$0")/lib.sh"
unset DATABASE_URL CORRENTE_PG_PORT CORRENTE_BACKUP_REPO DATABASE_READ_URL
unset CORRENTE_PG_FAST  # replication needs wal_level=replica and WAL senders
h=$(mktemp -d /tmp/corrente-repl.XXXX)
chmod 755 "$h"
spid="" spid2=""
cleanup() {
  [ -n "$spid" ] && kill "$spid" 2>/dev/null && wait "$spid" 2>/dev/null
  [ -n "$spid2" ] && kill "$spid2" 2>/dev/null && wait "$spid2" 2>/dev/null
  CORRENTE_HOME="$h/replica" "$corrente" db stop >/dev/null 2>&1
  CORRENTE_HOME="$h" "$corrente" db stop >/dev/null 2>&1
  rm -rf "$h"
}
trap cleanup EXIT
export CORRENTE_HOME="$h"
export CORRENTE_JWT_SECRET; CORRENTE_JWT_SECRET=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')
qp() { psql "$("$corrente" db url)" -qAtX -v ON_ERROR_STOP=1 -c "$1"; }
qr() { psql "$(CORRENTE_HOME="$h/replica" "$corrente" db url)" -qAtX -v ON_ERROR_STOP=1 -c "$1"; }

"$corrente" seed --items 20 --sites 2 --days 120 >/dev/null 2>&1; check "seed the primary" [ $? -eq 0 ]
"$corrente" pipeline run --jobs 2 >/dev/null 2>&1; check "pipeline run" [ $? -eq 0 ]
printf '%s\n' 'Replica-Kestrel-9183' | "$corrente" user add repladmin --role ADMIN --password-stdin >/dev/null 2>&1
out=$("$corrente" db replica add 2>&1); check "db replica add" [ $? -eq 0 ] || echo "$out"
check "the replica is a hot standby" [ "$(qr 'select pg_is_in_recovery()')" = "t" ]
check "it has the primary's rows" [ "$(qr 'select count(*) from core.dim_item')" = "$(qp 'select count(*) from core.dim_item')" ]
check "the primary streams to it" [ "$(qp "select count(*) from pg_stat_replication where application_name = 'corrente_replica'")" = "1" ]
out=$("$corrente" db replica add 2>&1); check "db replica add again is a no-op" [ $? -eq 0 ]
check "a write on the primary reaches the replica" bash -c "
  psql '$("$corrente" db url)' -qAtc 'create table repl_probe (i int); insert into repl_probe values (1)';
  for _ in \$(seq 50); do [ \"\$(psql '$(CORRENTE_HOME="$h/replica" "$corrente" db url)' -qAtc 'select count(*) from repl_probe' 2>/dev/null)\" = 1 ] && exit 0; sleep 0.1; done; exit 1"

read_url=$(CORRENTE_HOME="$h/replica" "$corrente" db url --role api)
metric() { curl -s "$1/metrics" | awk -v n="$2" '$1 == n { print $2 }'; }  # metric BASE NAME
# serve_reading MAX_LAG LOG: serve with the replica, reads within MAX_LAG s; sets served_pid and
# served_base, and waits until it answers and sees the replica up with no lag.
serve_reading() {
  local p; p=$(free_port)
  DATABASE_READ_URL="$read_url" CORRENTE_READ_MAX_LAG_SECONDS="$1" "$corrente" serve --port "$p" >"$h/$2" 2>&1 &
  served_pid=$! served_base="http://127.0.0.1:$p"
  wait_http "$served_base/health" 30 || return 1
  for _ in $(seq 50); do [ "$(metric "$served_base" db_replica_up)/$(metric "$served_base" db_replica_lag_seconds)" = 1/0 ] && break; sleep 0.1; done
  wait_serving "$served_base"
}
# wait_serving BASE: until reads go to the replica (db_replica_serving): it is up, within the
# bound, and has replayed what the primary had at the last cache drop (the notification
# listener drops it when it connects, and a write or a NOTIFY does).
wait_serving() {
  for _ in $(seq 100); do [ "$(metric "$1" db_replica_up)/$(metric "$1" db_replica_serving)" = 1/1 ] && return 0; sleep 0.1; done
  return 1
}
serve_reading 2 serve.log; check "serve answers" [ $? -eq 0 ]
spid=$served_pid base=$served_base
m() { metric "$base" "$1"; }
check "the replica is up with no lag, and serving" [ "$(m db_replica_up)/$(m db_replica_lag_seconds)/$(m db_replica_serving)" = 1/0/1 ]
root="$(cd "$(dirname "$0")/.." && pwd)"
curl -s "$base/metrics" >"$h/metrics"
out=$("$root/tests/monitoring_metrics.py" "$root/deploy/grafana/corrente.json" "$root/deploy/prometheus/corrente.rules.yml" \
      "$h/metrics" --only db_replica_,db_reads_)
check "the dashboard and rules query the replica's metrics ($(head -1 <<<"$out"))" [ "$(head -1 <<<"$out")" -ge 4 ]
check "all exported (missing: $(tail -n +2 <<<"$out" | tr '\n' ' '))" [ -z "$(tail -n +2 <<<"$out")" ]
token=$(curl -s -X POST -d '{"username":"repladmin","password":"Replica-Kestrel-9183"}' "$base/api/v1/auth/login" |
        python3 -c 'import json,sys; print(json.load(sys.stdin)["data"]["access_token"])')
check "login (on the primary)" [ -n "$token" ]
wait_serving "$base"
echo 0 >"$h/n"
# Each read asks for another page, so none is answered from the response cache.
get() { local n=$(($(cat "$h/n") + 1)); echo "$n" >"$h/n"; curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $token" "$base/api/v1/items?limit=1&offset=$n"; }
reads() { m "db_reads_total{target=\"$1\"}"; }
r0=$(reads replica)
codes=$(for _ in 1 2 3 4 5; do get; done)
check "five reads answered" [ "$codes" = "200200200200200" ]
check "from the replica" [ "$(reads replica)" -ge $((r0 + 5)) ]
check "over the replica's own connections" [ "$(qr "select count(*) > 0 from pg_stat_activity where application_name = 'corrente-serve-read'")" = "t" ]

# Read after own write: the next read shows the write whichever server answers.
alert=$(qp "select min(alert_id) from analytics.alerts where read_at is null")
check "mark an alert read" [ "$(curl -s -o /dev/null -w '%{http_code}' -X PATCH -H "Authorization: Bearer $token" "$base/api/v1/alerts/$alert/mark-read")" = 200 ]
seen=$(curl -s -H "Authorization: Bearer $token" "$base/api/v1/alerts?limit=1000&x=1" |
       python3 -c "import json,sys; print(sum(1 for a in json.load(sys.stdin)['data'] if a['alert_id'] == $alert and a.get('read_at')))")
check "the writer's next read sees it read" [ "$seen" = 1 ]

# Lag: replay paused on the replica while the primary writes; reads go to the primary.
qr "select pg_wal_replay_pause()" >/dev/null
qp "insert into repl_probe values (2)"
for _ in $(seq 60); do python3 -c "import sys; sys.exit(0 if float('$(m db_replica_lag_seconds || echo 0)' or 0) > 2 else 1)" && break; sleep 0.1; done
check "the lag passes the 2 s bound" python3 -c "import sys; sys.exit(0 if float('$(m db_replica_lag_seconds)') > 2 else 1)"
p0=$(reads primary) r0=$(reads replica)
codes=$(for _ in 1 2 3; do get; done)
check "reads still answered while it lags" [ "$codes" = "200200200" ]
check "by the primary" [ "$(reads primary)" -ge $((p0 + 3)) ]
check "none by the replica" [ "$(reads replica)" = "$r0" ]
qr "select pg_wal_replay_resume()" >/dev/null
for _ in $(seq 50); do [ "$(m db_replica_lag_seconds)" = 0 ] && break; sleep 0.1; done
check "replay resumed: no lag" [ "$(m db_replica_lag_seconds)" = 0 ]
wait_serving "$base"
r0=$(reads replica); get >/dev/null
check "reads return to the replica" [ "$(reads replica)" = $((r0 + 1)) ]

# Outage: the replica stopped; reads go to the primary, then back once it runs again.
CORRENTE_HOME="$h/replica" "$corrente" db stop >/dev/null 2>&1
for _ in $(seq 50); do [ "$(m db_replica_up)" = 0 ] && break; sleep 0.1; done
check "the replica is seen down" [ "$(m db_replica_up)" = 0 ]
p0=$(reads primary)
codes=$(for _ in 1 2 3; do get; done)
check "reads answered with the replica down" [ "$codes" = "200200200" ]
check "by the primary" [ "$(reads primary)" -ge $((p0 + 3)) ]
CORRENTE_HOME="$h/replica" "$corrente" db start >/dev/null 2>&1; check "the replica starts again" [ $? -eq 0 ]
for _ in $(seq 100); do [ "$(m db_replica_up)" = 1 ] && [ "$(m db_replica_lag_seconds)" = 0 ] && break; sleep 0.1; done
wait_serving "$base"
# Pooled connections to the stopped replica fail once each and those reads go to the primary.
r0=$(reads replica); codes=$(for _ in 1 2 3 4 5; do get; done)
check "every read answered after the restart" [ "$codes" = "200200200200200" ]
check "and the replica serves reads again" [ "$(reads replica)" -gt "$r0" ]
check "it caught up with the write made while it was paused" [ "$(qr 'select count(*) from repl_probe')" = 2 ]

# attack14: a write drops the response cache, and a read of the same URL by another account of
# the same role, answered by the replica before it replayed the write, was stored there: the
# writer's next read was that cached copy, without its write, until the next write anywhere.
# A second server with a 60 s bound, so that the paused replica stays within it.
printf '%s\n' 'Replica-Kestrel-9183' | "$corrente" user add replreader --role ADMIN --password-stdin >/dev/null 2>&1
serve_reading 60 serve2.log; check "a second server (60 s bound) answers" [ $? -eq 0 ]
spid2=$served_pid base2=$served_base
m2() { metric "$base2" "$1"; }
login2() { curl -s -X POST -d "{\"username\":\"$1\",\"password\":\"Replica-Kestrel-9183\"}" "$base2/api/v1/auth/login" |
           python3 -c 'import json,sys; print(json.load(sys.stdin)["data"]["access_token"])'; }
writer=$(login2 repladmin) reader=$(login2 replreader)
alert=$(qp "select min(alert_id) from analytics.alerts where read_at is null")
# "read" or "unread": the alert as the account's read of one URL shows it.
shown() { curl -s -H "Authorization: Bearer $1" "$base2/api/v1/alerts?limit=1000&x=14" |
          python3 -c "import json,sys; print(['unread','read'][any(a['alert_id'] == $alert and a.get('read_at') for a in json.load(sys.stdin)['data'])])"; }
check "before: unread, read twice by the other account (cached)" [ "$(shown "$reader")/$(shown "$reader")" = unread/unread ]
qr "select pg_wal_replay_pause()" >/dev/null
check "replay paused; mark it read" [ "$(curl -s -o /dev/null -w '%{http_code}' -X PATCH -H "Authorization: Bearer $writer" "$base2/api/v1/alerts/$alert/mark-read")" = 200 ]
r1=$(shown "$reader") r2=$(shown "$reader")
check "the other account's two reads after the write see it ($r1/$r2)" [ "$r1/$r2" = read/read ]
check "the writer's read after them sees its write" [ "$(shown "$writer")" = read ]
check "the replica had not replayed it (still paused, within the bound)" \
  [ "$(qr "select read_at is null from analytics.alerts where alert_id = $alert")/$(m2 db_replica_up)" = t/1 ]
qr "select pg_wal_replay_resume()" >/dev/null
for _ in $(seq 50); do [ "$(m2 db_replica_lag_seconds)" = 0 ] && break; sleep 0.1; done
wait_serving "$base2"
r0=$(m2 'db_reads_total{target="replica"}')
check "replayed: the writer's read still sees it" [ "$(shown "$writer")" = read ]
curl -s -o /dev/null -H "Authorization: Bearer $reader" "$base2/api/v1/items?limit=1&offset=14"
check "and reads go to the replica again" [ "$(m2 'db_reads_total{target="replica"}')" -gt "$r0" ]
finish
