"""The attack10 review's checks against a live server, run by tests/api/api_attack10.sh (which
seeds the users a10_admin, a10_admin2, a10_analyst, a10_viewer, a10_locked sharing PASSWORD and 60,000
padded audit rows to export, and starts the server with --request-timeout 90)."""
import os
import socket
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from auth_races import parallel, post_from  # noqa: E402
from pagetest import check, finish, metric, wait_until  # noqa: E402
from pagetest import q as sql  # noqa: E402
from httptest import HOST, PASSWORD, PORT, login, raw, req  # noqa: E402


ADMIN, ANALYST, VIEWER = login("a10_admin"), login("a10_analyst"), login("a10_viewer")

# ---- 1. Clients that never read a large export: cut within the send stall (5 s), slots freed.
ADMIN2 = login("a10_admin2")
EXPORT = "GET /api/v1/admin/audit-logs?format=csv&limit=10000000 HTTP/1.1\r\nHost: t\r\nAuthorization: Bearer %s\r\n\r\n"
base = metric("http_connections_open")
stuck = []
for i in range(8):
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    s.connect((HOST, PORT))
    s.sendall((EXPORT % (ADMIN if i < 4 else ADMIN2)).encode())
    stuck.append(s)
    time.sleep(0.1)
t0 = time.monotonic()
# Each export streams on a pooled connection once its slot is taken: the fifth is asked when all
# eight hold theirs, not after a fixed second.
check("  (the eight exports are streaming)", wait_until(lambda: (metric("db_pool_connections_in_use") or 0) >= 8),
      metric("db_pool_connections_in_use"))
r = req("GET", "/api/v1/admin/audit-logs?format=csv&limit=10000000", ADMIN)
check("an account's fifth export at once is 429 with Retry-After", r[0] == 429 and r[1].get("retry-after") == "5", r[:2])
while time.monotonic() - t0 < 60 and metric("http_connections_open") - base > 0:
    time.sleep(0.2)
released = time.monotonic() - t0
check("they are closed within the send stall, not the 90 s request timeout (%.1f s)" % released, released < 20, released)
check("  and their pooled connections are back", metric("db_pool_connections_in_use") == 0, metric("db_pool_connections_in_use"))
r = req("GET", "/api/v1/admin/audit-logs?format=csv&limit=10000000", ADMIN)
rows = r[2].count(b"\n") - 1
check("then an export that reads is served whole (%d rows)" % rows, r[0] == 200 and rows >= 60000, (r[0], rows))
for s in stuck:
    s.close()
# A client that reads slowly but steadily is not cut: 1 MB at about 300 KB/s.
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 16384)
s.connect((HOST, PORT))
s.sendall((EXPORT % ADMIN).encode())
got = 0
while got < 1 << 20:
    b = s.recv(16384)
    if not b:
        break
    got += len(b)
    time.sleep(0.05)
s.close()
check("a slow but steady reader (about 300 KB/s) is served (%d bytes)" % got, got >= 1 << 20, got)

# ---- 2. A flood of logins on a throttled account: one audit row at once, the rest summarised.
for i in range(5):
    post_from(type("T", (), {"HOST": HOST, "PORT": PORT}), "127.0.7.9", "/api/v1/auth/login",
              {"username": "a10_locked", "password": "wrong-%d" % i})
T = type("T", (), {"HOST": HOST, "PORT": PORT})
before = int(sql("SELECT count(*) FROM support.audit_logs WHERE actor = 'a10_locked'"))
res = parallel(40, lambda i: post_from(T, "127.0.7.%d" % (1 + i % 4), "/api/v1/auth/login",
                                       {"username": "a10_locked", "password": PASSWORD})[0])
check("40 logins of the locked account are each 429", res == [429] * 40, res)
rows = int(sql("SELECT count(*) FROM support.audit_logs WHERE actor = 'a10_locked'")) - before
check("  and write one audit row now, not 40 (%d)" % rows, rows == 1, rows)

# ---- 3. Stored bodies: only the endpoint's fields, at most 8 KiB.
item, site = sql("SELECT min(item_id) || ' ' || min(site_id) FROM core.fact_inventory_daily").split()
draft = {"kind": "FORECAST", "item_id": int(item), "site_id": int(site), "valid_from": "2030-01-01",
         "valid_to": "2030-01-07", "mode": "PERCENT", "value": 10, "reason": "attack10 draft"}
r = req("POST", "/api/v1/overrides", ANALYST, dict(draft, junk="x" * 100))
check("an override with an unknown field is 400 naming it", r[0] == 400 and "junk" in r[1].get("x-invalid-parameters", ""), r[:2])
r = req("POST", "/api/v1/overrides", ANALYST, dict(draft, reason="y" * 500, pad=None, **{"k%d" % i: 1 for i in range(2000)}))
check("an override body over 8 KiB is 413", r[0] == 413 and r[3]["error"] == "payload_too_large", r[0])
r = req("POST", "/api/v1/overrides", ANALYST, draft)
check("a valid override is created (201)", r[0] == 201, r[:1])
ov = r[3]["data"]
stored = sql("SELECT max(length(details::text)) FROM support.audit_logs WHERE action LIKE 'OVERRIDE_%'")
check("  its audit row holds only its fields (%s bytes)" % stored, int(stored or 0) < 1000, stored)
r = req("PATCH", "/api/v1/overrides/%d" % ov["override_id"], ANALYST, {"reason": "edited", "extra": 1},
        headers={"If-Match": r[1]["etag"]})
check("an edit with an unknown field is 400", r[0] == 400 and "extra" in r[1].get("x-invalid-parameters", ""), r[:2])
r = req("POST", "/api/v1/overrides/%d/submit" % ov["override_id"], ANALYST, {"note": "n", "x" * 5: "y" * 9000},
        headers={"If-Match": '"ov-%d-v1"' % ov["override_id"]})
check("a transition body over 8 KiB is 413", r[0] == 413, r[0])
r = req("POST", "/api/v1/simulations", ANALYST, {"sample": 1, "blob": "z" * 5000})
check("a simulation with an unknown field is 400 naming it", r[0] == 400 and "blob" in r[1].get("x-invalid-parameters", ""), r[:2])
r = req("POST", "/api/v1/simulations", ANALYST, {"sample": 1, "policy": "normal " * 2000})
check("a simulation body over 8 KiB is 413", r[0] == 413, r[0])
big = int(sql("SELECT count(*) FROM analytics.simulation_runs WHERE length(params::text) > 1000"))
check("no stored simulation holds more than its fields", big == 0, big)

# ---- 4. Fields two readers could take differently.
H, AUTH = b"Host: t\r\n", ("Authorization: Bearer %s\r\n" % VIEWER).encode()
cases = [
    ("obs-fold in Transfer-Encoding", b"POST /api/v1/auth/logout HTTP/1.1\r\n" + H + b"Transfer-Encoding:\r\n chunked\r\n\r\n0\r\n\r\n"),
    ("obs-fold in Content-Length", b"POST /api/v1/auth/logout HTTP/1.1\r\n" + H + b"Content-Length:\r\n 2\r\n\r\n{}"),
    ("obs-fold in a field", b"GET /health HTTP/1.1\r\n" + H + b"X-A: a\r\n\tb\r\n\r\n"),
    ("no Host in HTTP/1.1", b"GET /health HTTP/1.1\r\n\r\n"),
    ("two Hosts", b"GET /health HTTP/1.1\r\n" + H + b"Host: u\r\n\r\n"),
    ("two Authorizations", b"GET /api/v1/auth/me HTTP/1.1\r\n" + H + AUTH + ("Authorization: Bearer %s\r\n" % ADMIN).encode() + b"\r\n"),
]
for name, data in cases:
    out = raw(data)
    check(name + ": 400, then closed", out.startswith(b"HTTP/1.1 400 ") and out.count(b"\r\nServer: corrente") == 1 and b"Connection: close" in out, out[:60])
out = raw(b"GET /health HTTP/1.0\r\n\r\n")
check("HTTP/1.0 without Host is still served", out.startswith(b"HTTP/1.0 200 "), out[:40])
# ---- 5. Usernames that differ only in case: one account to the throttles, so one account.
r = req("POST", "/api/v1/admin/users", ADMIN, {"username": "A10_Viewer", "password": "Granite-Falcon-8842", "role": "ADMIN"})
check("an admin cannot create A10_Viewer beside a10_viewer (409)", r[0] == 409, r[:1])
r = req("GET", "//api//v1/items?limit=1", VIEWER)
check("//api//v1/items: the API's private cache headers", r[0] == 200 and r[1].get("cache-control") == "private, no-cache"
      and "Authorization" in r[1].get("vary", ""), (r[0], r[1].get("cache-control"), r[1].get("vary")))

finish()
