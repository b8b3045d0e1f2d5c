# A throwaway Citus cluster for the tests: a coordinator and two workers, each a managed
# cluster (`corrente db start`) in its own CORRENTE_HOME under one base directory.
# Source after tests/lib.sh; needs $corrente. Skips (exit 77) when Citus is neither
# installed nor buildable from ../shared/vendor.
#
#   citus_require            install Citus when missing (scripts/citus.sh), or skip
#   citus_start BASE         start coord, w1, w2 under BASE; sets coord_url, w1_url, w2_url
#   citus_stop BASE          stop the three nodes
citus_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)

citus_require() {
  local out rc
  out=$("$citus_root/scripts/citus.sh" install 2>&1); rc=$?
  if [ $rc -eq 2 ]; then
    echo "SKIP: $out"
    exit 77
  fi
  [ $rc -eq 0 ] || { echo "$out"; echo "citus build failed"; exit 1; }
}

# node_url NODE_HOME: the node's superuser URL.
node_url() { CORRENTE_HOME="$1" "$corrente" db url 2>/dev/null; }

citus_node() {  # citus_node HOME: started with Citus preloaded and the extension created
  local home="$1" url
  mkdir -p "$home"; chmod 755 "$home"
  CORRENTE_HOME="$home" "$corrente" db start >/dev/null 2>&1 || { echo "cannot start $home"; return 1; }
  url=$(node_url "$home")
  if [ "$(psql "$url" -qAtc 'SHOW shared_preload_libraries')" != citus ]; then
    psql "$url" -qAtc "ALTER SYSTEM SET shared_preload_libraries = 'citus'" >/dev/null
    # Test clusters only: nodes reach each other over TLS on loopback without a password.
    # A production cluster keeps scram and gives Citus the passwords in pg_dist_authinfo.
    local hba="$home/pg/data/pg_hba.conf"
    sed -i "1a hostssl all all 127.0.0.1/32 trust" "$hba"
    chown --reference="$home/pg/data/postgresql.conf" "$hba"; chmod 600 "$hba"
    CORRENTE_HOME="$home" "$corrente" db stop >/dev/null 2>&1
    CORRENTE_HOME="$home" "$corrente" db start >/dev/null 2>&1 || { echo "cannot restart $home"; return 1; }
    url=$(node_url "$home")
  fi
  psql "$url" -qAtc "CREATE EXTENSION IF NOT EXISTS citus" >/dev/null
  # The server runs with our HOME, which it may not read: point libpq's default client
  # certificate at a file that does not exist, so node-to-node connections use none.
  psql "$url" -qAtc "ALTER SYSTEM SET citus.node_conninfo = 'sslmode=require sslcert=$home/pg/no-client.crt sslkey=$home/pg/no-client.key'" >/dev/null
  psql "$url" -qAtc "SELECT pg_reload_conf()" >/dev/null
}

citus_start() {
  local base="$1" n
  export CORRENTE_PG_FAST=1
  for n in coord w1 w2; do citus_node "$base/$n" || return 1; done
  coord_url=$(node_url "$base/coord") w1_url=$(node_url "$base/w1") w2_url=$(node_url "$base/w2")
  # The coordinator holds metadata and no shards (not citus_set_coordinator_host): with a
  # placement of its own, a transaction that ran part of itself locally cannot go parallel.
  local port
  for n in w1 w2; do
    port=$(cat "$base/$n/pg/port")
    psql "$coord_url" -qAtc "SELECT citus_add_node('127.0.0.1', $port)" >/dev/null || return 1
  done
}

citus_stop() {
  local n
  for n in coord w1 w2; do CORRENTE_HOME="$1/$n" "$corrente" db stop >/dev/null 2>&1; done
}
