"""The attack13 review's findings on request coalescing, against a live server run by
tests/api/api_attack13.sh (users a13_viewer and a13_viewer2, VIEWER, sharing PASSWORD; 2
workers). The demand tables are held locked so that a lead waits for a worker while its
account, or a follower's, changes (NOTIFY corrente_revoked, as another server sends it). And
one account's share of the response cache."""
import os
import sys
import threading

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from httptest import churn, login, req  # noqa: E402
from pagetest import check, finish, hold_open, lock_waiters, logged, metric, q, release, wait_until  # noqa: E402

LOCK = "LOCK TABLE core.fact_demand_daily, core.demand_item_daily IN ACCESS EXCLUSIVE MODE"
PATH = "/api/v1/demand/timeseries?item_id=1&site_id=1&start_date=2026-02-%02d"
PROBE = "/api/v1/sites?limit=3"  # cached for VIEWER before each scenario: answered without a worker


def end_tokens(user, token):
    """Ends `user`'s tokens as logout-everywhere on another server does, and waits until this
    server has taken the notice: `token` is refused on PROBE, a cached page (a hit or the 401 is
    answered on the I/O thread, while both workers are held)."""
    uid = q("SELECT user_id FROM support.users WHERE username = '%s'" % user)
    ver = int(q("UPDATE support.users SET token_version = token_version + 1 WHERE user_id = %s "
                "RETURNING token_version" % uid))
    q("SELECT pg_notify('corrente_revoked', 'account %s 1 %d')" % (uid, ver))
    return wait_until(lambda: req("GET", PROBE, token)[0] == 401)


def brief(got):
    return [(g[0], g[2][:100]) for g in got]


def scenario(first, second, ended, ended_token, n):
    """Both workers held on the lock by two other requests; `first` asks PATH % n (the lead,
    queued for a worker), then `second` asks the same (a follower); `ended`'s tokens end; the
    lock goes. Each step waits for the server to show the one before it (pg_stat_activity, its
    debug log), not for a fixed time. Returns the (status, headers, body) of the lead and the
    follower."""
    other = login("a13_other")
    req("GET", PROBE, other)
    req("GET", PROBE, other)  # stored from this ask
    hits = metric("cache_hits_total")
    req("GET", PROBE, other)
    check("  (the probe page is cached for VIEWER)", metric("cache_hits_total") == hits + 1)
    locker = hold_open(LOCK)
    got = [None] * 4

    def ask(i, token, path):
        got[i] = req("GET", path, token)[:3]

    busy = [threading.Thread(target=ask, args=(i, other, PATH % (20 + n * 2 + i))) for i in (2, 3)]
    for t in busy:
        t.start()
    check("  both workers wait on the lock", wait_until(lambda: lock_waiters() == 2))
    lead = threading.Thread(target=ask, args=(0, first, PATH % n))
    lead.start()
    check("  the lead is past the fast path, waiting for a worker",
          wait_until(lambda: logged("start_date=2026-02-%02d: queued for a worker" % n)))
    follower = threading.Thread(target=ask, args=(1, second, PATH % n))
    follower.start()
    check("  the follower waits for the lead",
          wait_until(lambda: logged("start_date=2026-02-%02d: follows the same request in flight" % n)))
    check("  the server took the end of %s's tokens" % ended, end_tokens(ended, ended_token))
    release(locker)
    for t in busy + [lead, follower]:
        t.join()
    check("  the two requests holding the workers: 200", [g[0] for g in got[2:]] == [200, 200], brief(got[2:]))
    return got[0], got[1]


before = metric("cache_coalesce_fallbacks_total") or 0
viewer, viewer2 = login("a13_viewer"), login("a13_viewer2")
# 1. The lead's account changes while it waits for a worker: its 401 is about its token, not
# about the URL; the follower (another account, same role) was answered that 401 and the
# message "log in again" (a client then drops a valid session).
lead, follower = scenario(viewer2, viewer, "a13_viewer2", viewer2, 1)
check("a lead whose token ended while it waited for a worker: 401 (%d)" % lead[0],
      lead[0] == 401 and b"predates a change" in lead[2], brief([lead]))
check("  its follower, another account's valid token: 200, not the lead's 401 (%d)" % follower[0],
      follower[0] == 200 and b'"success"' in follower[2], brief([follower]))

# 2. A follower's own token ends while it waits: it is refused as a request waiting for a worker
# is, not answered the lead's data.
viewer2 = login("a13_viewer2")
lead, follower = scenario(viewer, viewer2, "a13_viewer2", viewer2, 2)
check("a lead with a valid token: 200 (%d)" % lead[0], lead[0] == 200, brief([lead]))
check("  its follower, whose token ended while it waited: 401, not the data (%d)" % follower[0],
      follower[0] == 401 and b"predates a change" in follower[2], brief([follower]))
fell_back = (metric("cache_coalesce_fallbacks_total") or 0) - before
check("both were followers, answered other than with their lead's response: "
      "cache_coalesce_fallbacks_total +2 (%d)" % fell_back, fell_back == 2)

# 3. One VIEWER asking distinct URLs twice each (a response is stored from its second ask) filled
# the response cache, whose eviction then took half of everyone's entries: each account stores
# at most an eighth of it (2,500 entries).
viewer2 = login("a13_viewer2")
hot = "/api/v1/sites?limit=2"
req("GET", hot, viewer)
req("GET", hot, viewer)  # stored from this ask, charged to a13_viewer
entries, over = metric("cache_entries") or 0, metric("cache_over_share_total") or 0
statuses = {}
threads = [threading.Thread(target=churn, args=(viewer2, "/api/v1/sites?limit=1&churn=%d", k, 4, 2600, statuses))
           for k in range(4)]
for t in threads:
    t.start()
for t in threads:
    t.join()
grown, refused = (metric("cache_entries") or 0) - entries, (metric("cache_over_share_total") or 0) - over
check("2,600 distinct URLs asked twice each by one VIEWER: all 200 (%s)" % statuses, statuses == {200: 5200})
check("  it stored 2,500 of them at most (cache_entries +%d)" % grown, 0 < grown <= 2500)
check("  the rest went past its share (stored in the place of its own entries since attack15):"
      " cache_over_share_total +%d (100 at least)" % refused, refused >= 100)
hits = metric("cache_hits_total")
r = req("GET", hot, viewer)
check("another account's entry is still a hit", r[0] == 200 and metric("cache_hits_total") == hits + 1)
finish()
