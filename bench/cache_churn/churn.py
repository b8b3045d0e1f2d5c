"""One VIEWER churning the response cache: a victim (another account) asks a hot set of URLs in
a loop, measured alone and then while an attacker asks distinct URLs twice each (a response is
stored from its second ask). Prints the victim's latency (median, p90, p99, max), its slow asks
(over SLOW_MS), its cache hit ratio (cache_hits_total: the attacker's URLs, asked twice each,
never hit), the attacker's rate and the cache's entries.
Env: BASE, VICTIM_TOKEN, ATTACKER_TOKEN, SECONDS (per phase, default 60; ALONE_SECONDS for
the first), THREADS (attacker's
connections, default 8), HOT (hot URLs, default 20), PAUSE (victim's seconds between asks,
default 0.005), SLOW_MS (default 3).

attack13's runs (demo seed 200 items x 5 sites x 400 days, serve's defaults, ALONE_SECONDS=20
SECONDS=120 HOT=200 PAUSE=0.02, the 2-core machine shared with builds):
  main:  victim alone 100 % hits, median 0.46 ms, p99 2.92 ms; under churn (3,299 req/s)
         38.4 % hits, median 1.34 ms, p99 29.48 ms; cache entries up to 19,706
  share: victim alone 100 %, median 0.61 ms, p99 5.71 ms; under churn (3,857 req/s)
         100.0 % hits, median 0.76 ms, p99 4.56 ms; cache entries 2,700 (cache_over_share_total
         231,805)"""
import http.client
import os
import random
import statistics
import threading
import time
import urllib.request

BASE = os.environ["BASE"]
HOST, PORT = BASE.split("//")[1].split(":")[0], int(BASE.rsplit(":", 1)[1])
SECONDS = float(os.environ.get("SECONDS", "60"))
THREADS = int(os.environ.get("THREADS", "8"))
HOT = int(os.environ.get("HOT", "20"))
SLOW_MS = float(os.environ.get("SLOW_MS", "3"))
PAUSE = float(os.environ.get("PAUSE", "0.005"))
hot = ["/api/v1/items?limit=50&offset=%d&sort=%s&hot=%d" % (i * 50 % 200, ("sku", "name")[i % 2], i)
       for i in range(HOT)]


def metric(name):
    for line in urllib.request.urlopen(BASE + "/metrics").read().decode().splitlines():
        if line.startswith(name + " "):
            return float(line.split()[1])
    return None


def victim(token, seconds):
    c = http.client.HTTPConnection(HOST, PORT, timeout=30)
    h = {"Authorization": "Bearer " + token}
    lat, end, i = [], time.time() + seconds, 0
    while time.time() < end:
        t = time.perf_counter()
        c.request("GET", hot[i % HOT], headers=h)
        r = c.getresponse()
        r.read()
        lat.append((time.perf_counter() - t) * 1000)
        if r.status != 200:
            raise SystemExit("victim got %d" % r.status)
        i += 1
        time.sleep(PAUSE)
    return lat


def attacker(token, stop, counter, base):
    c = http.client.HTTPConnection(HOST, PORT, timeout=30)
    h = {"Authorization": "Bearer " + token}
    n = 0
    while not stop.is_set():
        path = "/api/v1/items?limit=1&x=%d" % (base + n)
        for _ in range(2):
            c.request("GET", path, headers=h)
            r = c.getresponse()
            r.read()
            counter[r.status] = counter.get(r.status, 0) + 1
        n += 1


def report(name, lat, hits):
    lat = sorted(lat)
    q = lambda p: lat[min(len(lat) - 1, int(p * len(lat)))]
    slow = sum(1 for x in lat if x > SLOW_MS)
    print("%-19s asks %6d  hits %5.1f%%  median %.2f ms  p90 %.2f  p99 %.2f  max %.1f  >%g ms %.2f%%" %
          (name, len(lat), 100.0 * hits / len(lat), statistics.median(lat), q(0.90), q(0.99), lat[-1],
           SLOW_MS, 100.0 * slow / len(lat)))


vt, at = os.environ["VICTIM_TOKEN"], os.environ["ATTACKER_TOKEN"]
for p in hot * 2:  # stored from the second ask
    victim_c = urllib.request.urlopen(urllib.request.Request(BASE + p, headers={"Authorization": "Bearer " + vt})).read()
h0 = metric("cache_hits_total")
lat = victim(vt, float(os.environ.get("ALONE_SECONDS", SECONDS)))
report("victim alone", lat, metric("cache_hits_total") - h0)
stop, counter = threading.Event(), {}
run = random.getrandbits(40) * 1000  # fresh URLs each run
ts = [threading.Thread(target=attacker, args=(at, stop, counter, run + k * 10**8)) for k in range(THREADS)]
t0 = time.time()
for t in ts:
    t.start()
entries = []
sampler_stop = threading.Event()


def sampler():
    while not sampler_stop.is_set():
        entries.append(metric("cache_entries") or 0)
        time.sleep(2)


st = threading.Thread(target=sampler)
st.start()
h0 = metric("cache_hits_total")
lat = victim(vt, SECONDS)
hits = metric("cache_hits_total") - h0
stop.set()
for t in ts:
    t.join()
sampler_stop.set()
st.join()
el = time.time() - t0
report("victim under churn", lat, hits)
print("attacker: %d requests in %.0f s (%.0f/s), statuses %s; cache entries sampled: max %d, last %d" %
      (sum(counter.values()), el, sum(counter.values()) / el, counter, max(entries), entries[-1]))
