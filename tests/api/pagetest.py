"""What the page tests (forecast_pages.py, item_pages.py) share: TAP checks (from tap.py),
psql, a counter off /metrics, a held table lock and an admin token, from the BASE, DSN and
PASSWORD the shell script exports."""
import itertools
import json
import os
import subprocess
import time
import urllib.request

from tap import check, finish  # noqa: F401 (the page tests take them from here)

BASE, DSN = os.environ["BASE"], os.environ["DSN"]


def sql(q, dsn=DSN, may_fail=False):
    """psql's result; raises on an error as DSN (the owner) unless may_fail; returns any other
    role's error."""
    r = subprocess.run(["psql", dsn, "-qAtX", "-v", "ON_ERROR_STOP=1", "-c", q], capture_output=True, text=True)
    if dsn == DSN and not may_fail and r.returncode != 0:
        raise RuntimeError(r.stderr)
    return r


def q(s):
    return sql(s).stdout.strip()


def metric(name):
    for line in urllib.request.urlopen(BASE + "/metrics").read().decode().splitlines():
        if line.startswith(name + " "):
            return float(line.split()[1])
    return None


def hold(lock_sql, seconds):
    """A psql session that runs `lock_sql` in a transaction and commits `seconds` after it is
    done (statements fed one by one: psql -c would print nothing before the commit)."""
    p = subprocess.Popen(["psql", DSN, "-qAtX", "-v", "ON_ERROR_STOP=1"], stdin=subprocess.PIPE,
                         stdout=subprocess.PIPE, text=True)
    p.stdin.write("BEGIN;\n%s;\nSELECT 'locked';\n" % lock_sql)
    p.stdin.flush()
    assert p.stdout.readline().strip() == "locked"
    p.stdin.write("SELECT pg_sleep(%d);\nCOMMIT;\n" % seconds)
    p.stdin.close()
    return p


def hold_open(lock_sql):
    """A psql session that runs `lock_sql` in a transaction and holds it until release(p): the
    steps that must happen under the lock are waited for, not given a fixed time."""
    p = subprocess.Popen(["psql", DSN, "-qAtX", "-v", "ON_ERROR_STOP=1"], stdin=subprocess.PIPE,
                         stdout=subprocess.PIPE, text=True)
    p.stdin.write("BEGIN;\n%s;\nSELECT 'locked';\n" % lock_sql)
    p.stdin.flush()
    assert p.stdout.readline().strip() == "locked"
    return p


def release(p):
    p.stdin.write("COMMIT;\n")
    p.stdin.close()
    p.wait()


def wait_until(cond, seconds=120):
    """True once cond() is; False after `seconds` (a bound for a loaded machine, not a wait)."""
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if cond():
            return True
        time.sleep(0.02)
    return cond()


def lock_waiters():
    """The server's sessions waiting on a lock in this database."""
    return int(q("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                 " AND application_name = 'corrente-serve' AND wait_event_type = 'Lock'"))


def logged(text):
    """True once the server's log ($SERVE_LOG; serve with CORRENTE_LOG_LEVEL=debug to see where
    requests wait) has `text`."""
    with open(os.environ["SERVE_LOG"]) as f:
        return text in f.read()


def admin_token():
    body = json.dumps({"username": "admin", "password": os.environ["PASSWORD"]}).encode()
    req = urllib.request.Request(BASE + "/api/v1/auth/login", data=body, method="POST")
    return json.load(urllib.request.urlopen(req))["data"]["access_token"]


_nocache = itertools.count()


def get_uncached(path, query, token):
    """(status, Content-Type, body) of GET path?query with a unique nocache parameter, so the
    response cache answers none."""
    req = urllib.request.Request("%s%s?%s&nocache=%d" % (BASE, path, query, next(_nocache)),
                                 headers={"Authorization": "Bearer " + token})
    with urllib.request.urlopen(req) as r:
        return r.status, r.headers.get("Content-Type"), r.read()
