#!/usr/bin/env bash
# The login rates on the real `corrente serve` (tests/api/login_rate.py): a client address's
# burst, then 429 with Retry-After held a second, refill, an honest login after it; an
# account's burst across addresses; wrong passwords spend tokens too; parallel logins past a
# bucket check no more passwords than it holds. Also the options: a flag, the environment, a
# bad value refused at start. Behind a trusted proxy, each client behind it is counted apart.
set -uo pipefail
corrente="$1"
here="$(cd "$(dirname "$0")" && pwd)"
. "$here/../lib.sh"
api_scratch api_login_rate

check "db upgrade" quietly "$corrente" db upgrade
pw='Rate-Limit-Phrase-7'
echo "$pw" | "$corrente" user add rate_base --role VIEWER --password-stdin >/dev/null 2>&1
check "a user to copy" [ $? -eq 0 ]
psql "$DATABASE_URL" -qAtX -v ON_ERROR_STOP=1 -c "INSERT INTO support.users (username, password_hash, role)
  SELECT 'rate_' || g, password_hash, 'VIEWER' FROM support.users, generate_series(1, 40) g WHERE username = 'rate_base'" >/dev/null

out=$(timeout 30 "$corrente" serve --port "$(free_port)" --login-rate-address 20 2>&1); rc=$?
check "a bad --login-rate-address stops serve at once" [ "$rc" -ne 0 ] && also contains "$out" "BURST/PER_MINUTE"
out=$(CORRENTE_LOGIN_RATE_ACCOUNT=0/5 timeout 30 "$corrente" serve --port "$(free_port)" 2>&1); rc=$?
check "so does a bad CORRENTE_LOGIN_RATE_ACCOUNT" [ "$rc" -ne 0 ] && also contains "$out" "CORRENTE_LOGIN_RATE_ACCOUNT"

# Per address: 4 at once, then one every 5 s. Per account (from the environment): 3 at once,
# then one every 2 minutes, so no token comes back during the test.
CORRENTE_LOGIN_RATE_ACCOUNT=3/0.5 check "server answers" api_serve --login-rate-address 4/12
check "the rates in force are logged" contains "$(cat "$work/serve.log")" "per address 4/12, per account 3/0.5"

check "login_rate.py" api_py login_rate.py "$pw"
check "the server logged no error" log_clean

# Behind a reverse proxy (--trusted-proxy): the client is the address the proxy appended to
# X-Forwarded-For, so 20 wrong passwords from one client lock out that client, not everyone
# behind the proxy (every client had the proxy's address: 20 failures from anyone refused every
# login for 5 minutes). A peer that is not trusted cannot choose its address with the header.
kill "$spid"; wait "$spid" 2>/dev/null
port=$(free_port)
# Four hashing threads without a duty cap: the concurrent user creations below finish hashing
# together.
CORRENTE_HASH_THREADS=4 CORRENTE_HASH_DUTY=1 "$corrente" serve --port "$port" --trusted-proxy 127.0.0.1 >"$work/proxy.log" 2>&1 &
spid=$!
wait_http "http://127.0.0.1:$port/health" 30; check "server with --trusted-proxy answers" [ $? -eq 0 ]
login_as() {  # login_as SOURCE X-FORWARDED-FOR USER PASSWORD: the status
  curl -s -o /dev/null -w '%{http_code}' --interface "$1" -H "X-Forwarded-For: $2" -XPOST \
    "http://127.0.0.1:$port/api/v1/auth/login" -d "{\"username\":\"$3\",\"password\":\"$4\"}"
}
codes=""
for i in $(seq 1 21); do codes+="$(login_as 127.0.0.1 '6.6.6.6, 203.0.113.5' "ghost$i" wrong-password) "; done
check "behind the proxy, one client's 20 failures, then 429 for that client ($codes)" \
  [ "$codes" = "$(printf '401 %.0s' $(seq 1 20))429 " ]
check "another client behind the same proxy still logs in" [ "$(login_as 127.0.0.1 203.0.113.9 rate_1 "$pw")" = 200 ]
check "the audit log has the client's address, not the proxy's nor the client's own claim" \
  [ "$(psql "$DATABASE_URL" -qAtX -c "select string_agg(distinct host(ip_address), ',') from support.audit_logs where actor like 'ghost%'")" = 203.0.113.5 ]
for i in $(seq 1 20); do login_as 127.0.0.2 "198.51.100.$i" "spoof$i" wrong-password >/dev/null; done
check "an untrusted peer's X-Forwarded-For is ignored: after its 20 failures it gets 429 whatever it claims" \
  [ "$(login_as 127.0.0.2 198.51.100.99 rate_2 "$pw")" = 429 ]
# The same new user created 4 times at once, 5 rounds: one 201 and three 409 each time (a create
# that lost the race after the name check hit the unique constraint: 500 in 2 of 6 rounds).
echo 'Rate-Boss-Phrase-9x' | "$corrente" user add rate_admin --role ADMIN --password-stdin >/dev/null 2>&1
admin=$(curl -s -H 'X-Forwarded-For: 203.0.113.30' -XPOST "http://127.0.0.1:$port/api/v1/auth/login" \
          -d '{"username":"rate_admin","password":"Rate-Boss-Phrase-9x"}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["data"]["access_token"])')
rounds=$(PORT="$port" TOKEN="$admin" python3 - <<'EOF'
import http.client, json, os, threading
def create(name, i, out):
    c = http.client.HTTPConnection("127.0.0.1", int(os.environ["PORT"]), timeout=60)
    c.request("POST", "/api/v1/admin/users", json.dumps({"username": name, "password": "Same-Name-Phrase-%d!" % i, "role": "VIEWER"}),
              {"Authorization": "Bearer " + os.environ["TOKEN"], "Content-Type": "application/json"})
    out[i] = c.getresponse().status
res = []
for k in range(5):
    out, gate = [0] * 4, threading.Barrier(4)
    ts = [threading.Thread(target=lambda i=i: (gate.wait(), create("same_%d" % k, i, out))) for i in range(4)]
    [t.start() for t in ts]
    [t.join() for t in ts]
    res.append(",".join(map(str, sorted(out))))
print(" ".join(res))
EOF
)
check "the same user created 4 times at once: 201 once, 409 three times (5 rounds: $rounds)" \
  [ "$rounds" = "$(printf '201,409,409,409 %.0s' 1 2 3 4 5 | sed 's/ $//')" ]
check "  and no database error logged" lacks "$(cat "$work/proxy.log")" 'database error'
out=$(timeout 30 "$corrente" serve --port "$(free_port)" --trusted-proxy proxy.example 2>&1); rc=$?
check "a --trusted-proxy that is not an address stops serve" [ "$rc" -ne 0 ] && also contains "$out" "not an IP address"
finish
