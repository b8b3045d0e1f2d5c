# Tiny assertion helpers for the black-box shell tests. Each failure is counted and the
# script ends with "N passed, N failed".
PASS=0
FAIL=0
ok() { PASS=$((PASS + 1)); echo "ok - $1"; }
not_ok() { FAIL=$((FAIL + 1)); echo "not ok - $1"; }
check() {  # check "description" command...
  local desc="$1"; shift
  LAST_CHECK="$desc"
  if "$@"; then ok "$desc"; else not_ok "$desc"; fi
}
# check "d" cond1 && also cond2: each further condition of the last check is asserted too
# (a bare `&& cond2` would only decide whether the script goes on).
also() { "$@" || not_ok "$LAST_CHECK (and: $*)"; }
contains() { grep -qE -- "$2" <<<"$1"; }
lacks() { ! grep -qE -- "$2" <<<"$1"; }
finish() {
  echo "$PASS passed, $FAIL failed"
  [ "$FAIL" -eq 0 ]
}
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
# A free port outside 54320-54819, where `db start` looks for one: a test that stops its cluster
# and starts it again on the same port, while a server holds its URL, must not lose the port to
# another test's new cluster in between.
free_pg_port() {
  local p
  while p=$(free_port); [ "$p" -ge 54320 ] && [ "$p" -le 54819 ]; do :; done
  echo "$p"
}
wait_http() {  # wait_http URL [seconds]
  local i
  for i in $(seq 1 $((${2:-20} * 10))); do
    curl -s -o /dev/null "$1" && return 0
    sleep 0.1
  done
  return 1
}
# with_db URL NAME: URL with its database replaced by NAME; the query string (the managed
# cluster's sslmode and sslrootcert) is kept.
with_db() {
  local base="${1%%\?*}" query=""
  [[ "$1" == *\?* ]] && query="?${1#*\?}"
  echo "${base%/*}/$2$query"
}
# role_urls NAME: exports DATABASE_URL_API, _PIPELINE and _MIGRATE for database NAME of the
# ctest run's cluster, so that commands connect as their own roles (docs/security.md).
role_urls() {
  local r u
  for r in api pipeline migrate; do
    u=$(env -u DATABASE_URL "$corrente" db url --role "$r") || { echo "no $r role"; exit 1; }
    export "DATABASE_URL_${r^^}=$(with_db "$u" "$1")"
  done
}
# scratch_db NAME: a fresh database NAME on the ctest run's cluster ($corrente must be set);
# sets main_url and exports DATABASE_URL (the admin) and the roles' URLs. The caller's EXIT
# trap drops it.
scratch_db() {
  unset DATABASE_URL
  main_url=$("$corrente" db url) || { echo "no test cluster"; exit 1; }
  psql "$main_url" -qAtc "DROP DATABASE IF EXISTS $1 WITH (FORCE)" >/dev/null
  psql "$main_url" -qAtc "CREATE DATABASE $1" >/dev/null
  role_urls "$1"
  export DATABASE_URL="$(with_db "$main_url" "$1")"
}

# An API test's scratch database $1 (sets $db), with a fresh JWT secret, a work directory
# ($work) and an EXIT trap that stops the server ($spid) and any other background job, removes
# $work and drops the database.
api_scratch() {
  db=$1
  scratch_db "$db"
  export CORRENTE_JWT_SECRET; CORRENTE_JWT_SECRET=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')
  work=$(mktemp -d)
  spid=""
  trap '[ -n "$spid" ] && kill "$spid" 2>/dev/null; jobs -p | xargs -r kill 2>/dev/null; wait 2>/dev/null; rm -rf "$work"; psql "$main_url" -qAtc "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1' EXIT
}
