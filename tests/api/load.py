#!/usr/bin/env python3
"""Keeps requests flowing at a server until STOP_FILE exists, then prints a JSON summary.

Usage: load.py BASE_URL TOKEN STOP_FILE
Each worker keeps one keep-alive connection (reconnecting when it drops) and cycles through
an uncached items page (a new offset every time), one item, and /health. The summary counts
statuses, 503s that carried Retry-After, and transport errors (connection refused/reset).
"""
import http.client
import json
import os
import sys
import threading
import time
import urllib.parse

base, token, stop_file = sys.argv[1:4]
u = urllib.parse.urlparse(base)
lock = threading.Lock()
summary = {"status": {}, "503_with_retry_after": 0, "503_without_retry_after": 0, "transport_errors": 0, "requests": 0}


def worker(n):
    conn = None
    i = 0
    while not os.path.exists(stop_file):
        i += 1
        path = ["/api/v1/items?limit=3&offset=%d" % (n * 100000 + i), "/api/v1/items/%d" % (1 + i % 5), "/health"][i % 3]
        try:
            if conn is None:
                conn = http.client.HTTPConnection(u.hostname, u.port, timeout=15)
            conn.request("GET", path, headers={"Authorization": "Bearer " + token})
            r = conn.getresponse()
            r.read()
            with lock:
                summary["requests"] += 1
                summary["status"][str(r.status)] = summary["status"].get(str(r.status), 0) + 1
                if r.status == 503:
                    key = "503_with_retry_after" if r.getheader("Retry-After") else "503_without_retry_after"
                    summary[key] += 1
            if r.getheader("Connection", "").lower() == "close":
                conn.close()
                conn = None
        except Exception:
            with lock:
                summary["transport_errors"] += 1
            try:
                conn.close()
            except Exception:
                pass
            conn = None
            time.sleep(0.05)
        time.sleep(0.005)


threads = [threading.Thread(target=worker, args=(n,)) for n in range(8)]
for t in threads:
    t.start()
for t in threads:
    t.join()
print(json.dumps(summary))
