"""Races around logins and account changes, run by api_test.py (run(t) with its helpers).

- A token issued in the same second as a password reset, a demotion or a deactivation is
  refused at once, on every route and on refresh (10 tries each); logout-all; a change
  announced by another server (NOTIFY) ends tokens here too.
- A logout racing two refreshes of the same token: exactly one of them succeeds.
- Parallel wrong-password logins: at most the throttle's limit of passwords is checked
  (auth_password_checks_total), per account and per address.
- A full hashing pool answers 503 with Retry-After, and other requests are served.
- Refused logins (throttled: 429; pool full: 503) are answered after a second's hold (the
  tarpit), while other requests are answered meanwhile; a login with room is not held.
Concurrent clients bind their own 127.0.x.y source address, so the per-address throttle of
the rest of the run (127.0.0.1) is untouched.
"""
import base64
import http.client
import json
import threading
import time


def claims(token):
    p = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(p + "=" * (-len(p) % 4)))


def metric(t, name):
    for line in t.get("/metrics").raw.splitlines():
        if line.startswith(name + " "):
            return float(line.split()[1])
    return None


def post_from(t, source, path, body):
    """POST from a given source address; returns (status, headers)."""
    c = http.client.HTTPConnection(t.HOST, t.PORT, timeout=60, source_address=(source, 0))
    try:
        c.request("POST", path, body=json.dumps(body), headers={"Content-Type": "application/json"})
        r = c.getresponse()
        r.read()
        return r.status, {k.lower(): v for k, v in r.getheaders()}
    finally:
        c.close()


def parallel(n, fn):
    """Runs fn(i) on n threads released together; returns the results in order."""
    out = [None] * n
    gate = threading.Barrier(n)

    def one(i):
        gate.wait()
        try:
            out[i] = fn(i)
        except Exception as e:  # reported as a result, so the check shows it
            out[i] = ("error", repr(e))

    threads = [threading.Thread(target=one, args=(i,)) for i in range(n)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    return out


def until_decided(t, source, username, password):
    """Logs in until the answer is not 503 (the pool was full: nothing was checked)."""
    deadline = time.time() + 60
    while True:
        status, headers = post_from(t, source, "/api/v1/auth/login", {"username": username, "password": password})
        if status != 503 or time.time() > deadline:
            return status, headers
        if "retry-after" not in headers:
            return "503 without Retry-After", headers
        time.sleep(0.05)


def account_changes(t):
    check, req, get, login, sql, admin = t.check, t.req, t.get, t.login, t.sql, t.ADMIN
    pw = ["Race-Phrase-One-1", "Race-Phrase-Two-2"]
    uid = {}
    for name, role in (("race_pw", "VIEWER"), ("race_admin", "ADMIN"), ("race_off", "ANALYST"), ("race_all", "VIEWER")):
        r = req("POST", "/api/v1/admin/users", admin, body={"username": name, "password": pw[0], "role": role})
        check("race user %s created" % name, r.status == 201, r.raw)
        uid[name] = r.data["user_id"] if r.status == 201 else 0

    def race(label, name, change, undo, probe):
        bad, same_second = [], 0
        for i in range(10):
            r = login(name, pw[i % 2] if name == "race_pw" else pw[0])
            if r.status != 200:
                bad.append((i, "login", r.status))
                continue
            tok = r.data["access_token"]
            r = req("PATCH", "/api/v1/admin/users/%d" % uid[name], admin, body=change(i))
            same_second += int(time.time()) == claims(tok)["iat"]
            codes = (r.status, get(probe, tok).status, get("/api/v1/auth/me", tok).status,
                     req("POST", "/api/v1/auth/refresh", tok).status, req("POST", "/api/v1/auth/refresh", tok).status)
            if codes[0] != 200 or codes[1] not in (401, 403) or codes[2:] != (401, 401, 401):
                bad.append((i, codes))
            if undo and req("PATCH", "/api/v1/admin/users/%d" % uid[name], admin, body=undo).status != 200:
                bad.append((i, "undo"))
        check("%s: the token issued just before is 401 at once, and on refresh, 10 of 10 (%d in the same second)"
              % (label, same_second), not bad, bad)

    race("password reset", "race_pw", lambda i: {"password": pw[(i + 1) % 2]}, None, "/api/v1/items?limit=1")
    race("demoted ADMIN", "race_admin", lambda i: {"role": "VIEWER"}, {"role": "ADMIN"}, "/api/v1/admin/users")
    race("deactivation", "race_off", lambda i: {"active": False}, {"active": True}, "/api/v1/items?limit=1")
    versions = sql("SELECT string_agg(username || '=' || token_version, ' ' ORDER BY username) FROM support.users WHERE username LIKE 'race%'")
    check("each change bumped the account's token version", versions == "race_admin=20 race_all=0 race_off=20 race_pw=10", versions)

    r = req("PATCH", "/api/v1/admin/users/%d" % uid["race_all"], admin, body={"role": "VIEWER", "active": True})
    check("a PATCH that changes nothing leaves the version", r.status == 200
          and sql("SELECT token_version FROM support.users WHERE user_id = %d" % uid["race_all"]) == "0", r.raw)
    a, b = login("race_all", pw[0]).data["access_token"], login("race_all", pw[0]).data["access_token"]
    r = req("POST", "/api/v1/auth/logout-all", a)
    check("logout-all", r.status == 200 and r.data == {"revoked_all": True}, r.raw)
    codes = [get("/api/v1/auth/me", x).status for x in (a, b)] + [req("POST", "/api/v1/auth/refresh", x).status for x in (a, b)]
    check("logout-all ends every token of the account, refresh included", codes == [401] * 4, codes)
    c = login("race_all", pw[0]).data["access_token"]
    check("a login after logout-all works", get("/api/v1/auth/me", c).status == 200)
    check("logout-all is audited", sql("SELECT count(*) FROM support.audit_logs WHERE action = 'LOGOUT_ALL' AND actor = 'race_all'") == "1")
    check("logout-all needs a token", req("POST", "/api/v1/auth/logout-all").status == 401)

    # Another server's change reaches this one through NOTIFY corrente_revoked.
    sql("WITH u AS (UPDATE support.users SET token_version = token_version + 1 WHERE user_id = %d RETURNING *)"
        " SELECT pg_notify('corrente_revoked', 'account ' || user_id || ' ' || active::int || ' ' || token_version) FROM u" % uid["race_all"])
    code = None
    for _ in range(50):
        code = get("/api/v1/auth/me", c).status
        if code == 401:
            break
        time.sleep(0.1)
    check("a version bumped elsewhere and announced by NOTIFY ends the token here", code == 401, code)


def keep_alive_tokens(t):
    """One keep-alive connection, as a browser keeps one: the server takes the previous request's
    token check for the next request with the same header, only while no revocation or account
    change landed since; another header on the same connection is checked as itself."""
    check, req, login, admin = t.check, t.req, t.login, t.ADMIN
    pw = "Keep-Alive-Phrase-1"
    ids = {}
    for name, role in (("ka_viewer", "VIEWER"), ("ka_admin", "ADMIN")):
        r = req("POST", "/api/v1/admin/users", admin, body={"username": name, "password": pw, "role": role})
        check("keep-alive user %s created" % name, r.status == 201, r.raw)
        ids[name] = r.data["user_id"] if r.status == 201 else 0
    viewer, boss = login("ka_viewer", pw).data["access_token"], login("ka_admin", pw).data["access_token"]
    c = http.client.HTTPConnection(t.HOST, t.PORT, timeout=30)

    def on_conn(path, token):
        c.request("GET", path, headers={"Authorization": "Bearer " + token} if token else {})
        r = c.getresponse()
        body = r.read()
        return r.status, json.loads(body) if body[:1] == b"{" else None

    seen = [on_conn("/api/v1/auth/me", viewer), on_conn("/api/v1/items?limit=1", viewer),
            on_conn("/api/v1/auth/me", boss), on_conn("/api/v1/admin/users", viewer),
            on_conn("/api/v1/admin/users", boss), on_conn("/api/v1/auth/me", "x" + viewer),
            on_conn("/api/v1/auth/me", None), on_conn("/api/v1/auth/me", viewer)]
    codes = [s for s, _ in seen]
    names = [b["data"]["username"] for s, b in seen if s == 200 and b and "username" in b.get("data", {})]
    check("one connection, tokens in turn: each request is its own token's", codes == [200, 200, 200, 403, 200, 401, 401, 200]
          and names == ["ka_viewer", "ka_admin", "ka_viewer"], (codes, names))
    r = req("PATCH", "/api/v1/admin/users/%d" % ids["ka_viewer"], admin, body={"active": False})
    check("keep-alive viewer deactivated", r.status == 200, r.raw)
    after = [on_conn("/api/v1/items?limit=1", viewer)[0], on_conn("/api/v1/auth/me", viewer)[0]]
    check("a deactivation ends the token on the connection that was using it (cached route too)",
          after == [401, 401], after)
    r = req("POST", "/api/v1/auth/logout-all", boss)
    check("keep-alive admin logs out everywhere", r.status == 200, r.raw)
    check("logout-all ends the token on a connection that had just used it",
          on_conn("/api/v1/admin/users", boss)[0] == 401)
    c.close()


def revoke_races(t):
    """A logout and two refreshes of one token at once: one of them wins, the others are 401,
    so a logout is never outlived by a refresh's new token and no token is refreshed into two."""
    check, req, get, login = t.check, t.req, t.get, t.login
    r = req("POST", "/api/v1/admin/users", t.ADMIN, body={"username": "race_revoke", "password": "Race-Phrase-One-1", "role": "VIEWER"})
    check("race user race_revoke created", r.status == 201, r.raw)
    bad = []
    for i in range(8):  # 8 logins: within the account's login burst (10)
        tok = login("race_revoke", "Race-Phrase-One-1").data["access_token"]
        paths = ["/api/v1/auth/logout", "/api/v1/auth/refresh", "/api/v1/auth/refresh"]
        res = parallel(3, lambda k: req("POST", paths[k], tok))
        codes = [x.status if hasattr(x, "status") else x for x in res]
        fresh = [x.data["access_token"] for x in res[1:] if hasattr(x, "status") and x.status == 200]
        alive = [get("/api/v1/auth/me", f).status for f in fresh]
        if sorted(codes) != [200, 401, 401] or alive != [200] * len(fresh) or get("/api/v1/auth/me", tok).status != 401:
            bad.append((i, codes, alive))
    check("logout and two refreshes of one token at once: exactly one succeeds, 8 of 8", not bad, bad)


def throttle_races(t):
    check, sql = t.check, t.sql
    sql("INSERT INTO support.users (username, password_hash, role) SELECT 'race_throttle', password_hash, 'VIEWER' FROM support.users WHERE username = 'viewer'")
    before = metric(t, "auth_password_checks_total")
    res = parallel(40, lambda i: until_decided(t, "127.0.0.41", "race_throttle", "wrong-password-%d" % i))
    checked = metric(t, "auth_password_checks_total") - before
    codes = sorted(r[0] if isinstance(r, tuple) else r for r in res)
    audited = int(sql("SELECT count(*) FROM support.audit_logs WHERE actor = 'race_throttle' AND details->>'reason' = 'bad_password'"))
    check("40 parallel wrong passwords for one account: 5 checked (limit 5), 35 refused with 429 + Retry-After",
          checked == 5 and audited == 5 and codes.count(401) == 5 and codes.count(429) == 35
          and all("retry-after" in r[1] for r in res if r[0] == 429), (checked, audited, codes))

    before = metric(t, "auth_password_checks_total")
    res = parallel(60, lambda i: until_decided(t, "127.0.0.60", "race_ghost_%d" % i, "wrong-password"))
    checked = metric(t, "auth_password_checks_total") - before
    codes = sorted(r[0] for r in res)
    audited = int(sql("SELECT count(*) FROM support.audit_logs WHERE actor LIKE 'race_ghost%' AND details->>'reason' = 'unknown_user'"))
    check("60 parallel failed logins from one address: 20 checked (limit 20), 40 refused with 429",
          checked == 20 and audited == 20 and codes.count(401) == 20 and codes.count(429) == 40, (checked, audited, codes))


def hashing_pool_full(t):
    check, get = t.check, t.get
    threads = metric(t, "auth_hashing_threads")
    refused0 = metric(t, "auth_hashing_refused_total")
    before = metric(t, "auth_password_checks_total")
    held0 = metric(t, "http_held_total")
    res, during = [], []
    for attempt in range(3):  # a burst whose clients happen to arrive one by one proves nothing
        def one(i):
            if i == 0:
                time.sleep(0.05)
                r = get("/api/v1/items?limit=1&during_login_burst=%d" % attempt, t.VIEWER)
                during.append(r.status)
                return ("items", r.status)
            return post_from(t, "127.0.1.%d" % i, "/api/v1/auth/login", {"username": "race_pool_%d_%d" % (attempt, i), "password": "x"})
        res = parallel(41, one)[1:]
        if any(r[0] == 503 for r in res):
            break
    codes = [r[0] for r in res]
    checked = metric(t, "auth_password_checks_total") - before
    refused = metric(t, "auth_hashing_refused_total") - refused0
    full = [r for r in res if r[0] == 503]
    check("a burst of 40 logins past the hashing pool (%d thread(s)): the overflow is 503 with Retry-After" % threads,
          full and all(r[1].get("retry-after") == "1" for r in full) and set(codes) <= {401, 503}
          and refused >= len(full), (codes, refused))
    sent = 40 * (attempt + 1)
    check("every login of the bursts was either checked or refused", checked + refused >= sent and checked <= sent,
          (checked, refused, sent))
    check("other requests are served while the hashing pool is full", during and all(s == 200 for s in during), during)
    check("each 503 of a full pool was held (the tarpit)", metric(t, "http_held_total") - held0 >= len(full),
          (metric(t, "http_held_total") - held0, len(full)))


def timed_post(t, source, body):
    """(status, headers, seconds taken, time.monotonic() at the answer) of one login."""
    t0 = time.monotonic()
    status, headers = post_from(t, source, "/api/v1/auth/login", body)
    end = time.monotonic()
    return status, headers, end - t0, end


def tarpit(t):
    """After throttle_races: race_throttle's account is locked, so its logins are refused."""
    check, get = t.check, t.get
    held0 = metric(t, "http_held_total")
    # Four refused logins at once from another address, and items while they wait.
    def one(i):
        if i == 0:
            time.sleep(0.2)
            t0 = time.monotonic()
            r = get("/api/v1/items?limit=1&during_tarpit=1", t.VIEWER)
            return ("items", r.status, time.monotonic() - t0, time.monotonic())
        return timed_post(t, "127.0.3.%d" % i, {"username": "race_throttle", "password": "wrong"})
    res = parallel(5, one)
    items, refused = res[0], res[1:]
    check("4 logins of a throttled account: each 429 with Retry-After, after a hold of >= 1 s",
          all(r[0] == 429 and int(r[1].get("retry-after", "0")) > 0 and r[2] >= 1.0 for r in refused),
          [(r[0], round(r[2], 3)) for r in refused])
    check("the hold is counted (http_held_total +4)", metric(t, "http_held_total") - held0 == 4,
          metric(t, "http_held_total") - held0)
    check("items answered while the refused logins were held (before any of them)",
          items[1] == 200 and items[3] < min(r[3] for r in refused), (items, [r[3] for r in refused]))
    # A login with room in the hashing pool is not held, failed or not.
    held1 = metric(t, "http_held_total")
    codes = [timed_post(t, "127.0.3.9", {"username": "race_tarpit_%d" % i, "password": "x"})[0] for i in range(3)]
    check("logins with room in the pool (401 here) are not held", codes == [401] * 3
          and metric(t, "http_held_total") == held1, (codes, metric(t, "http_held_total") - held1))


def run(t):
    account_changes(t)
    keep_alive_tokens(t)
    revoke_races(t)
    throttle_races(t)
    tarpit(t)
    hashing_pool_full(t)
