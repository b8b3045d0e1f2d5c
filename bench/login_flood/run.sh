#!/usr/bin/env bash
# Login-flood benchmark (not a test): does a storm of logins starve the other requests?
# A throwaway managed cluster in a temporary CORRENTE_HOME and the demo data; then normal
# traffic (wrk: NORMAL_CONNECTIONS clients of an authenticated, uncached GET
# /api/v1/items?limit=20, so each request runs its SQL on a request worker) alone, and beside
# a flood of FLOOD_CONNECTIONS clients, each sending its next request as soon as it has the
# answer:
#   valid logins   - the right password for one of 32 accounts (every login admitted runs
#                    argon2id; none is a failure)
#   wrong passwords - ever-new user names (the address throttle ends them after 20)
#   control        - a cached GET answered on the I/O thread, the cheapest request there is:
#                    what any flood of that many clients costs the others on this machine
# Prints the normal requests' p50/p95/p99 without and with each flood, their answers by status,
# the p95 ratio (the target: within 2x), the flood's own rate and answers (200/401/429/503), how
# many requests the per-client cap of requests in flight refused (429, http_in_flight_refused_total:
# the normal clients and the control flood share one account, the admin's token, so past its 8
# requests in flight, half the workers, the next is refused at once by design; docs/security.md.
# With the control flood's URL cached none of its requests takes a slot, and none is refused),
# how many passwords
# were checked and refused, how many refusals were held (the tarpit: a refused login is answered
# a second late), how many logins the login rates refused, the CPU seconds the server and the
# flood client used, and what an honest login from another address (127.0.0.2) got meanwhile:
# HONEST_LOGINS logins, one every 2 s, each its status and time.
#
# Usage: bench/login_flood/run.sh [path/to/corrente]   (default build/release/corrente)
# Env: BENCH_SECONDS (10) NORMAL_CONNECTIONS (8) FLOOD_CONNECTIONS (32) HONEST_LOGINS (4)
#      SERVE_ARGS (extra `corrente serve` options, e.g. "--login-rate-address off")
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
corrente="$(realpath "${1:-$root/build/release/corrente}")"
secs=${BENCH_SECONDS:-10} nconns=${NORMAL_CONNECTIONS:-8} fconns=${FLOOD_CONNECTIONS:-32}
honest_n=$(( ${HONEST_LOGINS:-4} > 16 ? 16 : ${HONEST_LOGINS:-4} )) case_n=0
if ! command -v wrk >/dev/null; then
  echo "installing wrk..." >&2
  if [ "$(id -u)" = 0 ]; then apt-get install -y wrk >/dev/null; else sudo apt-get install -y wrk >/dev/null; fi
fi
unset DATABASE_URL
export CORRENTE_HOME=$(mktemp -d /tmp/corrente-login-flood.XXXXXX) CORRENTE_PG_FAST=1
chmod 755 "$CORRENTE_HOME"
export CORRENTE_JWT_SECRET=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')
spid=""
trap '[ -n "$spid" ] && kill "$spid" 2>/dev/null; "$corrente" db stop >/dev/null 2>&1; rm -rf "$CORRENTE_HOME"' EXIT

load_before=$(cut -d' ' -f1-3 /proc/loadavg)
"$corrente" db start >/dev/null 2>&1
"$corrente" db upgrade >/dev/null 2>&1
out=$("$corrente" seed --items 200 --sites 5 --days 365 2>&1)
admin_pw=$(sed -n 's/^demo login: admin \/ \(\S*\) .*/\1/p' <<<"$out")
url=$("$corrente" db url)
# 32 accounts for the valid logins and 64 for the honest ones, sharing the admin's password (and
# so its hash).
psql "$url" -qX -v ON_ERROR_STOP=1 -c "INSERT INTO support.users (username, password_hash, role)
  SELECT 'flood_' || g, password_hash, 'VIEWER' FROM support.users, generate_series(1, 32) g WHERE username = 'admin'
  UNION ALL
  SELECT 'honest_' || g, password_hash, 'VIEWER' FROM support.users, generate_series(1, 64) g WHERE username = 'admin'"
psql "$url" -qX -c "VACUUM (ANALYZE)"
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
port=$(free_port)
DATABASE_URL="$url" "$corrente" serve --port "$port" ${SERVE_ARGS:-} >"$CORRENTE_HOME/serve.log" 2>&1 &
spid=$!
for _ in $(seq 1 100); do curl -s -o /dev/null "http://127.0.0.1:$port/health" && break; sleep 0.1; done
token=$(curl -s -XPOST "http://127.0.0.1:$port/api/v1/auth/login" -d "{\"username\":\"admin\",\"password\":\"$admin_pw\"}" |
        python3 -c 'import json,sys; print(json.load(sys.stdin)["data"]["access_token"])')

# What both scripts share: the answers counted by status across wrk's threads, written as
# "CODES 200:n 429:m" by codes_done().
cat >"$CORRENTE_HOME/codes.lua" <<'LUA'
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) codes = {} end
response = function(status, headers, body) codes[status] = (codes[status] or 0) + 1 end
function codes_done()
  local total, parts = {}, {}
  for _, t in ipairs(threads) do
    for k, v in pairs(t:get("codes")) do total[k] = (total[k] or 0) + v end
  end
  for k, v in pairs(total) do table.insert(parts, k .. ":" .. v) end
  table.sort(parts)
  io.write("CODES " .. table.concat(parts, " ") .. "\n")
end
LUA
# The normal requests: a unique query string each, so none is a cache hit. Unique across runs
# too (NOCACHE_RUN): wrk's math.random starts from the same seed in every run, so each run asked
# the previous run's URLs again, and those were stored, up to the account's share of the cache
# (2,500 entries); past it the control flood's one URL was never stored, and the flood's
# requests took the account's slots of requests in flight (attack15).
cat >"$CORRENTE_HOME/normal.lua" <<'LUA'
dofile(os.getenv("CODES_LUA"))
local n, run = 0, os.getenv("NOCACHE_RUN")
request = function()
  n = n + 1
  return wrk.format(nil, wrk.path .. "&nocache=" .. run .. "_" .. n)
end
done = function(summary, latency, requests)
  io.write(string.format("PCT %.2f %.2f %.2f\n", latency:percentile(50) / 1000,
                         latency:percentile(95) / 1000, latency:percentile(99) / 1000))
  codes_done()
end
LUA
# The flood.
cat >"$CORRENTE_HOME/flood.lua" <<'LUA'
dofile(os.getenv("CODES_LUA"))
local mode, password = os.getenv("FLOOD_MODE"), os.getenv("FLOOD_PASSWORD")
if mode ~= "control" then
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json"
end
request = function()
  if mode == "control" then return wrk.format() end
  local body
  if mode == "valid" then
    body = string.format('{"username":"flood_%d","password":"%s"}', math.random(1, 32), password)
  else
    body = string.format('{"username":"nobody_%d","password":"wrong-password"}', math.random(1, 1000000000))
  end
  return wrk.format(nil, nil, nil, body)
end
done = function(summary, latency, requests) codes_done() end
LUA
export CODES_LUA="$CORRENTE_HOME/codes.lua"

metric() { curl -s "http://127.0.0.1:$port/metrics" | awk -v m="$1" '$1 == m {v = $2} END {printf "%d", v}'; }  # absent: 0
cpu() { awk '{printf "%.2f", ($14 + $15) / 100}' "/proc/$1/stat"; }  # user + system, seconds
normal() {  # -> "p50 p95 p99 answers req/s", answers by status: "200:5000,429:12"
  local o
  o=$(NOCACHE_RUN=$(date +%s%N) wrk -t1 -c"$nconns" -d"${secs}s" -H "Authorization: Bearer $token" -s "$CORRENTE_HOME/normal.lua" \
      "http://127.0.0.1:$port/api/v1/items?limit=20")
  echo "$(awk '$1 == "PCT" {print $2, $3, $4}' <<<"$o") $(awk '$1 == "CODES" {$1 = ""; sub(/^ /, ""); gsub(/ /, ","); print}' <<<"$o") $(awk '/Requests\/sec/ {print $2}' <<<"$o")"
}
# Honest logins from another address while the normal traffic runs, each to an account of its
# own (honest_N): "status/ms" each.
honest() {
  local i out=""
  sleep 1
  for i in $(seq 1 "$honest_n"); do
    out+="$(curl -s -o /dev/null --interface 127.0.0.2 -w '%{http_code}/%{time_total}' -XPOST \
            "http://127.0.0.1:$port/api/v1/auth/login" \
            -d "{\"username\":\"honest_$(( (case_n - 1) * honest_n + i ))\",\"password\":\"$admin_pw\"}" |
            awk -F/ '{printf "%s/%.0f", $1, $2 * 1000}') "
    sleep 2
  done
  echo "${out% }"
}
declare -a rows
base_p95=""
measure() {  # measure LABEL none|control|valid|wrong
  local label="$1" mode="$2" fpid="" flood="-" path="/api/v1/auth/login" checks0 refused0 cpu0 wcpu="-" hpid rated0
  checks0=$(metric auth_password_checks_total) refused0=$(metric auth_hashing_refused_total) cpu0=$(cpu "$spid")
  rated0=$(( $(metric auth_login_rate_address_refused_total) + $(metric auth_login_rate_account_refused_total) ))
  local held0 held1; held0=$(metric http_held_total)  # absent before the tarpit: 0
  local capped0; capped0=$(metric http_in_flight_refused_total)
  if [ "$mode" != none ]; then
    [ "$mode" = control ] && path="/api/v1/items?limit=1"
    curl -s -o /dev/null -H "Authorization: Bearer $token" "http://127.0.0.1:$port/api/v1/items?limit=1"  # cached
    FLOOD_MODE=$mode FLOOD_PASSWORD=$admin_pw /usr/bin/time -f "%U %S" -o "$CORRENTE_HOME/flood.time" \
      wrk -t2 -c"$fconns" -d"$((secs + 4))s" -H "Authorization: Bearer $token" -s "$CORRENTE_HOME/flood.lua" \
      "http://127.0.0.1:$port$path" >"$CORRENTE_HOME/flood.out" &
    fpid=$!
    sleep 2
  fi
  case_n=$((case_n + 1))
  honest >"$CORRENTE_HOME/honest.out" &
  hpid=$!
  read -r p50 p95 p99 answers rps <<<"$(normal)"
  wait "$hpid"
  local logins; logins=$(cat "$CORRENTE_HOME/honest.out")
  if [ -n "$fpid" ]; then
    wait "$fpid"
    flood="$(awk '/Requests\/sec/ {printf "%.0f", $2}' "$CORRENTE_HOME/flood.out")/s, $(awk '$1 == "CODES" {$1 = ""; print}' "$CORRENTE_HOME/flood.out" | sed 's/^ //')"
    wcpu=$(awk '{printf "%.1f", $1 + $2}' "$CORRENTE_HOME/flood.time")
  fi
  local checks=$(( $(metric auth_password_checks_total) - checks0 )) refused=$(( $(metric auth_hashing_refused_total) - refused0 ))
  held1=$(metric http_held_total)
  local held=$(( ${held1:-0} - ${held0:-0} ))
  local rated=$(( $(metric auth_login_rate_address_refused_total) + $(metric auth_login_rate_account_refused_total) - rated0 ))
  local capped=$(( $(metric http_in_flight_refused_total) - capped0 ))
  local scpu ratio
  scpu=$(python3 -c "print('%.1f' % ($(cpu "$spid") - $cpu0))")
  [ "$mode" = none ] && base_p95=$p95
  ratio=$(python3 -c "print('%.2fx' % ($p95 / $base_p95))")
  printf '%-22s normal: %8s req/s  p50 %7sms  p95 %7sms  p99 %7sms  answers %s  p95 ratio %s  in-flight cap refused %s\n' "$label" "$rps" "$p50" "$p95" "$p99" "$answers" "$ratio" "$capped"
  [ "$mode" != none ] &&
    printf '%-22s flood:  %s; passwords checked %s, refused %s, answers held %s, rate-limited %s; CPU s: server %s, flood client %s\n' "" "$flood" "$checks" "$refused" "$held" "$rated" "$scpu" "$wcpu"
  printf '%-22s honest logins from 127.0.0.2 (status/ms): %s\n' "" "$logins"
  rows+=("| $label | $p50 | $p95 | $p99 | $ratio | $answers / $capped | $flood | $checks / $refused / $held / $rated | $logins | $scpu / $wcpu |")
}

echo "login flood benchmark: $(nproc) cores shared by the server, PostgreSQL and wrk; normal traffic $nconns clients, flood $fconns clients, ${secs}s each"
echo "load average before seeding: $load_before; hashing pool: $(metric auth_hashing_threads) thread(s); $(grep -o 'login rates[^"]*' "$CORRENTE_HOME/serve.log" || echo 'no login rates')"
NOCACHE_RUN=warm wrk -t1 -c"$nconns" -d2s -H "Authorization: Bearer $token" -s "$CORRENTE_HOME/normal.lua" \
    "http://127.0.0.1:$port/api/v1/items?limit=20" >/dev/null  # warm-up, not measured
measure "no flood" none
measure "control flood" control
measure "valid logins" valid
measure "wrong passwords" wrong  # last: it locks this address out of logins for 5 minutes
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "| case | p50 ms | p95 ms | p99 ms | p95 / no flood | normal answers / in-flight cap refusals | flood (rate, answers) | passwords checked / refused / answers held / rate-limited | honest logins (status/ms) | CPU s server / flood client |"
echo "|---|---|---|---|---|---|---|---|---|---|"
printf '%s\n' "${rows[@]}"
