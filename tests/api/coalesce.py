"""Request coalescing and the one token check per request, against a live server, run by
tests/api/api_coalesce.sh (which seeds the users co_viewer, co_viewer2 (VIEWER) and co_analyst
(ANALYST) sharing PASSWORD and starts the server with 2 workers and 4 requests in flight per
client). The demand tables are held locked meanwhile, so that every request of a burst arrives
while its key's first request waits on the lock."""
import os
import sys
import threading

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from httptest import login, req  # noqa: E402
from pagetest import check, finish, hold_open, lock_waiters, logged, metric, q, release, wait_until  # noqa: E402

VIEWER, VIEWER2, ANALYST = (login(u) for u in ("co_viewer", "co_viewer2", "co_analyst"))
LOCK = "LOCK TABLE core.fact_demand_daily, core.demand_item_daily IN ACCESS EXCLUSIVE MODE"
PATH = "/api/v1/demand/timeseries?item_id=1&site_id=1&start_date=2026-01-%02d"
counters = ("cache_coalesced_total", "cache_coalesce_fallbacks_total", "http_in_flight_refused_total",
            "cache_hits_total", "cache_invalidations_total")


def snapshot():
    return {name: metric(name) or 0 for name in counters}


def delta(before):
    now = snapshot()
    return {name: now[name] - before[name] for name in counters}


def follows(marker):
    """How many requests the server logged as following another in flight, `marker` in their line."""
    with open(os.environ["SERVE_LOG"]) as f:
        return sum(1 for line in f if marker + ": follows the same request in flight" in line)


def burst(requests, followers, marker, between=None, lock=LOCK):
    """Sends `requests` ((token, path, headers) each) at once on their own connections while
    `lock` holds; it goes once the server has logged `followers` of them following (`marker` in
    their line) and `between` has run, not after a fixed time. Returns (status, headers, body)
    each."""
    locker = hold_open(lock)
    out = [None] * len(requests)
    go = threading.Barrier(len(requests))

    def one(i, token, path, headers):
        go.wait()
        r = req("GET", path, token, headers=headers)
        out[i] = r[:3]

    threads = [threading.Thread(target=one, args=(i,) + tuple(r)) for i, r in enumerate(requests)]
    for t in threads:
        t.start()
    check("  (%d requests follow a lead, as the server logs)" % followers,
          wait_until(lambda: follows(marker) >= followers), follows(marker))
    if between:
        between()
    release(locker)
    for t in threads:
        t.join()
    return out


# ---- 1. 32 identical uncached requests at once: computed once, all 200 with the same bytes.
before = snapshot()
got = burst([(VIEWER, PATH % 1, None)] * 32, 31, "start_date=2026-01-01")
d = delta(before)
statuses = [g[0] for g in got]
check("32 identical requests at once: all 200 (%s)" % sorted(set(statuses)), statuses == [200] * 32)
check("  all with the same body", len({g[2] for g in got}) == 1 and len(got[0][2]) > 100)
check("  and the same ETag", len({g[1].get("etag") for g in got}) == 1)
check("  computed once: cache_coalesced_total +31 (%d)" % d["cache_coalesced_total"], d["cache_coalesced_total"] == 31, d)
check("  no follower fell back", d["cache_coalesce_fallbacks_total"] == 0, d)
check("  none refused 429, with 4 in flight per client: followers hold no slot",
      d["http_in_flight_refused_total"] == 0, d)
before = snapshot()
r = req("GET", PATH % 1, VIEWER)
check("the next ask is a cache hit (the followers' asks admitted the response): same bytes",
      r[0] == 200 and r[2] == got[0][2] and delta(before)["cache_hits_total"] == 1)

# ---- 2. Roles and formats are not mixed: each key its own computation.
before = snapshot()
csv = {"Accept": "text/csv"}
groups = [(VIEWER, PATH % 2, None)] * 8 + [(VIEWER, PATH % 2, csv)] * 8 + [(ANALYST, PATH % 2, None)] * 8
got = burst(groups, 21, "start_date=2026-01-02")
d = delta(before)
check("24 requests, 8 of each of three keys (VIEWER JSON, VIEWER CSV, ANALYST JSON): all 200",
      [g[0] for g in got] == [200] * 24, [g[0] for g in got])
check("  three computations: cache_coalesced_total +21 (%d)" % d["cache_coalesced_total"],
      d["cache_coalesced_total"] == 21, d)
for name, part in (("VIEWER JSON", got[0:8]), ("VIEWER CSV", got[8:16]), ("ANALYST JSON", got[16:24])):
    check("  %s: one body for the 8" % name, len({g[2] for g in part}) == 1)
check("  the CSV ones are CSV, the JSON ones JSON",
      all(g[1]["content-type"].startswith("text/csv") for g in got[8:16])
      and all(g[1]["content-type"].startswith("application/json") for g in got[:8] + got[16:]))
check("  CSV and JSON bodies differ", got[0][2] != got[8][2])

# ---- 3. An invalidation while a key is computed: the requests that come after it do not follow
# the computation begun before it.
before = snapshot()


def publish():
    invalidations = metric("cache_invalidations_total")  # one worker waits on the lock, one is free
    q("NOTIFY corrente_data, '0'")
    check("  (the listener dropped the cache)", wait_until(lambda: metric("cache_invalidations_total") > invalidations))
    for t in late:
        t.start()
    check("  (the later 4: one leads, 3 follow it)", wait_until(lambda: follows("start_date=2026-01-03") >= 6),
          follows("start_date=2026-01-03"))


late_out = []
late = [threading.Thread(target=lambda: late_out.append(req("GET", PATH % 3, VIEWER)[:3])) for _ in range(4)]
got = burst([(VIEWER, PATH % 3, None)] * 4, 3, "start_date=2026-01-03", between=publish)
for t in late:
    t.join()
d = delta(before)
check("4 requests before an invalidation and 4 after it: all 200",
      [g[0] for g in got + late_out] == [200] * 8, [g[0] for g in got + late_out])
check("  the cache was invalidated once", d["cache_invalidations_total"] == 1, d)
check("  two computations, one per generation: cache_coalesced_total +6 (%d)" % d["cache_coalesced_total"],
      d["cache_coalesced_total"] == 6, d)

# ---- 4. A lead whose response cannot be shared (a CSV export past 1,000 rows is streamed): its
# followers compute themselves, each taking its slot, and get the same rows.
before = snapshot()
got = burst([(VIEWER, "/api/v1/sites?format=csv&limit=2000", None)] * 4, 3, "/api/v1/sites?format=csv&limit=2000",
            lock="LOCK TABLE core.dim_site IN ACCESS EXCLUSIVE MODE")
d = delta(before)
check("4 streamed CSV exports at once: all 200, one body", [g[0] for g in got] == [200] * 4
      and len({g[2] for g in got}) == 1 and got[0][2].startswith(b"site_id"), [g[:2] for g in got])
check("  the 3 followers computed themselves: cache_coalesce_fallbacks_total +3 (%d)" % d["cache_coalesce_fallbacks_total"],
      d["cache_coalesce_fallbacks_total"] == 3 and d["cache_coalesced_total"] == 0, d)

# ---- 5. One token check per request, but a revocation that lands between the I/O thread's
# check and the worker's start is honoured: both workers held on the lock, co_viewer2's request
# passes the fast path and waits for a worker; its account changes meanwhile.
uid = q("SELECT user_id FROM support.users WHERE username = 'co_viewer2'")
ver = int(q("SELECT token_version FROM support.users WHERE user_id = %s" % uid))


PROBE = "/api/v1/sites?limit=3"
req("GET", PROBE, VIEWER)
req("GET", PROBE, VIEWER)  # stored: a VIEWER's ask of it is answered on the I/O thread
locker = hold_open(LOCK)
got = [None] * 3


def ask(i, token, path):
    got[i] = req("GET", path, token)[:3]


asks = [threading.Thread(target=ask, args=a) for a in ((0, VIEWER, PATH % 4), (1, ANALYST, PATH % 5), (2, VIEWER2, PATH % 6))]
asks[0].start(); asks[1].start()
check("  (both on a worker, waiting on the lock)", wait_until(lambda: lock_waiters() == 2))
asks[2].start()
check("  (the third past the fast path, waiting for a worker)",
      wait_until(lambda: logged("start_date=2026-01-06: queued for a worker")))
q("UPDATE support.users SET token_version = %d WHERE user_id = %s" % (ver + 1, uid))
q("SELECT pg_notify('corrente_revoked', 'account %s 1 %d')" % (uid, ver + 1))
# Taken once the server refuses that token on a cached page (answered without a worker).
check("  (the server took the change of co_viewer2's account)", wait_until(lambda: req("GET", PROBE, VIEWER2)[0] == 401))
release(locker)
for t in asks:
    t.join()
check("two requests hold both workers: 200", [g[0] for g in got[:2]] == [200, 200], got[:2])
check("the third, admitted before its account changed, run after: 401 (%d)" % got[2][0],
      got[2][0] == 401 and b"predates a change" in got[2][2], got[2])
r = req("GET", PATH % 7, VIEWER2)
check("  and so is that token's next request (%d)" % r[0], r[0] == 401)
r = req("GET", PATH % 7, VIEWER)
check("another account's token still passes", r[0] == 200)
r = req("GET", PATH % 7, None)
check("no token: 401 unauthorized", r[0] == 401 and b'"unauthorized"' in r[2])
r = req("GET", "/api/v1/admin/users", VIEWER)
check("a VIEWER on an ADMIN route: 403", r[0] == 403 and b'"forbidden"' in r[2])
finish()
