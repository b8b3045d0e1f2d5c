#!/usr/bin/env python3
"""Every GET endpoint of the OpenAPI document, asked of two `corrente serve`s (one on Citus,
one on plain PostgreSQL, same seed and pipeline run): the status codes and the bodies must be
equal once the values that depend on the moment (timestamps, timings) are left out.
Usage: api_compare.py URL_A ADMIN_PASSWORD_A URL_B ADMIN_PASSWORD_B"""
import json
import re
import sys
import urllib.error
import urllib.parse
import urllib.request

# Values of the moment, not of the data: when a row was written, how long something took.
VOLATILE = re.compile(r"(_at|_time|seconds|_ms|^uptime|^latency|^duration|^now|^computed|^last_login)$"
                      r"|^(stats|version|build|timestamp|jti|latest_pipeline_run|last_pipeline_run)$")
# Streams and pages that are not JSON data.
SKIP = {"/api/v1/events", "/metrics", "/api/docs"}
# A value for each path or required query parameter, by name.
VALUES = {"item_id": "1", "site_id": "1", "id": "1", "sku": "SKU-00001", "days": "30",
          "horizon": "30", "from": "2020-01-01", "to": "2100-01-01", "as_of": "2025-01-01"}


def call(base, path, token):
    req = urllib.request.Request(base + path, headers={"Authorization": "Bearer " + token})
    try:
        with urllib.request.urlopen(req, timeout=60) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


def login(base, password):
    body = json.dumps({"username": "admin", "password": password}).encode()
    req = urllib.request.Request(base + "/api/v1/auth/login", data=body, method="POST")
    with urllib.request.urlopen(req, timeout=30) as r:
        return json.load(r)["data"]["access_token"]


def normalize(v):
    if isinstance(v, dict):
        return {k: normalize(x) for k, x in v.items() if not VOLATILE.search(k)}
    if isinstance(v, list):
        return [normalize(x) for x in v]
    return v


def requests(spec):
    """(path with query) for every GET: required parameters filled; once more filtered by an
    item where the endpoint takes item_id."""
    out = []
    for pattern, item in sorted(spec["paths"].items()):
        op = item.get("get")
        if not op or pattern in SKIP:
            continue
        params = op.get("parameters", [])
        path = pattern
        query = {}
        for p in params:
            value = VALUES.get(p["name"])
            enum = p.get("schema", {}).get("enum")
            if value is None and enum:
                value = str(enum[0])
            if p["in"] == "path":
                path = path.replace("{" + p["name"] + "}", value or "1")
            elif p.get("required"):
                query[p["name"]] = value or "1"
        out.append(path + ("?" + urllib.parse.urlencode(query) if query else ""))
        if any(p["name"] == "item_id" and p["in"] == "query" and not p.get("required") for p in params):
            out.append(path + "?" + urllib.parse.urlencode({**query, "item_id": "1"}))
    return out


def main():
    a, pa, b, pb = sys.argv[1:5]
    ta, tb = login(a, pa), login(b, pb)
    spec = json.loads(call(a, "/api/v1/openapi.json", ta)[1])
    failed = 0
    paths = requests(spec)
    for path in paths:
        sa, ba = call(a, path, ta)
        sb, bb = call(b, path, tb)
        try:
            ja, jb = normalize(json.loads(ba)), normalize(json.loads(bb))
        except ValueError:
            ja, jb = ba, bb
        if sa == sb and ja == jb:
            print(f"ok - GET {path}: {sa}, same body ({len(ba)} bytes)")
        else:
            failed += 1
            print(f"not ok - GET {path}: {sa} vs {sb}")
            print("   citus:  " + json.dumps(ja)[:400] if not isinstance(ja, bytes) else ba[:400])
            print("   single: " + json.dumps(jb)[:400] if not isinstance(jb, bytes) else bb[:400])
    print(f"{len(paths) - failed} of {len(paths)} GET requests answered the same")
    return 1 if failed or not paths else 0


if __name__ == "__main__":
    sys.exit(main())
