#!/usr/bin/env bash
# Two `corrente serve` processes on one database behind Debian's nginx with
# deploy/nginx/corrente.conf (its ports moved to free ones): requests reach both, a write
# through one drops the other's cache (NOTIFY), a logout on one is refused by the other, and
# with one server stopped nginx sends everything to the survivor.
set -uo pipefail
corrente="$1"
here="$(cd "$(dirname "$0")" && pwd)"
. "$here/lib.sh"
command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || { echo "nginx is not installed (scripts/deps.sh test)"; exit 1; }
nginx_bin=$(command -v nginx || echo /usr/sbin/nginx)
unset CORRENTE_METRICS_TOKEN
db=nginx_two
scratch_db "$db"
export CORRENTE_JWT_SECRET; CORRENTE_JWT_SECRET=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')
work=$(mktemp -d)
pa="" pb=""
cleanup() {
  [ -n "$pa" ] && kill "$pa" 2>/dev/null
  [ -n "$pb" ] && kill "$pb" 2>/dev/null
  [ -f "$work/nginx.pid" ] && kill "$(cat "$work/nginx.pid")" 2>/dev/null
  sleep 0.2; rm -rf "$work"
  psql "$main_url" -qAtc "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1
}
trap cleanup EXIT
q() { psql "$DATABASE_URL" -qAtX -v ON_ERROR_STOP=1 -c "$1"; }

"$corrente" seed --items 20 --sites 2 --days 120 >/dev/null 2>&1; check "seed" [ $? -eq 0 ]
"$corrente" pipeline run --jobs 2 >/dev/null 2>&1; check "pipeline run" [ $? -eq 0 ]
printf '%s\n' 'two-servers-Kestrel-91' | "$corrente" user add twoadmin --role ADMIN --password-stdin >/dev/null 2>&1

porta=$(free_port) portb=$(free_port) portn=$(free_port)
"$corrente" serve --port "$porta" >"$work/a.log" 2>&1 & pa=$!
"$corrente" serve --port "$portb" >"$work/b.log" 2>&1 & pb=$!
wait_http "http://127.0.0.1:$porta/health" 30; check "server A answers" [ $? -eq 0 ]
wait_http "http://127.0.0.1:$portb/health" 30; check "server B answers" [ $? -eq 0 ]

# The shipped configuration, with its ports moved, inside a minimal nginx.conf.
sed -e "s/127.0.0.1:8080/127.0.0.1:$porta/; s/127.0.0.1:8081/127.0.0.1:$portb/; s/listen 80;/listen 127.0.0.1:$portn;/" \
  "$here/../deploy/nginx/corrente.conf" >"$work/corrente.conf"
check "the shipped file names the two default ports" [ "$(grep -c '127.0.0.1:808[01]' "$here/../deploy/nginx/corrente.conf")" -eq 2 ]
cat >"$work/nginx.conf" <<EOF
pid $work/nginx.pid;
error_log $work/error.log;
events {}
http {
  access_log $work/access.log;
  client_body_temp_path $work/body;
  proxy_temp_path $work/proxy;
  include $work/corrente.conf;
}
EOF
out=$("$nginx_bin" -t -p "$work" -c "$work/nginx.conf" 2>&1); check "nginx -t accepts the configuration" [ $? -eq 0 ] || echo "$out"
"$nginx_bin" -p "$work" -c "$work/nginx.conf"; check "nginx starts" [ $? -eq 0 ]
base="http://127.0.0.1:$portn"
wait_http "$base/health" 10; check "health through nginx" [ $? -eq 0 ]

login() { curl -s -X POST -H 'Content-Type: application/json' -d '{"username":"twoadmin","password":"two-servers-Kestrel-91"}' \
            "$1/api/v1/auth/login" | python3 -c 'import json,sys; print(json.load(sys.stdin)["data"]["access_token"])'; }
code() { curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $1" "$2"; }
token=$(login "$base"); check "login through nginx" [ -n "$token" ]
for _ in $(seq 1 10); do curl -s -o /dev/null -H "Authorization: Bearer $token" "$base/api/v1/items?limit=1"; done
served() { curl -s "http://127.0.0.1:$1/metrics" | awk '$1 ~ /^http_requests_total\{route="\/api\/v1\/items"/ { n += $2 } END { print n + 0 }'; }
both=$([ "$(served "$porta")" -gt 0 ] && [ "$(served "$portb")" -gt 0 ] && echo yes)
check "nginx spread the requests over both servers" [ "$both" = yes ]

# A write through A drops B's cached answer (NOTIFY corrente_alerts).
alert=$(q "select min(alert_id) from analytics.alerts where read_at is null")
check "an unread alert exists" [ -n "$alert" ]
unread() { curl -s -H "Authorization: Bearer $token" "http://127.0.0.1:$1/api/v1/alerts?limit=1000" |
           python3 -c "import json,sys; print(sum(1 for a in json.load(sys.stdin)['data'] if a['alert_id'] == $alert and not a.get('read_at')))"; }
hits() { curl -s "http://127.0.0.1:$portb/metrics" | awk '$1 == "cache_hits_total" { print $2 }'; }
check "B lists the alert unread" [ "$(unread "$portb")" = 1 ]
unread "$portb" >/dev/null  # the second ask is stored (a first one is not: ResponseCache::Admit)
h0=$(hits)
check "B lists it unread again" [ "$(unread "$portb")" = 1 ]
check "that time from its cache" [ "$(hits)" -gt "$h0" ]
check "mark it read through A" [ "$(curl -s -o /dev/null -w '%{http_code}' -X PATCH -H "Authorization: Bearer $token" "http://127.0.0.1:$porta/api/v1/alerts/$alert/mark-read")" = 200 ]
for _ in $(seq 20); do [ "$(unread "$portb")" = 0 ] && break; sleep 0.1; done
check "B no longer shows it unread (its cache was dropped)" [ "$(unread "$portb")" = 0 ]

# A logout through A ends the token on B too.
check "the token works on B" [ "$(code "$token" "http://127.0.0.1:$portb/api/v1/auth/me")" = 200 ]
check "logout through A" [ "$(curl -s -o /dev/null -w '%{http_code}' -X POST -H "Authorization: Bearer $token" "http://127.0.0.1:$porta/api/v1/auth/logout")" = 200 ]
for _ in $(seq 20); do [ "$(code "$token" "http://127.0.0.1:$portb/api/v1/auth/me")" = 401 ] && break; sleep 0.1; done
check "B refuses the revoked token" [ "$(code "$token" "http://127.0.0.1:$portb/api/v1/auth/me")" = 401 ]
check "and so does nginx, whichever server answers" [ "$(code "$token" "$base/api/v1/auth/me")$(code "$token" "$base/api/v1/auth/me")" = 401401 ]

# One server stopped: nginx sends everything to the other.
kill -TERM "$pb"; wait "$pb"; pb=""
token=$(login "$base"); check "login with B stopped" [ -n "$token" ]
ok=0; for _ in $(seq 1 10); do [ "$(code "$token" "$base/api/v1/items?limit=1")" = 200 ] && ok=$((ok + 1)); done
check "10 of 10 requests answered with B stopped" [ "$ok" -eq 10 ]
check "/metrics is not proxied" [ "$(curl -s -o /dev/null -w '%{http_code}' "$base/metrics")" = 404 ]
finish
