# Sourced by the MariaDB tests after common.sh (with $here set): a throwaway MariaDB
# (mariadb.sh), stopped with the test's database on exit. Sets $my (its directory) and
# $port, and my_sql (the mariadb client as root on its socket).
my=$(mktemp -d /tmp/corrente-my.XXXXXX)  # the mysql user must be able to reach it
chmod 755 "$my"
trap '"$here/mariadb.sh" stop "$my"; cleanup_db' EXIT
export CORRENTE_LOG_FORMAT=json
port=$("$here/mariadb.sh" start "$my"); check "MariaDB started" [ -n "$port" ]
my_sql() { mariadb --no-defaults -uroot --socket="$my/sock" "$@"; }
