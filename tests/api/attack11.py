"""The attack11 review's checks against a live server, run by tests/api/api_attack11.sh (which
seeds the users a11_admin, a11_analyst, a11_analyst2, a11_viewer sharing PASSWORD, runs the
pipeline, sets item 3's demand on BIGDAY (both sites) to 99999999999999.9999 and starts the server with 16
workers: 8 requests in flight per client)."""
import json
import os
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from httptest import HOST, PASSWORD, PORT, login, req  # noqa: E402
from pagetest import check, finish, hold, hold_open, lock_waiters, metric, release, wait_until  # noqa: E402
from pagetest import q as sql  # noqa: E402

ADMIN, ANALYST, ANALYST2, VIEWER = (login(u) for u in ("a11_admin", "a11_analyst", "a11_analyst2", "a11_viewer"))
BIG = "99999999999999.9999"


# ---- 1. One account's slow requests hold at most half the workers; others still get through.
base_refused = metric("http_in_flight_refused_total") or 0
locker = hold_open("LOCK TABLE core.fact_demand_daily, core.demand_item_daily IN ACCESS EXCLUSIVE MODE")
done = []  # (who, status, retry-after, finished at)
lock = threading.Lock()


def get(who, token, path):
    r = req("GET", path, token)
    with lock:
        done.append((who, r[0], r[1].get("retry-after"), time.monotonic()))


flood = [threading.Thread(target=get, args=("viewer", VIEWER, "/api/v1/demand/timeseries?item_id=%d&site_id=1" % (i % 5 + 1)
                                            + "&start_date=2026-01-%02d" % (i + 1)))
         for i in range(20)]
for t in flood:
    t.start()
# The viewer's 20 requests are in: 8 wait on the lock, 12 refused (waited for, not a fixed
# second; the lock is held until released below).
check("  (the viewer's 8 admitted requests wait on the lock)", wait_until(lambda: lock_waiters() == 8))
check("  (its 12 others were answered)", wait_until(lambda: sum(1 for d in list(done) if d[0] == "viewer") >= 12))
other = threading.Thread(target=get, args=("analyst", ANALYST, "/api/v1/alerts?limit=3&nocache=1"))
anon = threading.Thread(target=get, args=("anonymous", None, "/api/v1/openapi.json"))
other.start(); anon.start(); other.join(); anon.join()
with lock:
    analyst_at = [d[3] for d in done if d[0] == "analyst"]
    refused_early = [d for d in done if d[0] == "viewer" and d[1] == 429]
check("the analyst's request is answered (200) while the viewer's slow ones still wait on the lock",
      analyst_at and locker.poll() is None and [d[1] for d in done if d[0] == "analyst"] == [200], done)
check("  and an anonymous client's too", [d[1] for d in done if d[0] == "anonymous"] == [200], done)
release(locker)
for t in flood:
    t.join()
viewer = [d for d in done if d[0] == "viewer"]
ok = [d for d in viewer if d[1] == 200]
refused = [d for d in viewer if d[1] == 429]
check("the viewer: 8 in flight answered 200 after the lock, 12 refused 429 at once (%d, %d)" % (len(ok), len(refused)),
      len(ok) == 8 and len(refused) == 12 and len(refused_early) == 12, viewer)
check("  each 429 with Retry-After: 1", all(d[2] == "1" for d in refused))
check("  the analyst was answered before any of the viewer's admitted requests",
      analyst_at and all(analyst_at[0] < d[3] for d in ok))
check("  counted in http_in_flight_refused_total", (metric("http_in_flight_refused_total") or 0) - base_refused == 12)
check("  http_in_flight_per_client_max is 8", metric("http_in_flight_per_client_max") == 8)
r = req("GET", "/api/v1/demand/timeseries?item_id=1&site_id=1", VIEWER)
check("the slots came back: the viewer's next request is 200", r[0] == 200, r[:1])
# A live event stream holds no worker, so it holds no slot: 10 open streams, then a request.
import socket  # noqa: E402
streams = []
for i in range(10):
    s = socket.create_connection((HOST, PORT))
    s.sendall(("GET /api/v1/events HTTP/1.1\r\nHost: t\r\nAuthorization: Bearer %s\r\n\r\n" % VIEWER).encode())
    s.settimeout(10)
    streams.append(s.recv(200))
check("10 event streams of one account open (more than its 8 slots)",
      all(h.startswith(b"HTTP/1.1 200") for h in streams), [h[:20] for h in streams])
r = req("GET", "/api/v1/items?limit=1&nocache=2", VIEWER)
check("  and its requests still pass", r[0] == 200, r[:1])

# Logins are bounded by the login rates and the hashing pool, not by this cap: 12 at once from
# one address are never a 429 (some may be 503: the hashing pool's queue).
codes = []
ts = [threading.Thread(target=lambda u=u: codes.append(req("POST", "/api/v1/auth/login", body={"username": u, "password": PASSWORD})[0]))
      for u in ("a11_admin", "a11_analyst", "a11_analyst2", "a11_viewer") * 3]
[t.start() for t in ts]
[t.join() for t in ts]
check("12 logins at once from one address: none refused 429 (%s)" % sorted(codes), len(codes) == 12 and 429 not in codes and 200 in codes)

# ---- 2. Two creates of names differing in case at once: one account (V072's unique index).
# Another create of 'RaceAnn' is in progress (uncommitted) while the API creates 'raceann'.
p = hold("INSERT INTO support.users (username, password_hash, role) SELECT 'RaceAnn', password_hash,"
         " 'VIEWER' FROM support.users WHERE username = 'a11_viewer'", 2)
r = req("POST", "/api/v1/admin/users", ADMIN, {"username": "raceann", "password": "Granite-Falcon-8842", "role": "ADMIN"})
p.wait()
check("a create racing an uncommitted 'RaceAnn': 409 conflict", r[0] == 409 and r[3]["error"] == "conflict", r[:1] + r[2:3])
check("  one account named raceann in any case", sql("select string_agg(username, ',') from support.users where lower(username) = 'raceann'") == "RaceAnn")
r = req("POST", "/api/v1/admin/users", ADMIN, {"username": "RACEANN", "password": "Granite-Falcon-8842", "role": "ADMIN"})
check("  and a later RACEANN: 409", r[0] == 409, r[:1])

# ---- 3. Sums past numeric(18,4) are answered, not 500. Item 3 has 99999999999999.9999 on
# BIGDAY at sites 1 and 2.
def series(q):
    r = req("GET", "/api/v1/demand/timeseries?" + q, VIEWER)
    return r[0], {d["full_date"]: d["quantity"] for d in (r[3] or {}).get("data", [])} if r[0] == 200 else r[2]


def exact(path):
    """The raw bytes of a quantity in the JSON (json.loads would round it to a double)."""
    return req("GET", path, VIEWER)[2].decode()


two = "199999999999999.9998"
DAY = os.environ["BIGDAY"]
WEEK, MONTH, START, END = sql("select date_trunc('week', d)::date, date_trunc('month', d)::date, d - 14, d + 7"
                              " from (select date '%s' d) x" % DAY).split("|")
for q in ("item_id=3&site_id=1", "item_id=3", "item_id=3&granularity=week", "item_id=3&granularity=month",
          "granularity=week", "site_id=1&granularity=month", "", "site_id=1"):
    status, body = series(q + "&start_date=%s&end_date=%s" % (START, END))
    check("demand series %s: 200 (was 500 past 10^14)" % (q or "portfolio"), status == 200, body if status != 200 else "")
text = exact("/api/v1/demand/timeseries?item_id=3&start_date=%s&end_date=%s" % (DAY, DAY))
check("  item 3 over both sites: the exact sum", '"quantity":%s}' % two in text, text[:160])
text = exact("/api/v1/demand/timeseries?item_id=3&site_id=1&start_date=%s&end_date=%s" % (DAY, DAY))
check("  item 3 at site 1: the row as stored", '"quantity":%s}' % BIG in text, text[:160])
exp = sql("select round(sum(quantity), 4) from core.fact_demand_daily where full_date between '%s' and date '%s' + 6" % (WEEK, WEEK))
text = exact("/api/v1/demand/timeseries?granularity=week&start_date=%s&end_date=%s" % (WEEK, sql("select date '%s' + 6" % WEEK)))
check("  the portfolio's week: the fact's sum (%s)" % exp, '"quantity":%s}' % exp in text, text[:160])
r = req("GET", "/api/v1/demand/timeseries?item_id=3&format=csv&start_date=%s&end_date=%s" % (DAY, DAY), VIEWER)
check("  CSV too", r[0] == 200 and ("%s,%s" % (DAY, two)).encode() in r[2], r[2][:100])

# An approved ABSOLUTE override, then given the largest value its column takes (the API takes
# up to 10^12; an older server, a migration or a hand edit may have stored more).
d1, d3 = sql("select as_of + 1, as_of + 3 from analytics.pipeline_runs where status = 'SUCCEEDED' order by run_id desc limit 1").split("|")
r = req("POST", "/api/v1/overrides", ANALYST, {"kind": "FORECAST", "item_id": 1, "site_id": 1, "valid_from": d1, "valid_to": d3,
                                              "mode": "ABSOLUTE", "value": 1e12, "reason": "the largest value"})
check("an ABSOLUTE override: 201", r[0] == 201, r[2][:200])
oid = r[3]["data"]["override_id"]
r = req("POST", "/api/v1/overrides/%d/submit" % oid, ANALYST, {}, {"If-Match": '"ov-%d-v1"' % oid})
check("  submitted", r[0] == 200, r[2][:200])


def approve(out, token):
    out.append(req("POST", "/api/v1/overrides/%d/approve" % oid, token, {}, {"If-Match": '"ov-%d-v2"' % oid})[0])


# Two approvers at once with the same version: one wins, the other is told it is stale.
codes = []
ts = [threading.Thread(target=approve, args=(codes, t)) for t in (ADMIN, ANALYST2)]
[t.start() for t in ts]
[t.join() for t in ts]
check("  two approvals at once: one 200, one 412 (%s)" % sorted(codes), sorted(codes) == [200, 412])
check("  one OVERRIDE_APPROVE audit row", sql("select count(*) from support.audit_logs where action = 'OVERRIDE_APPROVE' and entity_id = %d" % oid) == "1")
sql("update analytics.overrides set value = %s where override_id = %d" % (BIG, oid))
r = req("GET", "/api/v1/forecasts/total", VIEWER)
check("/forecasts/total with it: 200 (was 500)", r[0] == 200, r[2][:200])
text = r[2].decode()
exp = sql("select round(sum(greatest(0, f.yhat + %s - f.yhat)), 4) from analytics.forecasts f where f.run_id = "
          "(select max(run_id) from analytics.pipeline_runs where status = 'SUCCEEDED') and f.item_id = 1 and f.site_id = 1"
          " and f.full_date = '%s'" % (BIG, d1))
rest = sql("select round(sum(f.yhat), 4) from analytics.forecasts f where f.run_id = "
           "(select max(run_id) from analytics.pipeline_runs where status = 'SUCCEEDED') and not (f.item_id = 1 and f.site_id = 1)"
           " and f.full_date = '%s'" % d1)
total = sql("select %s + %s" % (exp, rest))
check("  the day's total is the override plus the other series (%s)" % total,
      ('"full_date":"%s","yhat":%s,' % (d1, total)) in text, text[:300])
r = req("GET", "/api/v1/forecasts?item_id=1&site_id=1&limit=5", VIEWER)
check("/forecasts of the series: 200 with the override's value", r[0] == 200 and ('"yhat":%s,' % BIG) in r[2].decode(), r[2][:300])
r = req("GET", "/api/v1/overrides/value-added", VIEWER)
check("/overrides/value-added: 200", r[0] == 200, r[2][:200])

finish()
