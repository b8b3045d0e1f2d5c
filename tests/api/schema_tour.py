#!/usr/bin/env python3
"""Calls every JSON route of a live `corrente serve` and validates each body against the
OpenAPI document it serves (closed objects: a field the document does not name fails too),
then checks the document's enums against the database's CHECK constraints.

Usage: schema_tour.py BASE_URL ADMIN_PASSWORD ANALYST_PASSWORD DATABASE_URL
Prints one line per call; exits 1 on any mismatch or on a route the tour did not reach."""
import json
import re
import subprocess
import sys
import time
import urllib.error
import urllib.request

import jsonschema

base, admin_pw, analyst_pw, dsn = sys.argv[1:5]
doc = json.load(urllib.request.urlopen(base + "/api/v1/openapi.json"))
failures = []
reached = set()


def operation(method, path):
    for pattern, item in doc["paths"].items():
        rx = "^" + re.sub(r"\{[^}]+\}", "[^/]+", pattern) + "$"
        if re.match(rx, path) and method.lower() in item:
            return pattern, item[method.lower()]
    return None, None


def call(method, path, token=None, body=None, headers=None, expect=200):
    url = base + "/api/v1" + path
    req = urllib.request.Request(url, method=method, data=None if body is None else json.dumps(body).encode())
    req.add_header("Accept", "application/json")
    if body is not None:
        req.add_header("Content-Type", "application/json")
    if token:
        req.add_header("Authorization", "Bearer " + token)
    for k, v in (headers or {}).items():
        req.add_header(k, v)
    try:
        with urllib.request.urlopen(req) as r:
            status, payload = r.status, json.load(r)
    except urllib.error.HTTPError as e:
        status, payload = e.code, json.load(e)
    path_only = path.split("?")[0]
    pattern, op = operation(method, "/api/v1" + path_only)
    if pattern is None:
        failures.append(f"{method} {path}: not in the document")
        return payload.get("data")
    reached.add(f"{method} {pattern}")
    if status != expect:
        failures.append(f"{method} {path}: status {status}, expected {expect}: {payload}")
        return payload.get("data")
    schema = op["responses"][str(status)]["content"]["application/json"]["schema"]
    validator = jsonschema.Draft202012Validator({**schema, "components": doc["components"]})
    errors = sorted(validator.iter_errors(payload), key=lambda e: list(e.absolute_path))
    rows = payload.get("data")
    n = len(rows) if isinstance(rows, list) else 1
    if errors:
        for e in errors[:3]:
            failures.append(f"{method} {path}: at {list(e.absolute_path)}: {e.message[:300]}")
        print(f"FAIL {method} {path} ({len(errors)} errors)")
    else:
        print(f"ok   {method} {path} ({n} row{'s' if n != 1 else ''})")
    return rows


def login(user, pw):
    return call("POST", "/auth/login", body={"username": user, "password": pw})["access_token"]


admin = login("admin", admin_pw)
analyst = login("analyst", analyst_pw)
call("GET", "/auth/me", admin)
call("POST", "/auth/refresh", login("admin", admin_pw))
for p in ["/items?limit=50", "/sites", "/regions", "/suppliers", "/analytics/kpis?limit=50",
          "/demand/timeseries?limit=50", "/demand/timeseries?item_id=1&site_id=1&limit=50",
          "/demand/timeseries?granularity=week&limit=20",
          "/inventory/timeseries?item_id=1&limit=50", "/inventory/timeseries?item_id=1&site_id=1&limit=20",
          "/inventory/health", "/inventory/snapshot?limit=200",
          "/forecasts?item_id=1&limit=50", "/forecasts?item_id=1&site_id=1&limit=50",
          "/forecasts/total?limit=30", "/features?item_id=1&limit=20",
          "/recommendations?limit=200", "/recommendations/groups?limit=50",
          "/alerts?limit=200", "/alerts/groups?limit=50", "/overrides/value-added",
          "/admin/users", "/admin/audit-logs?limit=50"]:
    call("GET", p, admin)
item = call("GET", "/items?limit=1", admin)[0]["item_id"]
call("GET", f"/items/{item}", admin)
call("GET", f"/items/{item}/projection", admin)
call("GET", f"/items/{item}/projection?site_id=1", admin)
recs = call("GET", "/recommendations?limit=3", admin)
if recs:
    call("PATCH", f"/recommendations/{recs[0]['recommendation_id']}/acknowledge", analyst, {})
    call("POST", "/recommendations/bulk", analyst, {"ids": [r["recommendation_id"] for r in recs[1:]], "action": "acknowledge"})
alerts = call("GET", "/alerts?limit=3", admin)
assert len(alerts) == 3, f"the tour needs three open alerts, got {len(alerts)}"
if alerts:
    call("PATCH", f"/alerts/{alerts[0]['alert_id']}/mark-read", analyst, {})
    call("PATCH", f"/alerts/{alerts[1]['alert_id']}/resolve", analyst, {})
    call("POST", "/alerts/bulk", analyst, {"ids": [alerts[2]["alert_id"]], "action": "read"})
day = call("GET", f"/forecasts?item_id={item}&site_id=1&limit=1", admin)[0]["full_date"]
draft = {"kind": "FORECAST", "item_id": item, "site_id": 1, "valid_from": day, "valid_to": day,
         "mode": "PERCENT", "value": 10, "reason": "schema tour"}
call("GET", f"/overrides/preview?kind=FORECAST&item_id={item}&site_id=1&valid_from={day}&valid_to={day}&mode=PERCENT&value=10", analyst)
ov = call("POST", "/overrides", analyst, draft, expect=201) or call("GET", "/overrides?limit=1", analyst)[0]
etag = lambda o: {"If-Match": f'"ov-{o["override_id"]}-v{o["version"]}"'}
ov = call("PATCH", f"/overrides/{ov['override_id']}", analyst, {"reason": "schema tour, edited"}, etag(ov))
ov = call("POST", f"/overrides/{ov['override_id']}/submit", analyst, {}, etag(ov))
ov = call("POST", f"/overrides/{ov['override_id']}/withdraw", analyst, {}, etag(ov))
ov = call("POST", f"/overrides/{ov['override_id']}/submit", analyst, {}, etag(ov))
ov = call("POST", f"/overrides/{ov['override_id']}/reject", admin, {"note": "not this week"}, etag(ov))
ov2 = call("POST", "/overrides", analyst, draft, expect=201)
ov2 = call("POST", f"/overrides/{ov2['override_id']}/submit", analyst, {}, etag(ov2))
call("POST", f"/overrides/{ov2['override_id']}/approve", admin, {}, etag(ov2))
call("GET", "/overrides?limit=50", analyst)
call("GET", f"/overrides/{ov['override_id']}", analyst)
sim = call("POST", "/simulations", analyst, {"sample": 5}, expect=202)
for _ in range(120):
    s = call("GET", f"/simulations/{sim['simulation_id']}", analyst)
    if s["status"] != "RUNNING":
        break
    time.sleep(0.5)
call("GET", "/simulations?limit=10", analyst)
tour_user = f"schema_tour_{int(time.time())}"
u = call("POST", "/admin/users", admin, {"username": tour_user, "password": "Schema-Tour-Pass-2026!", "role": "VIEWER"}, expect=201)
call("PATCH", f"/admin/users/{u['user_id']}", admin, {"role": "ANALYST"})
t = login(tour_user, "Schema-Tour-Pass-2026!")
call("POST", "/auth/logout-all", t)
call("POST", "/auth/logout", login(tour_user, "Schema-Tour-Pass-2026!"))

# Every JSON route of the document was reached.
for pattern, item in doc["paths"].items():
    for method, op in item.items():
        if not pattern.startswith("/api/v1/") or pattern == "/api/v1/openapi.json":
            continue
        if "application/json" not in op["responses"].get("200", op["responses"].get("201", op["responses"].get("202", {}))).get("content", {}):
            continue
        if f"{method.upper()} {pattern}" not in reached:
            failures.append(f"{method.upper()} {pattern}: not reached by the tour")

# The document's enums against the database's CHECK constraints.
checks = {("analytics.recommendations", "type"): ("Recommendation", "type"),
          ("analytics.recommendations", "priority"): ("Recommendation", "priority"),
          ("analytics.alerts", "level"): ("Alert", "level"),
          ("support.users", "role"): ("User", "role"),
          ("core.dim_item", "abc_class"): ("Item", "abc_class"),
          ("core.dim_site", "site_type"): ("Site", "site_type"),
          ("core.dim_supplier", "supplier_type"): ("Supplier", "supplier_type"),
          ("analytics.overrides", "kind"): ("Override", "kind"),
          ("analytics.overrides", "mode"): ("Override", "mode"),
          ("analytics.overrides", "state"): ("Override", "state"),
          ("analytics.simulation_runs", "status"): ("Simulation", "status"),
          ("core.fact_orders", "status"): ("OpenOrder", "status")}
for (table, column), (schema, field) in checks.items():
    sql = ("SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE contype = 'c' AND conrelid = "
           f"'{table}'::regclass AND pg_get_constraintdef(oid) ~ '^CHECK \\(\\({column} = ANY \\(ARRAY'")
    defs = subprocess.run(["psql", dsn, "-qAtX", "-c", sql], capture_output=True, text=True, check=True).stdout
    in_sql = set(re.findall(r"'([^']+)'::", defs))
    enum = doc["components"]["schemas"][schema]["properties"][field]["enum"]
    in_doc = {v for v in enum if v is not None}
    print(f"{'ok  ' if in_sql == in_doc else 'FAIL'} enum {table}.{column} = {schema}.{field}: {sorted(in_doc)}")
    if in_sql != in_doc:
        failures.append(f"{table}.{column} CHECK {sorted(in_sql)} != {schema}.{field} {sorted(in_doc)}")

print(f"{len(reached)} routes reached")
for f in failures:
    print("FAIL", f)
sys.exit(1 if failures else 0)
