#!/usr/bin/env bash
# TLS on the managed cluster: corrente makes a CA and a server certificate, the server takes
# TLS only over TCP (a plain-text client is refused), psql with verify-full and the CA makes
# a real handshake, corrente's own commands connect that way, and a cluster made before TLS
# is upgraded on start (running or stopped) without losing data.
set -uo pipefail
corrente="$1"
. "$(dirname "$0")/lib.sh"
unset DATABASE_URL CORRENTE_PG_PORT PGSSLMODE PGSSLROOTCERT
export CORRENTE_PG_FAST=1
home=$(mktemp -d /tmp/corrente-tls.XXXX)
chmod 755 "$home"
export CORRENTE_HOME="$home"
cleanup() {
  "$corrente" db stop >/dev/null 2>&1
  rm -rf "$home"
}
trap cleanup EXIT
ca="$home/pg/tls/ca.crt"
data="$home/pg/data"

"$corrente" db start >/dev/null 2>&1; check "db start succeeds" [ $? -eq 0 ]
port=$(cat "$home/pg/port")
export PGPASSWORD=$(cat "$home/pg/superuser.password")
check "the CA certificate exists" [ -s "$ca" ]
check "the CA key is 0600" [ "$(stat -c %a "$home/pg/tls/ca.key")" = "600" ]
check "the server key is 0600" [ "$(stat -c %a "$data/server.key")" = "600" ]
if [ "$(id -u)" -eq 0 ]; then
  check "as root, the server key belongs to postgres" [ "$(stat -c %U "$data/server.key")" = "postgres" ]
fi
check "the server certificate is signed by the CA" contains "$(openssl verify -CAfile "$ca" "$data/server.crt" 2>&1)" ': OK$'
check "the server certificate names localhost and 127.0.0.1" \
  contains "$(openssl x509 -in "$data/server.crt" -noout -ext subjectAltName)" 'DNS:localhost, IP Address:127\.0\.0\.1'

# The tests below each make one connection and ask the server whether it is encrypted.
ssl_q="select ssl from pg_stat_ssl where pid = pg_backend_pid()"
tls_ok() {  # tls_ok HOST: psql verify-full with the CA over TCP, and the session is encrypted
  [ "$(psql "host=$1 port=$port dbname=corrente user=corrente sslmode=verify-full sslrootcert=$ca" -Atc "$ssl_q" 2>&1)" = "t" ]
}
plain_refused() {  # a plain-text TCP client is refused by pg_hba (hostnossl ... reject)
  local out
  out=$(psql "host=127.0.0.1 port=$port dbname=corrente user=corrente sslmode=disable" -Atc "select 1" 2>&1)
  [ $? -ne 0 ] && contains "$out" 'no encryption'
}
check "psql verify-full with the CA to localhost: TLS session" tls_ok localhost
check "psql verify-full with the CA to 127.0.0.1: TLS session" tls_ok 127.0.0.1
check "a plain-text TCP client (sslmode=disable) is refused" plain_refused
other=$(mktemp -d)
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout "$other/k" -out "$other/c" \
  -days 1 -subj /CN=other >/dev/null 2>&1
out=$(psql "host=localhost port=$port dbname=corrente user=corrente sslmode=verify-full sslrootcert=$other/c" -Atc "select 1" 2>&1)
check "verify-full with another CA fails the handshake" contains "$out" 'certificate verify failed'
rm -rf "$other"

url=$("$corrente" db url)
check "db url asks for verify-full with the CA" contains "$url" "\\?sslmode=verify-full&sslrootcert=$home/pg/tls/ca\\.crt$"
check "psql with db url: TLS session" [ "$(psql "$url" -Atc "$ssl_q")" = "t" ]
api=$("$corrente" db url --role api)
check "db url --role api: acts as corrente_api" [ "$(psql "$api" -Atc "select current_user")" = "corrente_api" ]
# (pg_stat_ssl hides the session of a login acting as its group: ask psql instead.)
check "db url --role api: TLS session" contains "$(psql "$api" -c '\conninfo')" 'SSL connection \(protocol: TLSv1\.[23]'

# corrente's own commands work over TLS, each as its role.
out=$("$corrente" seed --items 6 --sites 2 --days 120 --seed 3 2>&1); check "seed over TLS" [ $? -eq 0 ]
out=$("$corrente" pipeline run 2>&1); check "pipeline run over TLS (as corrente_pipeline)" [ $? -eq 0 ]
check "the pipeline published its run" contains "$out" '^run [0-9]+ published'
check "features_store belongs to the pipeline role" \
  [ "$(psql "$url" -Atc "select tableowner from pg_tables where schemaname = 'analytics' and tablename = 'features_store'")" = "corrente_pipeline" ]
out=$("$corrente" user list 2>&1); check "user list over TLS" contains "$out" 'admin'
psql "$url" -qc "create table public.keepme (v int); insert into public.keepme values (42)"

# A cluster made before TLS: its configuration without TLS, no certificates.
revert_tls() {
  sed -i '/^# corrente managed cluster: TLS$/,$d' "$data/postgresql.conf"
  cp "$data/pg_hba.conf.before-tls" "$data/pg_hba.conf"
}
plain_ok() { [ "$(psql "host=127.0.0.1 port=$port dbname=corrente user=corrente sslmode=disable" -Atc "select v from public.keepme" 2>&1)" = "42" ]; }

# 1. while it runs: `db start` makes the certificates and reloads.
revert_tls
# A reload is asynchronous: wait until the postmaster has reread its files (its load time moves;
# sslmode=prefer connects before and after), not for a fixed time.
loaded_at() { psql "host=127.0.0.1 port=$port dbname=corrente user=corrente sslmode=prefer" -Atc "select pg_conf_load_time()" 2>/dev/null; }
before=$(loaded_at)
psql "$url" -qAtc "select pg_reload_conf()" >/dev/null
reloaded() {
  local i now
  for i in $(seq 1 600); do
    now=$(loaded_at)
    [ -n "$now" ] && [ "$now" != "$before" ] && return 0
    sleep 0.1
  done
  return 1
}
check "the reload of the pre-TLS files took effect" reloaded
rm -rf "$home/pg/tls" "$data/server.crt" "$data/server.key"
check "pre-TLS cluster (running) takes plain text" plain_ok
# db start waits for its reload: it connects with TLS before it returns.
out=$("$corrente" db start 2>&1); check "db start on a running pre-TLS cluster" [ $? -eq 0 ]
check "it says it reloaded" contains "$out" 'reloading'
check "after the upgrade: verify-full works" tls_ok localhost
check "after the upgrade: plain text is refused" plain_refused
check "after the upgrade: the data is there" [ "$(psql "$("$corrente" db url)" -Atc "select v from public.keepme")" = "42" ]

# 2. while stopped: `db start` upgrades before starting.
"$corrente" db stop >/dev/null 2>&1
revert_tls
rm -rf "$home/pg/tls" "$data/server.crt" "$data/server.key"
out=$("$corrente" db start 2>&1); check "db start on a stopped pre-TLS cluster" [ $? -eq 0 ]
port=$(cat "$home/pg/port")
check "after the upgrade (stopped): verify-full works" tls_ok 127.0.0.1
check "after the upgrade (stopped): plain text is refused" plain_refused
check "after the upgrade (stopped): the data is there" [ "$(psql "$("$corrente" db url)" -Atc "select v from public.keepme")" = "42" ]
out=$("$corrente" pipeline status 2>&1); check "corrente commands work after the upgrade" contains "$out" 'SUCCEEDED'

finish
