# Sourced by run.sh and ab.sh (with $corrente and $out set): starts the bench's managed
# cluster and defines its URLs ($base, sock_url DB, pgl_url DB).
export CORRENTE_HOME="${CORRENTE_HOME:-$out/home}"
export CORRENTE_LOG_FORMAT=json
unset DATABASE_URL
"$corrente" db start >/dev/null 2>&1
base=$("$corrente" db url)
# The managed cluster takes TLS only over TCP: libpq clients read the CA from the environment.
export PGSSLMODE=verify-full PGSSLROOTCERT="$CORRENTE_HOME/pg/tls/ca.crt"
base="${base%%\?*}"
base="${base%/*}"
# The tools themselves talk to the server over its Unix socket, the same transport for both:
# pgloader cannot be given the cluster's CA, and over TCP the cluster takes TLS only.
pidfile="$CORRENTE_HOME/pg/data/postmaster.pid"
sock=$(sed -n 5p "$pidfile"); port=$(sed -n 4p "$pidfile")
sock_url() { echo "${base%@*}@/$1?host=$sock&port=$port"; }          # libpq
pgl_url() { echo "${base%@*}@unix:$sock:$port/$1"; }                  # pgloader

