#!/usr/bin/env bash
# Throwaway MariaDB for tests: mariadb.sh start DIR -> prints the port; mariadb.sh stop DIR.
# Runs mariadbd as the mysql user (or root with --user=root when there is no mysql user),
# on 127.0.0.1 and a socket under DIR, with a user corrente/corrente.
set -euo pipefail
cmd="$1"; dir="$2"
case "$cmd" in
  start)
    mkdir -p "$dir"
    user=mysql
    id mysql >/dev/null 2>&1 || user=root
    [ "$(id -u)" = 0 ] && chown "$user" "$dir"
    port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
    mariadb-install-db --no-defaults --datadir="$dir/data" --user="$user" --auth-root-authentication-method=normal \
      --skip-test-db >"$dir/install.log" 2>&1
    mariadbd --no-defaults --datadir="$dir/data" --socket="$dir/sock" --port="$port" --bind-address=127.0.0.1 \
      --user="$user" --pid-file="$dir/pid" --log-error="$dir/err.log" --skip-log-bin \
      --innodb-buffer-pool-size=32M --innodb-log-file-size=8M >/dev/null 2>&1 &
    for _ in $(seq 1 200); do
      mariadb --no-defaults -uroot --socket="$dir/sock" -e 'SELECT 1' >/dev/null 2>&1 && break
      sleep 0.1
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
      kill "$pid" 2>/dev/null || true
      for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    fi
    rm -rf "$dir"
    ;;
esac
