"""The attack15 review, against a live server run by tests/api/api_attack15.sh after one pipeline
run (admin's PASSWORD; a15_viewer and a15_other VIEWER sharing PASSWORD too)."""
import http.client
import json
import os
import sys
import threading

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from httptest import HOST, PORT, churn, login, req  # noqa: E402
from pagetest import admin_token, check, finish, get_uncached, metric, q, sql  # noqa: E402


def strict(body):
    """The body parsed as JSON proper (NaN and Infinity are not JSON: a browser's JSON.parse
    refuses them), or None."""
    def refuse(name):
        raise ValueError(name)
    try:
        return json.loads(body, parse_constant=refuse)
    except ValueError:
        return None


# 1. A NaN backtest accuracy (numeric allows it) was written as a bare NaN into /forecasts'
# metadata, by the row-by-row statement (ForecastMeta) and by the page the publish rendered
# (V078): not JSON, so the dashboard's item page failed to read it.
token = admin_token()
run = int(q("SELECT max(run_id) FROM analytics.pipeline_runs WHERE status = 'SUCCEEDED'"))
item, site = map(int, q("SELECT item_id, site_id FROM analytics.forecast_accuracy WHERE run_id = %d"
                        " ORDER BY 1, 2 LIMIT 1" % run).split("|"))
sql("UPDATE analytics.forecast_accuracy SET mape = 'NaN', bias = 'NaN' WHERE run_id = %d"
    " AND item_id = %d AND site_id = %d" % (run, item, site))
q("SELECT analytics.render_forecast_pages(%d)" % run)
fast = get_uncached("/api/v1/forecasts", "item_id=%d&site_id=%d" % (item, site), token)[2]
ref = get_uncached("/api/v1/forecasts", "item_id=%d&site_id=%d&horizon=3660" % (item, site), token)[2]
doc = strict(fast)
check("a NaN accuracy: the page's answer is JSON", doc is not None, fast[-220:])
check("  with mape and bias null, wape as it is",
      doc is not None and doc["metadata"]["accuracy"]["mape"] is None
      and doc["metadata"]["accuracy"]["bias"] is None
      and doc["metadata"]["accuracy"]["wape"] is not None, doc and doc["metadata"])
check("  the row-by-row statement's answer is JSON too", strict(ref) is not None, ref[-220:])
check("  and both are the same bytes", fast == ref, (fast[-200:], ref[-200:]))

# 2. Past its share of the response cache (2,500 entries) an account's new responses were never
# stored, its hot URLs included, until the next publish or write: each of its requests for them
# went to a worker and to its 8 slots of requests in flight. The login-flood bench's control
# flood (one cached URL) met that, and its normal clients of the same account got 429s.
viewer, other = login("a15_viewer"), login("a15_other")
statuses = {}


others = "/api/v1/sites?limit=3"
req("GET", others, other)
req("GET", others, other)  # stored, charged to a15_other
entries, over = metric("cache_entries") or 0, metric("cache_over_share_total") or 0
threads = [threading.Thread(target=churn, args=(viewer, "/api/v1/sites?limit=1&churn=%d", k, 4, 2600, statuses))
           for k in range(4)]
for t in threads:
    t.start()
for t in threads:
    t.join()
grown = (metric("cache_entries") or 0) - entries
check("2,600 distinct URLs asked twice each by one VIEWER: all 200 (%s)" % statuses, statuses == {200: 5200})
check("  it holds 2,500 entries at most (cache_entries +%d)" % grown, 0 < grown <= 2500)
check("  past its share (cache_over_share_total +%d)" % ((metric("cache_over_share_total") or 0) - over),
      (metric("cache_over_share_total") or 0) - over >= 100)
hot = "/api/v1/sites?limit=2&hot=1"
req("GET", hot, viewer)
req("GET", hot, viewer)  # its second ask: stored, in the place of one of the account's own
hits = metric("cache_hits_total")
codes = [req("GET", hot, viewer)[0] for _ in range(3)]
check("  its new hot URL is stored all the same: 3 more asks are 3 hits (%s)"
      % (metric("cache_hits_total") - hits), codes == [200] * 3 and metric("cache_hits_total") == hits + 3)
hits = metric("cache_hits_total")
check("  another account's entry is still a hit",
      req("GET", others, other)[0] == 200 and metric("cache_hits_total") == hits + 1)
# The bench's control case: 8 clients of the account asking uncached pages (one request in flight
# each: its whole cap) beside 16 asking its hot URL. Cached, the hot URL takes no slot; stored
# nowhere, each of its misses took one, and the account's 9th request was refused 429.
in_flight = metric("http_in_flight_refused_total")
done = {}


def ask(path_of, n):
    c = http.client.HTTPConnection(HOST, PORT, timeout=60)
    for i in range(n):
        c.request("GET", path_of(i), headers={"Authorization": "Bearer " + viewer})
        r = c.getresponse()
        r.read()
        done[r.status] = done.get(r.status, 0) + 1


threads = [threading.Thread(target=ask, args=(lambda i, k=k: "/api/v1/items?limit=5&nocache=%d_%d" % (k, i), 60))
           for k in range(8)]
threads += [threading.Thread(target=ask, args=(lambda i: hot, 150)) for _ in range(16)]
for t in threads:
    t.start()
for t in threads:
    t.join()
refused = metric("http_in_flight_refused_total") - in_flight
check("  8 clients of that account asking uncached pages beside 16 asking its hot URL: all 200 (%s),"
      " none refused by the in-flight cap (%d)" % (done, refused), done == {200: 2880} and refused == 0)

finish()
