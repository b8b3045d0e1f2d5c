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

# The start-up of an API test (after api_scratch; $corrente and $work set).
# api_seed ARGS...: `corrente seed ARGS`, checked as "seed"; its output in $seed_out (demo_pw).
api_seed() {
  seed_out=$("$corrente" seed "$@" 2>&1)
  check "seed" [ $? -eq 0 ]
}
# demo_pw NAME: the password the seed printed for demo login NAME.
demo_pw() { sed -nE "s/^demo login: $1 \/ (\S+) .*/\1/p" <<<"$seed_out"; }
# add_users PASSWORD NAME:ROLE...: accounts sharing one password.
add_users() {
  local pw=$1 u
  shift
  for u in "$@"; do
    echo "$pw" | "$corrente" user add "${u%%:*}" --role "${u##*:}" --password-stdin >/dev/null 2>&1
  done
}
# api_serve [SERVE ARGS...]: `corrente serve` in the background on a free port, its log in
# $work/serve.log; sets port, spid and base (http://127.0.0.1:$port/api/v1); true once /health
# answers (30 s). Use as `check "serve answers" api_serve ...`.
api_serve() {
  port=$(free_port)
  "$corrente" serve --port "$port" "$@" >"$work/serve.log" 2>&1 &
  spid=$!
  base="http://127.0.0.1:$port/api/v1"
  wait_http "http://127.0.0.1:$port/health" 30
}
# api_login USER PASSWORD: the access token of a login to the server at $base ("" when refused).
api_login() {
  python3 -c 'import json,sys; print(json.dumps({"username": sys.argv[1], "password": sys.argv[2]}))' "$1" "$2" |
    curl -s -XPOST "$base/auth/login" -H 'Content-Type: application/json' -d @- |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["data"]["access_token"])' 2>/dev/null
}
# api_stop: SIGTERM to the server ($spid), waited for; its exit status.
api_stop() {
  local rc
  kill -TERM "$spid"; wait "$spid"; rc=$?; spid=""
  return $rc
}
# log_clean [FILE]: true when the server's log ($work/serve.log) has no error line.
log_clean() { lacks "$(cat "${1:-$work/serve.log}")" '"level":"error"|\[error\]'; }
# quietly COMMAND...: runs it with its output thrown away; its exit status.
quietly() { "$@" >/dev/null 2>&1; }
# api_py SCRIPT PASSWORD: tests/api/SCRIPT against the server, given BASE, DSN (the admin's URL),
# API_DSN (the API role's), CORRENTE and PASSWORD in its environment; its exit status.
api_py() {
  BASE="http://127.0.0.1:$port" DSN="$DATABASE_URL" API_DSN="$DATABASE_URL_API" CORRENTE="$corrente" \
    PASSWORD="$2" python3 "$here/$1"
}
