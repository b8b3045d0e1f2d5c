"""The attack14 review, against a live server run by tests/api/api_attack14.sh (a14_admin and
a14_victim ADMIN, a14_viewer VIEWER, sharing PASSWORD; tokens of 10 s). Requests are pipelined
on one keep-alive connection, written by hand so that several go out in one write."""
import base64
import json
import os
import socket
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from httptest import HOST, PORT, login, req  # noqa: E402
from pagetest import check, finish, q  # noqa: E402

USERS = "/api/v1/admin/users?limit=1"  # ADMIN
ME = "/api/v1/auth/me"
ITEMS = "/api/v1/items?limit=2"  # cached


def build(method, path, auth=None, extra=b""):
    h = b"%s %s HTTP/1.1\r\nHost: t\r\n" % (method.encode(), path.encode())
    if auth is not None:
        h += b"Authorization: " + auth.encode() + b"\r\n"
    if method == "POST":
        h += b"Content-Length: 0\r\n"
    return h + extra + b"\r\n"


class Conn:
    """One connection; read() parses one response (Content-Length or chunked framing)."""

    def __init__(self):
        self.s = socket.create_connection((HOST, PORT))
        self.s.settimeout(30)
        self.buf = b""

    def send(self, *reqs):
        self.s.sendall(b"".join(reqs))

    def _more(self):
        d = self.s.recv(65536)
        if not d:
            raise EOFError("connection closed")
        self.buf += d

    def _take(self, n):
        while len(self.buf) < n:
            self._more()
        out, self.buf = self.buf[:n], self.buf[n:]
        return out

    def read(self, head=False):
        while b"\r\n\r\n" not in self.buf:
            self._more()
        top, self.buf = self.buf.split(b"\r\n\r\n", 1)
        lines = top.decode("latin1").split("\r\n")
        status = int(lines[0].split()[1])
        hs = {k.strip().lower(): v.strip() for k, v in (ln.split(":", 1) for ln in lines[1:])}
        body = b""
        if head or status in (204, 304):
            return status, hs, body
        if "content-length" in hs:
            body = self._take(int(hs["content-length"]))
        elif hs.get("transfer-encoding") == "chunked":
            while True:
                while b"\r\n" not in self.buf:
                    self._more()
                size, self.buf = self.buf.split(b"\r\n", 1)
                piece = self._take(int(size, 16) + 2)[:-2]
                body += piece
                if not piece:
                    break
        return status, hs, body

    def statuses(self, n, head=()):
        return [self.read(i in head)[0] for i in range(n)]

    def close(self):
        self.s.close()


def bearer(token):
    return "Bearer " + token


_admin = [0.0, None]


def admin_token():
    """a14_admin's token, a new one past 4 s (tokens last 10 s here)."""
    if time.time() - _admin[0] > 4:
        _admin[:] = [time.time(), login("a14_admin")]
    return _admin[1]


victim_id = q("SELECT user_id FROM support.users WHERE username = 'a14_victim'")


def patch_victim(body):
    st = req("PATCH", "/api/v1/admin/users/%s" % victim_id, admin_token(), body)[0]
    if st != 200:
        check("PATCH a14_victim %s: 200 (%d)" % (body, st), False)


# 1. Pipelined in one write: another role's token, none, a forged one and the header's spellings
# after a passed check of the same token.
admin, viewer = admin_token(), login("a14_viewer")
c = Conn()
c.send(build("GET", USERS, bearer(admin)), build("GET", USERS, bearer(viewer)), build("GET", USERS),
       build("GET", USERS, "Bearer x" + admin), build("GET", USERS, "Bearer " + admin[:-2]),
       build("GET", USERS, "bearer " + admin), build("GET", USERS, "Bearer  " + admin),
       build("GET", USERS, bearer(admin)), build("GET", USERS, bearer(viewer)))
got = c.statuses(9)
c.close()
check("pipelined: admin, viewer, none, forged, cut, 'bearer', two spaces, admin, viewer: %s" % got,
      got == [200, 403, 401, 401, 401, 200, 401, 200, 403], got)

# 2. A change between two requests of one connection, the same header both times.
for desc, action in [("logout", lambda t: req("POST", "/api/v1/auth/logout", t)),
                     ("logout-all", lambda t: req("POST", "/api/v1/auth/logout-all", t)),
                     ("refresh", lambda t: req("POST", "/api/v1/auth/refresh", t)),
                     ("demotion", lambda t: patch_victim({"role": "VIEWER"})),
                     ("deactivation", lambda t: patch_victim({"active": False})),
                     ("password reset", lambda t: patch_victim({"password": os.environ["PASSWORD"]}))]:
    patch_victim({"role": "ADMIN", "active": True})
    token = login("a14_victim")
    c = Conn()
    c.send(build("GET", USERS, bearer(token)), build("GET", ITEMS, bearer(token)))
    before = c.statuses(2)
    action(token)
    c.send(build("GET", USERS, bearer(token)), build("GET", ME, bearer(token)), build("HEAD", ITEMS, bearer(token)))
    after = c.statuses(3, head=(2,))
    c.close()
    check("%s between requests of one connection: %s then %s" % (desc, before, after),
          before == [200, 200] and after == [401, 401, 401], (before, after))
patch_victim({"role": "ADMIN", "active": True})

# 3. The logout and the requests after it in one write.
for path in ("/api/v1/auth/logout", "/api/v1/auth/logout-all"):
    token = login("a14_victim")
    c = Conn()
    c.send(build("GET", ME, bearer(token)), build("POST", path, bearer(token)),
           build("GET", ME, bearer(token)), build("GET", ITEMS, bearer(token)))
    got = c.statuses(4)
    c.close()
    check("pipelined GET, %s, GET, GET: %s" % (path, got), got == [200, 200, 401, 401], got)

# 4. HEAD and If-None-Match keep the connection's framing: the next response reads whole.
for path in (ITEMS, ITEMS + "&format=csv", "/api/v1/items/1", "/api/v1/nope", "/api/v1/openapi.json"):
    admin = admin_token()
    c = Conn()
    c.send(build("GET", path, bearer(admin)))
    st, hs, body = c.read()
    etag = hs.get("etag")
    inm = b"If-None-Match: %s\r\n" % etag.encode() if etag else b""
    c.send(build("HEAD", path, bearer(admin)), build("GET", path, bearer(admin), inm),
           build("HEAD", path, bearer(admin), inm), build("GET", ME, bearer(admin)))
    h_st, h_hs, _ = c.read(head=True)
    n_st, _, n_body = c.read()
    nh_st = c.read(head=True)[0]
    m_st, _, m_body = c.read()
    want = 304 if etag else st
    check("%s: GET %d (%d bytes), HEAD %d Content-Length %s, If-None-Match %d/%d, then %d %s" %
          (path, st, len(body), h_st, h_hs.get("content-length"), n_st, nh_st, m_st, body[:100] if st == 429 else ""),
          h_st == st and h_hs.get("content-length") == str(len(body)) and n_st == want and
          nh_st == want and n_body == (b"" if etag else body) and m_st == 200 and b"a14_admin" in m_body)
    c.close()

# 5. Targets split directly and by Boost.URL read the same.
admin = admin_token()
c = Conn()
for plain, other in [("/api/v1/items?limit=2&offset=1", "/api/v1/items?limi%74=2&offset=%31"),
                     ("/api/v1/items?limit=3", "/api/v1/items?limit=2&limit=3"),
                     ("/api/v1/items?limit=2", "//api//v1/%69tems/?&limit=2&"),
                     ("/api/v1/items/1", "/api/v1/items/%31")]:
    c.send(build("GET", plain, bearer(admin)), build("GET", other, bearer(admin)))
    a, b = c.read(), c.read()
    check("%s reads as %s (%d/%d)" % (other, plain, a[0], b[0]), a[0] == b[0] == 200 and a[2] == b[2])
for target, want in [("/api/v1/items?limit=2+3", 400), ("/api/v1/items?limit=2;offset=1", 400),
                     ("/api/v1/items?limit=1%00", 400), ("/api/v1/ITEMS?limit=1", 404),
                     ("/api/v1/items?limit=1#x", 400)]:
    c.send(build("GET", target, bearer(admin)))
    st = c.read()[0]
    check("%s: %d" % (target, st), st == want, st)
c.close()

# 6. A client that never has two requests in flight is never refused 429, though one request is
# all it may have in flight here (2 workers): each slot was released only after its response's
# write, and a client that had read the response and sent its next request at once (pipelined,
# or on a new connection) was refused, 10-50 % of connections on a loaded machine.
admin = admin_token()
refused = 0
for i in range(150):
    c = Conn()
    if i % 3 == 0:
        c.send(build("GET", ME, bearer(admin)), build("GET", ME, bearer(admin)))
        got = c.statuses(2)
    elif i % 3 == 1:
        c.send(build("HEAD", ITEMS, bearer(admin)), build("GET", ME, bearer(admin)))
        got = c.statuses(2, head=(0,))
    else:
        c.send(build("GET", "/api/v1/nope", bearer(admin)))
        got = c.statuses(1)
    c.close()
    refused += 429 in got
check("150 connections of one request at a time each: none refused 429 (%d)" % refused, refused == 0)

# 7. Expiry in the middle of a connection: every request after the token's exp is 401.
token = login("a14_viewer")
exp = json.loads(base64.urlsafe_b64decode(token.split(".")[1] + "==="))["exp"]
c = Conn()
seen = []  # (sent, answered, statuses), times from exp: a pair is early when answered before
# exp - 0.5 and late when sent after exp + 0.05 (a slow answer is neither: it once counted as late
# by the time it came back, though the server had checked the token before exp).
while time.time() < exp + 1.5 or (not any(t > 0.05 for t, _, _ in seen) and time.time() < exp + 60):
    sent = time.time() - exp
    c.send(build("GET", ME, bearer(token)), build("GET", ITEMS, bearer(token)))
    seen.append((sent, time.time() - exp, tuple(c.statuses(2))))
    time.sleep(0.25)
c.close()
early = [s for _, t, s in seen if t < -0.5]
late = [s for t, _, s in seen if t > 0.05]
check("one connection across its token's expiry: %d pairs 200 before, %d pairs 401 after" % (len(early), len(late)),
      early and late and set(early) == {(200, 200)} and set(late) == {(401, 401)}, seen)
finish()
