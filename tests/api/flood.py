#!/usr/bin/env python3
"""Connection flood against a running server: idle connections, slowloris headers and slow
bodies, while /health is polled on fresh connections. Used by the api_flood test (CI size)
and by bench/flood (5,000 connections, with nginx as the peer).

Usage: flood.py HOST PORT [--idle N] [--slowloris N] [--slow-body N] [--seconds S]
                [--pid PID] [--health-path /health] [--max-ms MS] [--expect-closed]
Prints the /health latencies (median, p99, max), the server's peak RSS when --pid is given,
and "N passed, N failed"; exits 1 when the server died, /health failed, or any /health took
longer than --max-ms (default: no latency check).
"""
import argparse
import os
import selectors
import socket
import statistics
import time

from tap import check, finish

ap = argparse.ArgumentParser()
ap.add_argument("host")
ap.add_argument("port", type=int)
ap.add_argument("--idle", type=int, default=1000)
ap.add_argument("--slowloris", type=int, default=100)
ap.add_argument("--slow-body", type=int, default=50)
ap.add_argument("--seconds", type=float, default=12)
ap.add_argument("--pid", type=int)
ap.add_argument("--health-path", default="/health")
ap.add_argument("--max-ms", type=float)
ap.add_argument("--label", default="corrente")
ap.add_argument("--expect-closed", action="store_true",
                help="check that the server closed every flood connection (its timeouts are shorter than --seconds)")
a = ap.parse_args()



def rss_kb(pid):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


def connect():
    s = socket.socket()
    s.setblocking(True)
    s.settimeout(5)
    s.connect((a.host, a.port))
    s.setblocking(False)
    return s


def health():
    t0 = time.perf_counter()
    try:
        with socket.create_connection((a.host, a.port), timeout=5) as s:
            s.sendall(f"GET {a.health_path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode())
            data = b""
            while True:
                chunk = s.recv(65536)
                if not chunk:
                    break
                data += chunk
        ms = (time.perf_counter() - t0) * 1000
        return data.startswith(b"HTTP/1.1 200"), ms
    except OSError:
        return False, (time.perf_counter() - t0) * 1000


socks = {"idle": [], "slowloris": [], "slow_body": []}
opened_fail = 0
for kind, n in (("idle", a.idle), ("slowloris", a.slowloris), ("slow_body", a.slow_body)):
    for _ in range(n):
        try:
            socks[kind].append(connect())
        except OSError:
            opened_fail += 1
for s in socks["slow_body"]:
    try:
        s.send(b"POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n{")
    except OSError:
        pass

head = b"GET /health HTTP/1.1\r\nHost: x\r\nX-Slow: "
lat, failed, peak_rss = [], 0, 0
rss0 = rss_kb(a.pid) if a.pid else None
t_end = time.monotonic() + a.seconds
k = 0
while time.monotonic() < t_end:
    # slowloris: a byte from each every tick, never a whole header
    for s in socks["slowloris"]:
        try:
            s.send(head[k:k + 1] if k < len(head) else b"a")
        except OSError:
            pass
    for s in socks["slow_body"]:
        try:
            s.send(b"a")
        except OSError:
            pass
    k += 1
    ok, ms = health()
    if ok:
        lat.append(ms)
    else:
        failed += 1
    if a.pid:
        r = rss_kb(a.pid)
        if r:
            peak_rss = max(peak_rss, r)
    time.sleep(0.05)

# Which connections did the server close?
closed = {}
sel = selectors.DefaultSelector()
for kind, lst in socks.items():
    c = 0
    for s in lst:
        try:
            d = s.recv(65536)
            c += 1 if d == b"" or d.startswith(b"HTTP/1.1 ") else 0
        except BlockingIOError:
            pass
        except OSError:
            c += 1
        s.close()
    closed[kind] = c

alive = True
if a.pid:
    try:
        os.kill(a.pid, 0)
    except OSError:
        alive = False
lat.sort()
med = statistics.median(lat) if lat else float("nan")
p99 = lat[min(len(lat) - 1, int(len(lat) * 0.99))] if lat else float("nan")
mx = lat[-1] if lat else float("nan")
print(f"{a.label}: {a.idle} idle + {a.slowloris} slowloris + {a.slow_body} slow-body connections "
      f"({opened_fail} could not open) for {a.seconds:.0f} s; /health {len(lat)} answered, "
      f"{failed} failed; median {med:.1f} ms, p99 {p99:.1f} ms, max {mx:.1f} ms"
      + (f"; RSS {rss0 // 1024 if rss0 else '?'} -> peak {peak_rss // 1024} MiB" if a.pid else ""))
print(f"{a.label}: closed by the server: " + ", ".join(f"{k} {v}/{len(socks[k])}" for k, v in closed.items()))
check("the server is alive after the flood", alive)
check("every /health answered 200", failed == 0 and len(lat) > 0, f"{failed} failed")
if a.expect_closed:
    for kind, lst in socks.items():
        check(f"the server closed every {kind} connection", closed[kind] == len(lst), f"{closed[kind]}/{len(lst)}")
if a.max_ms is not None:
    check(f"every /health within {a.max_ms:.0f} ms", lat and mx <= a.max_ms, f"max {mx:.1f} ms")
finish()
