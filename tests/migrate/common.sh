# Shared setup for the migrate black-box tests: a fresh database of our own on the ctest
# run's cluster (tests/cli_blackbox.sh seeds the main one), exported as DATABASE_URL.
. "$(dirname "$0")/../lib.sh"
unset DATABASE_URL
export PGOPTIONS="-c client_min_messages=warning"
base_url=$("$corrente" db url)
mig_db="mig_$(basename "$0" .sh)_$$"
psql "$base_url" -qc "DROP DATABASE IF EXISTS $mig_db" -c "CREATE DATABASE $mig_db" >/dev/null
role_urls "$mig_db"
export DATABASE_URL="$(with_db "$base_url" "$mig_db")"
work=$(mktemp -d)
cleanup_db() {
  psql "$base_url" -qc "DROP DATABASE IF EXISTS $mig_db WITH (FORCE)" >/dev/null 2>&1
  rm -rf "$work"
}
q() { psql "$DATABASE_URL" -Atc "$1"; }
