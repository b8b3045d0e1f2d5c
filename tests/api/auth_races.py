"""Races around logins and account changes, run by api_test.py (run(t) with its helpers).

- A token issued in the same second as a password reset, a demotion or a deactivation is
  refused at once, on every route and on refresh (10 tries each); logout-all; a change
  announced by another server (NOTIFY) ends tokens here too.
"""
import base64
import json
import time


def claims(token):
    p = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(p + "=" * (-len(p) % 4)))


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


def run(t):
    account_changes(t)
