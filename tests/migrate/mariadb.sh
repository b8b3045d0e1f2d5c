#!/usr/bin/env bash
# Throwaway MariaDB for tests: mariadb.sh start DIR -> prints the port; mariadb.sh stop DIR.
# Runs mariadbd as the mysql user (or root with --user=root when there is no mysql user),
# on 127.0.0.1 and a socket under DIR, with a user corrente/corrente.
#
# Each server has a tmpdir of its own (DIR/tmp): a MariaDB starting (mariadb-install-db's
# bootstrap too) deletes every #sql* file in its tmpdir, and with /tmp shared by the tests that
# ctest runs side by side those were another server's live temporary tables (information_schema
# queries hold them): that server's query failed ("Error on delete of '/tmp/#sql-temptable-...")
# or it crashed in ha_maria::drop_table, and the test's next migrate commands failed.
set -euo pipefail
cmd="$1"; dir="$2"
case "$cmd" in
  start)
    mkdir -p "$dir/tmp"
    user=mysql
    id mysql >/dev/null 2>&1 || user=root
    [ "$(id -u)" = 0 ] && chown "$user" "$dir" "$dir/tmp"
    if ! mariadb-install-db --no-defaults --datadir="$dir/data" --user="$user" --tmpdir="$dir/tmp" \
      --auth-root-authentication-method=normal --skip-test-db >"$dir/install.log" 2>&1; then
      echo "mariadb.sh: mariadb-install-db failed:" >&2
      tail -20 "$dir/install.log" >&2
      exit 1
    fi
    # The port is free when picked but may be taken before mariadbd binds it (bind-and-release):
    # then mariadbd stops at once, and another port is tried.
    for attempt in 1 2 3 4 5; do
      port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
      log="$dir/err.log"
      mariadbd --no-defaults --datadir="$dir/data" --socket="$dir/sock" --port="$port" --bind-address=127.0.0.1 \
        --user="$user" --pid-file="$dir/pid" --log-error="$log" --tmpdir="$dir/tmp" --skip-log-bin \
        --innodb-buffer-pool-size=32M --innodb-log-file-size=8M >/dev/null 2>&1 &
      server=$!
      up=0
      for _ in $(seq 1 600); do
        mariadb --no-defaults -uroot --socket="$dir/sock" -e 'SELECT 1' >/dev/null 2>&1 && { up=1; break; }
        kill -0 "$server" 2>/dev/null || break
        sleep 0.1
      done
      [ "$up" = 1 ] && break
      if ! kill -0 "$server" 2>/dev/null && grep -q "Address already in use" "$log" && [ "$attempt" -lt 5 ]; then
        mv "$log" "$dir/err.$attempt.log"
        continue
      fi
      echo "mariadb.sh: MariaDB did not start on port $port; its log:" >&2
      tail -20 "$log" >&2
      exit 1
    done
    mariadb --no-defaults -uroot --socket="$dir/sock" -e \
      "CREATE USER IF NOT EXISTS 'corrente'@'%' IDENTIFIED BY 'corrente'; GRANT ALL ON *.* TO 'corrente'@'%';
       CREATE USER IF NOT EXISTS 'corrente'@'localhost' IDENTIFIED BY 'corrente'; GRANT ALL ON *.* TO 'corrente'@'localhost';"
    echo "$port" >"$dir/port"
    echo "$port"
    ;;
  stop)
    if [ -f "$dir/pid" ]; then
      pid=$(cat "$dir/pid")
      # Dead (a zombie until its new parent reaps it) or crashed: say how, for the test's output.
      state=$(ps -o stat= -p "$pid" 2>/dev/null || true)
      if [ -z "$state" ] || [ "${state:0:1}" = Z ] || grep -q "got signal" "$dir/err.log" 2>/dev/null; then
        echo "mariadb.sh: the MariaDB server of $dir stopped before the end of the test; its log:" >&2
        tail -40 "$dir/err.log" >&2
      fi
      kill "$pid" 2>/dev/null || true
      for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    fi
    rm -rf "$dir"
    ;;
esac
