#!/usr/bin/env bash
# `corrente serve --tls-cert --tls-key` on the real binary: a throwaway CA and server
# certificate made with openssl; a verified handshake with curl --cacert (TLS 1.2 and 1.3,
# ECDHE + AEAD only), TLS 1.1 and 1.0 and CBC or non-ECDHE ciphers refused by the server,
# HSTS on every answer, keep-alive and a streamed (chunked) CSV export over TLS, plain HTTP
# and garbage on the TLS port answered or closed while the server stays up, a stalled
# handshake closed, bad certificate options refused at start-up, SIGTERM exits 0.
set -uo pipefail
corrente="$1"
here="$(cd "$(dirname "$0")" && pwd)"
. "$here/../lib.sh"
unset DATABASE_URL CORRENTE_METRICS_TOKEN
command -v openssl >/dev/null || { echo "openssl is missing (scripts/deps.sh test)"; exit 1; }
api_scratch api_tls

"$corrente" db upgrade >/dev/null 2>&1
seed_out=$("$corrente" seed --items 20 --sites 3 --days 30 --seed 5 2>&1); check "seed api_tls" [ $? -eq 0 ]
admin_pw=$(sed -n 's/^demo login: admin \/ \([^ ]*\) .*/\1/p' <<<"$seed_out")

# A CA, and a server certificate it signs for localhost and 127.0.0.1 (P-256 keys).
cd "$work"
ec() { echo -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes; }
openssl req -x509 $(ec) -keyout ca.key -out ca.pem -days 2 -subj /CN=corrente-test-ca 2>/dev/null
openssl req $(ec) -keyout server.key -out server.csr -subj /CN=localhost 2>/dev/null
printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature\nextendedKeyUsage=serverAuth\n' >ext.cnf
openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out server.pem -days 2 -extfile ext.cnf 2>/dev/null
openssl req $(ec) -keyout other.key -out /dev/null -subj /CN=other 2>/dev/null
check "openssl made the CA and the server certificate" openssl verify -CAfile ca.pem server.pem
cd - >/dev/null

# Bad options stop the start-up.
"$corrente" serve --port "$(free_port)" --tls-cert "$work/server.pem" >/dev/null 2>&1
check "--tls-cert without --tls-key is a usage error (2)" [ $? -eq 2 ]
"$corrente" serve --port "$(free_port)" --tls-cert "$work/nope.pem" --tls-key "$work/server.key" >/dev/null 2>&1
check "a missing certificate file is a usage error (2)" [ $? -eq 2 ]
out=$("$corrente" serve --port "$(free_port)" --tls-cert "$work/server.pem" --tls-key "$work/other.key" 2>&1); rc=$?
check "a key that does not match the certificate: exit 1" [ $rc -eq 1 ]
check "saying so" contains "$out" "does not match"
out=$("$corrente" serve --port "$(free_port)" --tls-cert "$work/ext.cnf" --tls-key "$work/server.key" 2>&1); rc=$?
check "a certificate file that is not PEM: exit 1, naming it" [ $rc -eq 1 ] && also contains "$out" "certificate chain .*ext.cnf"

port=$(free_port)
base="https://localhost:$port"
"$corrente" serve --port "$port" --header-timeout 2 --tls-cert "$work/server.pem" --tls-key "$work/server.key" \
  >"$work/serve.log" 2>&1 &
spid=$!
ok_https=1
for _ in $(seq 1 200); do curl -s --cacert "$work/ca.pem" -o /dev/null "$base/health" && { ok_https=0; break; }; sleep 0.1; done
check "serve answers HTTPS, verified against the test CA" [ $ok_https -eq 0 ]
check "the log says https" grep -q "listening on https://" "$work/serve.log"

tls() { curl -sS --cacert "$work/ca.pem" "$@"; }
hdrs=$(tls -D - -o "$work/health.json" "$base/health")
check "/health over TLS: 200" contains "$hdrs" "^HTTP/1.1 200"
check "with Strict-Transport-Security: max-age=31536000" contains "$hdrs" "^Strict-Transport-Security: max-age=31536000"$'\r'
check "and the body" grep -q '"status":"healthy"' "$work/health.json"
curl -s -o /dev/null "$base/health"; rc=$?
check "without the CA curl refuses the certificate (60): the handshake is real" [ $rc -eq 60 ]
curl -s -o /dev/null --cacert "$work/ca.pem" --resolve "wrong.example:$port:127.0.0.1" "https://wrong.example:$port/health"; rc=$?
check "a name the certificate does not cover is refused (60)" [ $rc -eq 60 ]
hsts=""
for p in /api/v1/items /api/v1/nope /metrics /api/v1/openapi.json; do
  h=$(tls -D - -o /dev/null "$base$p"); contains "$h" "^Strict-Transport-Security: " || hsts+="$p "
done
check "HSTS on 401, 404, /metrics and the OpenAPI document too" [ -z "$hsts" ]

v12=$(tls --tlsv1.2 --tls-max 1.2 -o /dev/null -w '%{http_code}' "$base/health")
v13=$(tls --tlsv1.3 -o /dev/null -w '%{http_code}' "$base/health")
check "TLS 1.2 and TLS 1.3 both work ($v12 $v13)" [ "$v12 $v13" = "200 200" ]
s12=$(openssl s_client -connect "127.0.0.1:$port" -servername localhost -tls1_2 -CAfile "$work/ca.pem" </dev/null 2>&1)
check "TLS 1.2 negotiates ECDHE with AES-GCM, verified" contains "$s12" "Cipher is ECDHE-ECDSA-AES(128|256)-GCM-SHA(256|384)" && contains "$s12" "Verify return code: 0 \(ok\)"
for v in 1.1 1.0; do
  out=$(tls --tlsv$v --tls-max $v --ciphers 'DEFAULT@SECLEVEL=0' -o /dev/null "$base/health" 2>&1); rc=$?
  check "TLS $v is refused by the server (curl 35, alert protocol version)" [ $rc -eq 35 ] && also contains "$out" "alert protocol version"
done
opt=$([ "$(openssl version | cut -d' ' -f2 | cut -d. -f1)" -ge 3 ] && echo "-cipher DEFAULT@SECLEVEL=0")
out=$(openssl s_client -connect "127.0.0.1:$port" -tls1_1 $opt </dev/null 2>&1)
check "openssl s_client -tls1_1: the server's alert 70 (protocol version)" contains "$out" "alert protocol version.*SSL alert number 70"
weak=""
for c in ECDHE-ECDSA-AES128-SHA ECDHE-ECDSA-AES256-SHA384 AES128-GCM-SHA256 AES256-SHA; do
  out=$(openssl s_client -connect "127.0.0.1:$port" -tls1_2 -cipher "$c" </dev/null 2>&1)
  contains "$out" "alert handshake failure" || weak+="$c "
done
check "CBC and non-ECDHE TLS 1.2 ciphers are refused (handshake failure)" [ -z "$weak" ]

# Bodies larger than a TLS record (16 KB) after their head: Beast's ssl_stream sent the head
# alone and stopped (curl: "transfer closed with 51966 bytes remaining").
size=$(tls -o "$work/openapi.json" -w '%{size_download}' "$base/api/v1/openapi.json")
check "a 50 KB body over TLS arrives whole ($size bytes), valid JSON" python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$work/openapi.json"
plain_size=$(curl -s --cacert "$work/ca.pem" "$base/api/v1/openapi.json" -H 'Accept-Encoding: identity' | wc -c)
gz=$(tls -H 'Accept-Encoding: gzip' "$base/api/v1/openapi.json" | gzip -dc | cmp - "$work/openapi.json" && echo same)
check "the gzip body too, equal to the plain one" [ "$gz" = same ] && also [ "$plain_size" -gt 16384 ]
conns=$(tls -o /dev/null -o /dev/null -w '%{num_connects} ' "$base/health" "$base/health")
check "keep-alive over TLS: two requests, one connection ($conns)" [ "$conns" = "1 0 " ]
token=$(tls -XPOST "$base/api/v1/auth/login" -d "{\"username\":\"admin\",\"password\":\"$admin_pw\"}" |
        python3 -c 'import json,sys; print(json.load(sys.stdin)["data"]["access_token"])' 2>/dev/null)
check "login over TLS" [ -n "$token" ]
csv_h=$(tls -D - -o "$work/items.csv" -H "Authorization: Bearer $token" "$base/api/v1/items?format=csv&limit=5000")
check "a streamed CSV export over TLS: chunked" contains "$csv_h" "^Transfer-Encoding: chunked"
check "with every row (header + 20)" [ "$(wc -l <"$work/items.csv")" = 21 ]

# Plain HTTP and garbage on the TLS port: answered or closed; the server stays up.
plain=$(curl -s -i "http://127.0.0.1:$port/health")
check "plain HTTP to the TLS port: 400 https_required, connection closed" contains "$plain" "^HTTP/1.1 400" && contains "$plain" '"error":"https_required"' && contains "$plain" "^Connection: close"
check "and no HSTS over plain HTTP" lacks "$plain" "Strict-Transport-Security"
python3 - "$port" <<'PY' >"$work/raw.txt"
import socket, sys, time
port = int(sys.argv[1])
def exchange(data, wait=15):
    s = socket.create_connection(("127.0.0.1", port), timeout=wait)
    if data:
        s.sendall(data)
    t = time.time()
    try:
        got = s.recv(4096)
        while got and time.time() - t < wait:
            more = s.recv(4096)
            if not more:
                break
            got += more
    except socket.timeout:
        return "hung"
    except ConnectionResetError:
        return "reset"
    finally:
        s.close()
    return "closed" if not got or got.startswith(b"\x15") or got.startswith(b"HTTP/1.1 400") else "answered %r" % got[:40]
print("garbage", exchange(b"\x00\x01\x02garbage\r\n\r\n"))
print("bad-record", exchange(b"\x16\x03\x01\x00\x05hello" + b"\x00" * 64))
print("silent", exchange(b""))
print("half-hello", exchange(b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03"))
PY
check "garbage bytes: closed (or a 400), not hung ($(tr '\n' ' ' <"$work/raw.txt"))" [ "$(grep -c ' closed$\| reset$' "$work/raw.txt")" = 4 ]
check "the server is still alive" kill -0 "$spid"
check "and still serves HTTPS" [ "$(tls -o /dev/null -w '%{http_code}' "$base/health")" = 200 ]

kill -TERM "$spid"; wait "$spid"; rc=$?; spid=""
check "SIGTERM: exits 0" [ $rc -eq 0 ]
check "no unhandled errors in the log" [ "$(grep -c 'unhandled error' "$work/serve.log")" = 0 ]
[ "$FAIL" -eq 0 ] || tail -20 "$work/serve.log"
finish
