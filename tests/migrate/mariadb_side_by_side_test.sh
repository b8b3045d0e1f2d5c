#!/usr/bin/env bash
# tests/migrate/mariadb.sh: two throwaway MariaDB servers side by side, as ctest runs the
# MariaDB tests. A second server's start (its install's bootstrap, then the server) must leave
# the first one's live temporary tables alone: with one tmpdir (/tmp) for all, it deleted them,
# and the first server's query failed or the server crashed (messy_mysql_test's verify and
# sync in CI).
set -uo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
. "$here/../lib.sh"
a=$(mktemp -d /tmp/corrente-my.XXXXXX) b=$(mktemp -d /tmp/corrente-my.XXXXXX)
chmod 755 "$a" "$b"  # the mysql user must be able to reach them
trap 'exec 3>&- 2>/dev/null; "$here/mariadb.sh" stop "$a"; "$here/mariadb.sh" stop "$b"' EXIT
port_a=$("$here/mariadb.sh" start "$a"); check "the first MariaDB started" [ -n "$port_a" ]
my_a() { mariadb --no-defaults -uroot --socket="$a/sock" -N "$@"; }

# A query of the first server holds an on-disk temporary table (information_schema is
# materialized) while it waits for a lock that another session holds.
mkfifo "$a/holder"
my_a <"$a/holder" >/dev/null 2>&1 &
exec 3>"$a/holder"
echo "SELECT GET_LOCK('corrente_hold', 120);" >&3
for _ in $(seq 1 100); do [ "$(my_a -e "SELECT IS_USED_LOCK('corrente_hold') IS NOT NULL")" = 1 ] && break; sleep 0.1; done
expected=$(my_a -e "SELECT count(*) FROM information_schema.columns")
my_a -e "SELECT count(*) FROM (SELECT column_name, column_default FROM information_schema.columns) x
         WHERE GET_LOCK('corrente_hold', 120)" >"$a/query.out" 2>&1 &
query=$!
tmp_a=$(my_a -e "SELECT @@tmpdir")
held=0
for _ in $(seq 1 100); do
  held=$(find "$tmp_a" -maxdepth 1 -name "#sql-temptable-$(printf %x "$(cat "$a/pid")")-*" 2>/dev/null | wc -l)
  [ "$held" -gt 0 ] && break
  sleep 0.1
done
check "the first server holds a temporary table in its tmpdir" [ "$held" -gt 0 ]

port_b=$("$here/mariadb.sh" start "$b"); check "a second MariaDB started meanwhile" [ -n "$port_b" ]
check "  on another port, with another tmpdir" [ "$port_a" != "$port_b" ]
also [ "$tmp_a" != "$(mariadb --no-defaults -uroot --socket="$b/sock" -N -e "SELECT @@tmpdir")" ]
echo "SELECT RELEASE_LOCK('corrente_hold');" >&3
exec 3>&-
wait "$query"; rc=$?
check "the first server's query ends well after the second server's start" [ $rc -eq 0 ]
also [ "$(cat "$a/query.out")" = "$expected" ]
[ $rc -eq 0 ] || cat "$a/query.out"
check "  and the first server still answers" [ "$(my_a -e "SELECT 1" 2>&1)" = 1 ]
finish
