#!/usr/bin/env bash
# /metrics both ways, on the real `corrente serve`: open without a metrics token; with one
# (CORRENTE_METRICS_TOKEN or --metrics-token) only "Authorization: Bearer <token>" reads it,
# everything else is 401; a token under 16 bytes stops the server from starting.
set -uo pipefail
corrente="$1"
here="$(cd "$(dirname "$0")" && pwd)"
. "$here/../lib.sh"
unset DATABASE_URL CORRENTE_METRICS_TOKEN
api_scratch api_metrics

code() { curl -s -o /dev/null -w '%{http_code}' "$@"; }
url() { echo "http://127.0.0.1:$port/metrics"; }

# No token: open, as before.
check "no token: serve answers" api_serve
check "no token: /metrics is open (200)" [ "$(code "$(url)")" = 200 ]
api_stop

token="metrics-$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')"
CORRENTE_METRICS_TOKEN=$token check "CORRENTE_METRICS_TOKEN: serve answers" api_serve
hdrs=$(curl -s -D - -o "$work/body" "$(url)")
check "no Authorization: 401" contains "$hdrs" "^HTTP/1.1 401"
check "with WWW-Authenticate: Bearer" contains "$hdrs" '^WWW-Authenticate: Bearer'
check "and the error envelope, no metrics" grep -q '"error":"unauthorized"' "$work/body"
check "the body has no metric in it" lacks "$(cat "$work/body")" 'http_requests_total|db_pool'
declare -A bad=(
  [wrong]="Bearer not-the-metrics-token-at-all-123"
  [prefix]="Bearer ${token:0:20}"
  [longer]="Bearer ${token}x"
  [last byte]="Bearer ${token%?}_"
  [empty]="Bearer "
  [basic]="Basic $(printf 'x:%s' "$token" | base64 -w0)"
  [no scheme]="$token"
)
codes=""
for k in "${!bad[@]}"; do codes+="$k=$(code -H "Authorization: ${bad[$k]}" "$(url)") "; done
check "a wrong, partial, longer, empty, Basic or scheme-less token: 401 each ($codes)" lacks "$codes" '=[^4]|=4[^0]|=40[^1]'
body=$(curl -s -w '\n%{http_code}' -H "Authorization: Bearer $token" "$(url)")
check "the right token: 200 with the metrics" [ "$(tail -1 <<<"$body")" = 200 ]
check "which count the refusals" contains "$body" 'http_requests_total\{route="/metrics",method="GET",status="401"\} ([89]|[1-9][0-9])'
check "the scheme is case-insensitive" [ "$(code -H "Authorization: bearer $token" "$(url)")" = 200 ]
check "/health stays open" [ "$(code "http://127.0.0.1:$port/health")" = 200 ]
check "the token is not in the log" lacks "$(cat "$work/serve.log")" "$token"
api_stop

flag_token="flag-token-$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')"
check "--metrics-token: serve answers" api_serve --metrics-token "$flag_token"
check "--metrics-token: without it 401" [ "$(code "$(url)")" = 401 ]
check "--metrics-token: with it 200" [ "$(code -H "Authorization: Bearer $flag_token" "$(url)")" = 200 ]
api_stop
CORRENTE_METRICS_TOKEN=$token api_serve --metrics-token "$flag_token"
check "the flag wins over the environment" [ "$(code -H "Authorization: Bearer $flag_token" "$(url)")/$(code -H "Authorization: Bearer $token" "$(url)")" = 200/401 ]
api_stop

out=$(CORRENTE_METRICS_TOKEN=too-short "$corrente" serve --port "$(free_port)" 2>&1); rc=$?
check "a token under 16 bytes: serve refuses to start (exit 1)" [ $rc -eq 1 ]
check "saying why" contains "$out" "at least 16 bytes"
finish
