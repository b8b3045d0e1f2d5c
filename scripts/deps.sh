#!/usr/bin/env bash
# Installs the exact Debian packages Corrente needs. Idempotent: when everything is
# present it only runs dpkg-query and returns in well under a second.
# Node.js and npm (the dashboard build, DuckDB's C API) are Debian's `nodejs` and `npm` when
# node is missing; a node already on the PATH (any version >= 18.19) is left alone.
# Usage: scripts/deps.sh [build|test|bench|all|web]   (default: build; web: only node and npm)
set -euo pipefail
profile="${1:-build}"

build_pkgs=(
  build-essential cmake ninja-build ccache pkg-config
  libboost1.81-dev libboost-json1.81-dev libboost-url1.81-dev
  libpq-dev libsodium-dev libjwt-dev libcli11-dev libspdlog-dev libfmt-dev
  libeigen3-dev libsqlite3-dev libmariadb-dev zlib1g-dev libssl-dev libxxhash-dev
  googletest libgtest-dev libgmock-dev
  postgresql-15 postgresql-client-15 pgbackrest
  curl ca-certificates openssl
)
test_pkgs=(sqlite3 mariadb-server postgresql-15-postgis-3 chromium iproute2 python3-jsonschema prometheus nginx-light)
bench_pkgs=(wrk pgloader r-cran-forecast hyperfine
            python3-flask python3-flask-caching python3-sqlalchemy python3-psycopg2 python3-jwt gunicorn)

pkgs=("${build_pkgs[@]}")
case "$profile" in
  build) ;;
  test) pkgs+=("${test_pkgs[@]}") ;;
  bench) pkgs+=("${test_pkgs[@]}" "${bench_pkgs[@]}") ;;
  all) pkgs+=("${test_pkgs[@]}" "${bench_pkgs[@]}") ;;
  web) pkgs=() ;;
  *) echo "usage: $0 [build|test|bench|all|web]" >&2; exit 2 ;;
esac
# Debian's node and npm only when none is there: a newer node from another repository ships its
# own npm and conflicts with Debian's `npm` package.
command -v node >/dev/null || pkgs+=(nodejs)
command -v npm >/dev/null || pkgs+=(npm)

missing=()
for p in "${pkgs[@]}"; do
  status=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
  [ "$status" = "installed" ] || missing+=("$p")
done
# DuckDB's C API comes from npm (Debian has none); the migrate tests use it.
duckdb() { case "$profile" in build|web) ;; *) "$(dirname "$0")/deps_duckdb.sh" ;; esac; }
if [ ${#missing[@]} -eq 0 ]; then
  duckdb
  exit 0
fi

SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
echo "deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
# The cluster is managed by corrente itself; keep Debian from creating and starting its own.
if [ ! -e /etc/postgresql-common/createcluster.conf ] && [[ " ${missing[*]} " == *" postgresql-15 "* ]]; then
  $SUDO mkdir -p /etc/postgresql-common
  echo "create_main_cluster = false" | $SUDO tee /etc/postgresql-common/createcluster.conf >/dev/null
fi
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
duckdb
