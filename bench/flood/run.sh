#!/usr/bin/env bash
# Connection-flood benchmark (not a test): 5,000 idle, 200 slowloris and 100 slow-body
# connections held against `corrente serve` for 35 s (past its 10 s header and 30 s body
# timeouts), while /health is polled on fresh connections every 50 ms. The peer is nginx
# (Debian's, default timeouts, worker_connections 10000, a `return 200` location) under the
# same flood in the same run. Prints /health median, p99 and max, peak RSS, and how many
# flood connections each server closed. The target: /health within 100 ms throughout.
#
# Usage: bench/flood/run.sh [path/to/corrente]   (default build/release/corrente)
# Env: FLOOD_IDLE (5000) FLOOD_SLOWLORIS (200) FLOOD_SLOW_BODY (100) FLOOD_SECONDS (35)
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
corrente="$(realpath "${1:-$root/build/release/corrente}")"
idle=${FLOOD_IDLE:-5000} loris=${FLOOD_SLOWLORIS:-200} slow=${FLOOD_SLOW_BODY:-100} secs=${FLOOD_SECONDS:-35}
if ! command -v nginx >/dev/null && [ ! -x /usr/sbin/nginx ]; then
  echo "installing nginx (the peer)..." >&2
  if [ "$(id -u)" = 0 ]; then apt-get install -y nginx-light >/dev/null; else sudo apt-get install -y nginx-light >/dev/null; fi
fi
ulimit -n 20000
unset DATABASE_URL
export CORRENTE_HOME=$(mktemp -d /tmp/corrente-flood.XXXXXX) CORRENTE_PG_FAST=1
chmod 755 "$CORRENTE_HOME"
export CORRENTE_JWT_SECRET=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')
spid="" npid=""
trap '[ -n "$spid" ] && kill "$spid" 2>/dev/null; [ -n "$npid" ] && kill "$npid" 2>/dev/null; "$corrente" db stop >/dev/null 2>&1; rm -rf "$CORRENTE_HOME"' EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
"$corrente" db start >/dev/null 2>&1
"$corrente" db upgrade >/dev/null 2>&1

port=$(free_port)
"$corrente" serve --port "$port" >"$CORRENTE_HOME/serve.log" 2>&1 &
spid=$!
for _ in $(seq 1 100); do curl -s -o /dev/null "http://127.0.0.1:$port/health" && break; sleep 0.1; done
python3 "$root/tests/api/flood.py" 127.0.0.1 "$port" --idle "$idle" --slowloris "$loris" \
  --slow-body "$slow" --seconds "$secs" --pid "$spid" --max-ms 100 --label corrente || true
kill -TERM "$spid"; wait "$spid" && echo "corrente: exited 0 after SIGTERM"; spid=""

nport=$(free_port)
mkdir -p "$CORRENTE_HOME/nginx"
cat >"$CORRENTE_HOME/nginx/nginx.conf" <<CONF
worker_processes auto;
pid $CORRENTE_HOME/nginx/nginx.pid;
error_log $CORRENTE_HOME/nginx/error.log;
worker_rlimit_nofile 20000;
events { worker_connections 10000; }
http {
  access_log off;
  client_body_temp_path $CORRENTE_HOME/nginx;
  proxy_temp_path $CORRENTE_HOME/nginx;
  server {
    listen 127.0.0.1:$nport;
    location = /health { return 200 '{"status":"healthy"}'; }
    location / { return 404; }
  }
}
CONF
/usr/sbin/nginx -c "$CORRENTE_HOME/nginx/nginx.conf" -g 'daemon off;' &
npid=$!
for _ in $(seq 1 100); do curl -s -o /dev/null "http://127.0.0.1:$nport/health" && break; sleep 0.1; done
python3 "$root/tests/api/flood.py" 127.0.0.1 "$nport" --idle "$idle" --slowloris "$loris" \
  --slow-body "$slow" --seconds "$secs" --pid "$npid" --max-ms 100 --label "nginx (peer)" || true
echo "(nginx's RSS is its master process only; its workers are separate processes)"
