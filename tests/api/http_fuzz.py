"""HTTP and JWT fuzzing of `corrente serve`, run by api_test.py (kept apart: that file is long enough).

Hostile raw HTTP over sockets, seeded so a failure replays. Each case half-closes and must end
in an allowed 4xx or a close: never a 5xx, never a hang, nothing smuggled after a framing
error, and a fresh connection is served after it.
"""
import base64
import hashlib
import hmac
import http.client
import json
import random
import socket
import string
import time


def run(t):
    check, sql, get, login = t.check, t.sql, t.get, t.login
    HOST, PORT, ADMIN, ANALYST, VIEWER = t.HOST, t.PORT, t.ADMIN, t.ANALYST, t.VIEWER
    SECRET, LOGINS, db_fingerprint, forge, b64 = t.SECRET, t.LOGINS, t.db_fingerprint, t.forge, t.b64
    FUZZ_SEED = 20261122
    rng = random.Random(FUZZ_SEED)
    FUZZ_4XX = {400, 401, 404, 405, 411, 413, 414, 431, 501}
    fuzz_t0 = time.time()
    fuzz_before = db_fingerprint()


    def http_statuses(buf):
        """The statuses of the responses in buf, in order; "garbage" where no response parses."""
        out = []
        while buf:
            head, sep, rest = buf.partition(b"\r\n\r\n")
            line = head.split(b"\r\n", 1)[0].split(b" ")
            if not sep and buf[:9] in (b"HTTP/1.1 "[:len(buf[:9])], b"HTTP/1.0 "[:len(buf[:9])]):
                return out  # cut off by a reset: a close
            if not sep or len(line) < 2 or line[0] not in (b"HTTP/1.1", b"HTTP/1.0") or not line[1].isdigit():
                return out + ["garbage"]
            out.append(int(line[1]))
            fields = dict((k.strip().lower(), v.strip()) for k, _, v in (l.partition(b":") for l in head.split(b"\r\n")[1:]))
            if b"content-length" in fields:
                buf = rest[int(fields[b"content-length"]):]
            else:
                buf = rest if out[-1] in (204, 304) else b""
        return out


    def exchange(data, timeout=5.0):
        """Sends data, half-closes, reads until the server closes: (statuses, hung)."""
        s = socket.create_connection((HOST, PORT), timeout=timeout)
        buf, hung = b"", False
        try:
            s.sendall(data)
            s.shutdown(socket.SHUT_WR)
            while True:
                chunk = s.recv(65536)
                if not chunk:
                    break
                buf += chunk
        except socket.timeout:
            hung = True
        except OSError:
            pass  # reset: the server closed with input unread
        finally:
            s.close()
        return http_statuses(buf), hung


    ALIVE = b"GET /health HTTP/1.1\r\nHost: fuzz\r\n\r\n"
    fuzz_bad = {"status": [], "hang": [], "extra": [], "after": []}
    fuzz_count = {}


    def fuzz(family, name, data, allowed=FUZZ_4XX, most=1):
        fuzz_count[family] = fuzz_count.get(family, 0) + 1
        st, hung = exchange(data)
        label = "%s/%s" % (family, name)
        if hung:
            fuzz_bad["hang"].append(label)
        if any(s not in allowed for s in st):
            fuzz_bad["status"].append((label, st))
        if len(st) > most:
            fuzz_bad["extra"].append((label, st))
        if exchange(ALIVE) != ([200], False):
            fuzz_bad["after"].append(label)
        return st


    def hreq(line, *fields, body=b""):
        return line + b"\r\n" + b"".join(f + b"\r\n" for f in fields) + b"\r\n" + body


    H = b"Host: fuzz"
    VTOK = b"Authorization: Bearer " + VIEWER.encode()
    ATOK = b"Authorization: Bearer " + ADMIN.encode()
    POST = b"POST /api/v1/auth/logout HTTP/1.1"  # 401 without a token, whatever the body
    SMUGGLED = hreq(b"GET /api/v1/auth/me HTTP/1.1", H, ATOK)  # a 200 if it is ever read as a request
    CASES = [
        ("no version", b"GET /health\r\n\r\n"), ("HTTP/0.9 line", b"GET /\r\n"), ("method only", b"GET\r\n\r\n"),
        ("empty lines", b"\r\n\r\n\r\n"), ("leading space", hreq(b" GET /health HTTP/1.1", H)),
        ("double space", hreq(b"GET  /health HTTP/1.1", H)), ("tab separated", hreq(b"GET\t/health\tHTTP/1.1", H)),
        ("100 KB URL", hreq(b"GET /" + b"a" * 100000 + b" HTTP/1.1", H)),
        ("100 KB API query", hreq(b"GET /api/v1/items?q=" + b"x" * 100000 + b" HTTP/1.1", H, VTOK)),
        ("absolute-form", hreq(b"GET http://fuzz/health HTTP/1.1", H)),
        ("absolute-form, other host", hreq(b"GET https://evil.example/api/v1/items HTTP/1.1", H, VTOK)),
        ("authority-form", hreq(b"CONNECT fuzz:443 HTTP/1.1", H)), ("asterisk-form", hreq(b"OPTIONS * HTTP/1.1", H)),
        ("bad percent escape", hreq(b"GET /api/v1/items?%zz=1 HTTP/1.1", H, VTOK)),
        ("8-bit in target", hreq(b"GET /api/v1/\xff\xfe HTTP/1.1", H)),
        ("no colon", hreq(b"GET /health HTTP/1.1", H, b"X-Fuzz fuzz")), ("empty field name", hreq(b"GET /health HTTP/1.1", H, b": fuzz")),
        ("space before colon", hreq(b"GET /health HTTP/1.1", b"Host : fuzz")), ("separator in name", hreq(b"GET /health HTTP/1.1", H, b"X(F): 1")),
        ("8-bit in name", hreq(b"GET /health HTTP/1.1", H, b"X-\xffF: 1")), ("NUL in value", hreq(b"GET /health HTTP/1.1", H, b"X-F: a\x00b")),
        ("bare CR", b"GET /health HTTP/1.1\rHost: fuzz\r\n\r\n"), ("bare LF", b"GET /health HTTP/1.1\nHost: fuzz\n\n"),
        ("fold before any field", hreq(b"GET /health HTTP/1.1", b" " + H)),
        ("20 KB field", hreq(b"GET /health HTTP/1.1", H, b"X-F: " + b"a" * 20000)),
        ("3,000 fields", hreq(b"GET /health HTTP/1.1", H, *[b"X-%d: a" % i for i in range(3000)])),
        ("100 KB header section", hreq(b"GET /health HTTP/1.1", H, *[b"X-%d: %s" % (i, b"b" * 1000) for i in range(100)])),
        ("duplicate Content-Length, equal", hreq(POST, H, b"Content-Length: 2", b"Content-Length: 2", body=b"{}")),
        ("duplicate Content-Length, conflicting", hreq(POST, H, b"Content-Length: 2", b"Content-Length: 3", body=b"{}x")),
        ("Content-Length list, conflicting", hreq(POST, H, b"Content-Length: 2, 3", body=b"{}x")),
        ("Content-Length, conflicting, smuggling", hreq(POST, H, b"Content-Length: 0", b"Content-Length: %d" % len(SMUGGLED), body=SMUGGLED)),
        ("negative Content-Length", hreq(POST, H, b"Content-Length: -1", body=b"{}")),
        ("non-numeric Content-Length", hreq(POST, H, b"Content-Length: abc", body=b"{}")),
        ("Content-Length +2", hreq(POST, H, b"Content-Length: +2", body=b"{}")), ("Content-Length 0x2", hreq(POST, H, b"Content-Length: 0x2", body=b"{}")),
        ("Content-Length 2 2", hreq(POST, H, b"Content-Length: 2 2", body=b"{}")),
        ("Content-Length past 2^64", hreq(POST, H, b"Content-Length: 99999999999999999999999", body=b"{}")),
        ("Content-Length over the body limit", hreq(POST, H, b"Content-Length: 5000000", body=b"{}")),
        ("CL then TE", hreq(POST, H, b"Content-Length: 5", b"Transfer-Encoding: chunked", body=b"0\r\n\r\n" + SMUGGLED)),
        ("TE then CL", hreq(POST, H, b"Transfer-Encoding: chunked", b"Content-Length: 5", body=b"0\r\n\r\n" + SMUGGLED)),
        ("TE gzip", hreq(POST, H, b"Transfer-Encoding: gzip", body=SMUGGLED)),
        ("TE gzip with CL", hreq(POST, H, b"Transfer-Encoding: gzip", b"Content-Length: %d" % len(SMUGGLED), body=SMUGGLED)),
        ("TE identity", hreq(POST, H, b"Transfer-Encoding: identity", body=SMUGGLED)),
        ("TE chunked, gzip", hreq(POST, H, b"Transfer-Encoding: chunked, gzip", body=b"0\r\n\r\n" + SMUGGLED)),
        ("TE gzip, chunked", hreq(POST, H, b"Transfer-Encoding: gzip, chunked", body=b"0\r\n\r\n" + SMUGGLED)),
        ("TE xchunked", hreq(POST, H, b"Transfer-Encoding: xchunked", body=b"0\r\n\r\n" + SMUGGLED)),
        ("TE twice", hreq(POST, H, b"Transfer-Encoding: gzip", b"Transfer-Encoding: chunked", body=b"0\r\n\r\n" + SMUGGLED)),
        ("TE space before colon", hreq(POST, H, b"Transfer-Encoding : chunked", body=b"0\r\n\r\n" + SMUGGLED)),
        ("TE folded", hreq(POST, H, b"Transfer-Encoding: gzip,", b" chunked", b"Content-Length: 5", body=b"0\r\n\r\n" + SMUGGLED)),
        ("TE chunked in HTTP/1.0", hreq(POST.replace(b"1.1", b"1.0"), H, b"Connection: keep-alive", b"Transfer-Encoding: chunked", body=b"0\r\n\r\n" + SMUGGLED)),
        ("chunk size zz", hreq(POST, H, b"Transfer-Encoding: chunked", body=b"zz\r\n{}\r\n0\r\n\r\n")),
        ("chunk size -2", hreq(POST, H, b"Transfer-Encoding: chunked", body=b"-2\r\n{}\r\n0\r\n\r\n")),
        ("chunk size 0x2", hreq(POST, H, b"Transfer-Encoding: chunked", body=b"0x2\r\n{}\r\n0\r\n\r\n")),
        ("chunk size past 2^64", hreq(POST, H, b"Transfer-Encoding: chunked", body=b"f" * 20 + b"\r\n{}\r\n0\r\n\r\n")),
        ("chunk size over the body limit", hreq(POST, H, b"Transfer-Encoding: chunked", body=b"7fffffff\r\n{}\r\n0\r\n\r\n")),
        ("chunk longer than its size", hreq(POST, H, b"Transfer-Encoding: chunked", body=b"2\r\n{}xx\r\n0\r\n\r\n")),
        ("chunk size without CRLF", hreq(POST, H, b"Transfer-Encoding: chunked", body=b"2{}\r\n0\r\n\r\n")),
        ("body shorter than Content-Length", hreq(POST, H, b"Content-Length: 100", body=b"{}")),
        ("body far shorter than Content-Length", hreq(POST, H, b"Content-Length: 1000000", body=b"x" * 10)),
        ("chunk shorter than its size", hreq(POST, H, b"Transfer-Encoding: chunked", body=b"10\r\n{}")),
        ("no last chunk", hreq(POST, H, b"Transfer-Encoding: chunked", body=b"2\r\n{}\r\n")),
        ("headers cut off", b"GET /health HTTP/1.1\r\nHost: fu"),
        ("invalid UTF-8 in q", hreq(b"GET /api/v1/items?q=%ff HTTP/1.1", H, VTOK)),
        ("truncated UTF-8 in family", hreq(b"GET /api/v1/items?family=%c3 HTTP/1.1", H, VTOK)),
        ("surrogate in category", hreq(b"GET /api/v1/items?category=%ed%a0%80 HTTP/1.1", H, VTOK)),
        ("overlong in actor", hreq(b"GET /api/v1/admin/audit-logs?actor=%c0%af HTTP/1.1", H, ATOK)),
        ("past U+10FFFF in alert category", hreq(b"GET /api/v1/alerts?category=%f5%80%80%80 HTTP/1.1", H, VTOK)),
        ("NUL in a path", hreq(b"GET /a%00b HTTP/1.1", H)), ("NUL in an API path", hreq(b"GET /api/v1/items/1%00 HTTP/1.1", H, VTOK)),
    ]
    for m in (b"G@T", b"GE(T", b"\xff\xfe", b"G\x7fT", b"GET\x00", b"{GET}"):
        CASES.append(("bad method %r" % m, hreq(m + b" /health HTTP/1.1", H)))
    for m in (b"get", b"FOO", b"BREW", b"PROPFIND", b"X" * 5000):
        CASES.append(("unknown method %s" % m[:10].decode(), hreq(m + b" /health HTTP/1.1", H)))
    for v in (b"HTTP/9.9", b"HTTP/2.0", b"HTTP/1.2", b"HTTP/0.9", b"HTTP/1", b"HTTP/1.1.1", b"http/1.1", b"HTTP/11", b"HTTP/1.x", b"HTTP/-1.1", b"HTTQ/1.1"):
        CASES.append(("version %s" % v.decode(), hreq(b"GET /health " + v, H)))
    for c in list(range(0, 32)) + [127]:
        CASES.append(("control byte %d in target" % c, hreq(b"GET /hea" + bytes([c]) + b"lth HTTP/1.1", H)))
    for name, data in CASES:
        fuzz("malformed", name, data)
    # The interim 100 (RFC 9110 10.1.1), then the body never comes: closed.
    st = fuzz("malformed", "Expect 100-continue, no body", hreq(POST, H, b"Expect: 100-continue", b"Content-Length: 10"),
              allowed=FUZZ_4XX | {100})
    if st != [100]:
        fuzz_bad["status"].append(("malformed/Expect 100-continue, no body: the 100 then a close", st))
    for name, garbage in (("bytes", b"\x00\x01garbage\r\n\r\n"), ("bad version", b"GET /health HTTP/9.9\r\n\r\n"),
                          ("random", bytes(rng.randrange(256) for _ in range(500))), ("TE gzip", hreq(POST, H, b"Transfer-Encoding: gzip", body=SMUGGLED))):
        st = fuzz("pipelined", name, hreq(b"GET /health HTTP/1.1", H) + garbage, allowed=FUZZ_4XX | {200}, most=2)
        if st[:1] != [200]:
            fuzz_bad["status"].append(("pipelined/" + name, st))
    # obs-fold is unfolded into one space (RFC 9112 5.2) or refused; a CR or LF never reaches a value.
    for name, data in (("in a field", hreq(b"GET /health HTTP/1.1", H, b"X-F: a", b" b")),
                       ("in Host", hreq(b"GET /health HTTP/1.1", b"Host: fu", b"\tzz"))):
        fuzz("malformed", "obs-fold " + name, data, allowed=FUZZ_4XX | {200})
    st = fuzz("malformed", "obs-fold in an audited User-Agent",
              hreq(b"GET /api/v1/admin/users?limit=1 HTTP/1.1", H, ATOK, b"User-Agent: fuzz-fold-a", b"\tfuzz-fold-b"), allowed=FUZZ_4XX | {200})
    folded = sql("SELECT coalesce(max(user_agent), 'none') FROM support.audit_logs WHERE user_agent LIKE 'fuzz-fold-a%'")
    check("obs-fold: a folded header is unfolded into one space or refused", (st == [200] and folded == "fuzz-fold-a fuzz-fold-b") or (st in ([400], []) and folded == "none"), (st, folded))
    st = fuzz("malformed", "8-bit User-Agent on an audited read", hreq(b"GET /api/v1/admin/users?limit=1 HTTP/1.1", H, ATOK, b"User-Agent: fuzz-8bit-\xff\xfe"), allowed={200})
    stored = sql("SELECT user_agent FROM support.audit_logs WHERE user_agent LIKE 'fuzz-8bit-%' ORDER BY audit_id DESC LIMIT 1")
    check("an 8-bit User-Agent is stored as valid UTF-8, not a 500", st == [200] and stored == "fuzz-8bit-??", (st, stored))

    # Random byte strings, then random request-shaped ones (methods that route nowhere: 404/405).
    for i in range(150):
        fuzz("random", "bytes %d" % i, bytes(rng.randrange(256) for _ in range(rng.choice((rng.randint(1, 16), rng.randint(17, 4096))))))
    TCHAR = string.ascii_uppercase + string.digits + "!#$%&'*+-.^_`|~"
    STANDARD = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}
    rbytes = lambda lo, hi: bytes(rng.randrange(256) for _ in range(rng.randint(lo, hi)))
    rtext = lambda lo, hi, alphabet=string.printable[:94]: "".join(rng.choice(alphabet) for _ in range(rng.randint(lo, hi))).encode()
    for i in range(150):
        method = rtext(1, 12, TCHAR)
        if method.decode() in STANDARD or rng.random() < 0.2:
            method = rbytes(1, 8)
        target = rng.choice((b"/" + rtext(0, 60), b"/api/v1/" + rtext(0, 40), b"/health?" + rtext(0, 40), rbytes(1, 40)))
        version = rng.choice((b"HTTP/1.1", b"HTTP/1.0", rtext(0, 10)))
        fields = [rng.choice((rtext(1, 20, TCHAR) + b": " + rtext(0, 80), rbytes(0, 60), b"Content-Length: " + rtext(1, 6, "0123456789-"),
                              b"Transfer-Encoding: " + rng.choice((b"chunked", b"gzip", rtext(1, 10))))) for _ in range(rng.randint(0, 6))]
        body = rbytes(1, 200) if rng.random() < 0.5 else b""
        # A body the request does not declare is the next request: a second 4xx is fine then.
        fuzz("shaped", "%d %r" % (i, method[:12]), hreq(method + b" " + target + b" " + version, *fields, body=body), most=2 if body else 1)

    # Mutations of a valid audited request: flipped, inserted and deleted bytes. Outside the token
    # any status but a 5xx may come back; a mutated token never authenticates.
    pre = b"GET /api/v1/admin/audit-logs?limit=1&actor=fuzz HTTP/1.1\r\nHost: fuzz\r\nUser-Agent: corrente-fuzz/1\r\nAccept: application/json\r\nAuthorization: Bearer "
    post = b"\r\nX-Trace: 0123456789\r\n\r\n"
    tok_b = ADMIN.encode()
    check("HTTP fuzz: the unmutated request is served", exchange(pre + tok_b + post) == ([200], False))


    def mutate(b, lo=0, hi=None, n=1):
        b = bytearray(b)
        for _ in range(n):
            i = rng.randrange(lo, hi if hi is not None else len(b))
            op = rng.choice("fid")
            if op == "f":
                b[i] ^= rng.randrange(1, 256)
            elif op == "i":
                b.insert(i, rng.randrange(256))
            else:
                del b[i]
        return bytes(b)


    token_ok = []
    for i in range(120):
        st = fuzz("mutated", "token %d" % i, pre + mutate(tok_b) + post, allowed=FUZZ_4XX)
        if any(200 <= s < 300 for s in st):
            token_ok.append((i, st))
    for i in range(150):
        n_ops = rng.randint(1, 3)
        if rng.random() < 0.5:
            data = mutate(pre, n=n_ops) + tok_b + post
        else:
            data = pre + tok_b + mutate(post, hi=len(post) - 4, n=n_ops)
        fuzz("mutated", "request %d" % i, data, allowed=set(range(200, 500)))
    check("HTTP fuzz: a mutated bearer token never authenticates (120 cases)", not token_ok, token_ok[:10])

    total = sum(fuzz_count.values())
    families = ", ".join("%s %d" % kv for kv in fuzz_count.items())
    check("HTTP fuzz (%d cases: %s): an allowed 4xx or a close, never a 5xx" % (total, families), not fuzz_bad["status"], fuzz_bad["status"][:10])
    check("HTTP fuzz: no case hangs (5 s timeouts)", not fuzz_bad["hang"], fuzz_bad["hang"][:10])
    check("HTTP fuzz: nothing after a framing error is read as a request (no smuggled responses)", not fuzz_bad["extra"], fuzz_bad["extra"][:10])
    check("HTTP fuzz: a fresh connection is served after every case", not fuzz_bad["after"], fuzz_bad["after"][:10])
    labels = {l.split('method="')[1].split('"')[0] for l in get("/metrics").raw.splitlines() if l.startswith("http_requests_total{")}
    check("HTTP fuzz: metrics label only standard methods (or OTHER)", labels <= STANDARD | {"OTHER"}, sorted(labels - STANDARD)[:10])
    r = login("viewer\u0000fuzz", LOGINS["viewer"])
    check("a NUL in a login username is a 400, not a login as the name before it", r.status == 400 and "username" in r.json["detail"], r.raw[:200])

    # JWT fuzz: random and mutated bearer tokens, all 401.
    B64 = string.ascii_letters + string.digits + "-_"
    h_, p_, s_ = VIEWER.split(".")
    jwt_cases = []


    def flip_in(t, lo, hi):
        i = rng.randrange(lo, hi)
        return t[:i] + rng.choice([c for c in B64 + "=+/.!~*$" if c != t[i]]) + t[i + 1:]


    for _ in range(60):
        jwt_cases.append(("header flip", flip_in(VIEWER, 0, len(h_))))
        jwt_cases.append(("payload flip", flip_in(VIEWER, len(h_) + 1, len(h_) + 1 + len(p_))))
        jwt_cases.append(("signature flip", flip_in(VIEWER, len(h_) + len(p_) + 2, len(VIEWER))))
    for _ in range(25):
        i = rng.randrange(len(VIEWER))
        jwt_cases.append(("insert", VIEWER[:i] + rng.choice(B64 + ".=") + VIEWER[i:]))
        jwt_cases.append(("delete", VIEWER[:i] + VIEWER[i + 1:]))
        jwt_cases.append(("truncate", VIEWER[:rng.randrange(len(VIEWER))]))
        a, b = sorted(rng.sample(range(len(VIEWER)), 2))
        if VIEWER[a] != VIEWER[b]:
            jwt_cases.append(("swap two bytes", VIEWER[:a] + VIEWER[b] + VIEWER[a + 1:b] + VIEWER[a] + VIEWER[b + 1:]))
    for t in (VIEWER + ".", "." + VIEWER, VIEWER + "." + s_, h_ + ".." + p_ + "." + s_, h_ + "." + p_ + ".." + s_, h_ + "." + p_, h_ + "." + p_ + ".",
              "..", "...", ".", h_ + "." + p_ + "." + s_ + "." + s_):
        jwt_cases.append(("dots", t))
    for seg in range(3):
        for pad in ("=", "==", "==="):
            parts = [h_, p_, s_]
            parts[seg] += pad
            jwt_cases.append(("padding", ".".join(parts)))
    jwt_cases.append(("standard base64 alphabet", VIEWER.replace("-", "+").replace("_", "/") if any(c in VIEWER for c in "-_") else VIEWER + "+"))
    jwt_cases.append(("lower case", VIEWER.lower()))
    jwt_cases.append(("ANALYST signature", h_ + "." + p_ + "." + ANALYST.split(".")[2]))
    jwt_cases.append(("ADMIN payload, VIEWER signature", h_ + "." + ADMIN.split(".")[1] + "." + s_))
    jwt_cases.append(("payload and header swapped", p_ + "." + h_ + "." + s_))
    claims = json.loads(base64.urlsafe_b64decode(p_ + "=" * (-len(p_) % 4)))
    for alg in ("none", "None", "NONE", "nOnE", "", "hs256", "HS256 ", " HS256", "HS256\u0000", "HS384", "HS512", "RS256", "ES256", "PS256", "EdDSA",
                ["HS256"], None, 256, {"HS256": 1}):
        jwt_cases.append(("alg %r unsigned" % (alg,), forge({"alg": alg, "typ": "JWT"}, claims, alg=None)))
        jwt_cases.append(("alg %r signed" % (alg,), forge({"alg": alg, "typ": "JWT"}, claims)))
    jwt_cases.append(("no alg, signed", forge({"typ": "JWT"}, claims)))
    for raw_header in ('{"alg":"HS256","alg":"none"}', '{"alg":"none","alg":"HS256"}'):
        hb = base64.urlsafe_b64encode(raw_header.encode()).rstrip(b"=").decode()
        jwt_cases.append(("duplicate alg %s, unsigned" % raw_header, hb + "." + p_ + "."))
        jwt_cases.append(("duplicate alg %s, old signature" % raw_header, hb + "." + p_ + "." + s_))
    jwt_cases.append(("duplicate alg, last none, signed", (lambda hb: hb + "." + p_ + "." + b64(hmac.new(SECRET.encode(), (hb + "." + p_).encode(), hashlib.sha256).digest()))(
        base64.urlsafe_b64encode(b'{"alg":"HS256","alg":"none"}').rstrip(b"=").decode())))
    for _ in range(40):
        jwt_cases.append(("random segments", ".".join("".join(rng.choice(B64) for _ in range(rng.randint(0, 80))) for _ in range(3))))
    for _ in range(10):
        jwt_cases.append(("random text", "".join(rng.choice(string.printable[:94]) for _ in range(rng.randint(1, 300)))))
    jwt_cases.append(("5,000 bytes", "a" * 2000 + "." + "b" * 2000 + "." + "c" * 998))
    jwt_bad = []
    conn = http.client.HTTPConnection(HOST, PORT, timeout=10)
    for i, (name, t) in enumerate(jwt_cases):
        path = ("/api/v1/auth/me", "/api/v1/items?limit=1")[i % 2]  # the worker path, then the I/O-thread cache path
        try:
            conn.request("GET", path, headers={"Authorization": "Bearer " + t})
            r = conn.getresponse()
            r.read()
            status = r.status
        except (OSError, http.client.HTTPException) as e:
            status = type(e).__name__
            conn.close()
            conn = http.client.HTTPConnection(HOST, PORT, timeout=10)
        if status != 401:
            jwt_bad.append((name, t[:60], status))
    conn.close()
    check("JWT fuzz: %d random and mutated bearer tokens are all 401" % len(jwt_cases), not jwt_bad, jwt_bad[:10])
    check("JWT fuzz: the real token still works", get("/api/v1/auth/me", VIEWER).status == 200)

    check("after the fuzzing: /health is 200 and the database is unchanged", get("/health").status == 200 and db_fingerprint() == fuzz_before, (fuzz_before, db_fingerprint()))
    print("# fuzz section: %.1f s (seed %d)" % (time.time() - fuzz_t0, FUZZ_SEED))
