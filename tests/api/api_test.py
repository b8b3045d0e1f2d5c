#!/usr/bin/env python3
"""Black-box tests of `corrente serve` over real HTTP, with values checked against SQL.

Usage: api_test.py BASE_URL DSN LOGINS_JSON JWT_SECRET WEB_ROOT
LOGINS_JSON maps username -> password for the seeded admin, analyst and viewer.
Prints "ok - ..." / "not ok - ..." lines and "N passed, N failed"; exits 1 on any failure.
"""
import base64
import decimal
import hashlib
import hmac
import http.client
import json
import re
import subprocess
import sys
import time
import urllib.parse

from tap import check, finish

BASE, DSN, LOGINS, SECRET, WEB_ROOT = sys.argv[1], sys.argv[2], json.loads(sys.argv[3]), sys.argv[4], sys.argv[5]
HOST, PORT = urllib.parse.urlparse(BASE).hostname, urllib.parse.urlparse(BASE).port


def sql(q):
    out = subprocess.run(["psql", DSN, "-AtX", "-v", "ON_ERROR_STOP=1", "-c", q], capture_output=True, text=True)
    if out.returncode != 0:
        raise RuntimeError(out.stderr)
    return out.stdout.strip()


class Resp:
    def __init__(self, status, headers, body):
        self.status, self.headers, self.raw = status, {k.lower(): v for k, v in headers}, body
        try:
            self.json = json.loads(body) if body else None
        except ValueError:
            self.json = None

    @property
    def data(self):
        return self.json["data"] if self.json else None

    @property
    def meta(self):
        return self.json.get("metadata") if self.json else None


def req(method, path, token=None, body=None, headers=None, raw_path=False):
    c = http.client.HTTPConnection(HOST, PORT, timeout=30)
    h = {"User-Agent": "corrente-api-test/1"}
    h.update(headers or {})
    if token:
        h["Authorization"] = "Bearer " + token
    data = None
    if body is not None:
        data = body if isinstance(body, (bytes, str)) else json.dumps(body)
        h["Content-Type"] = "application/json"
    c.request(method, path, body=data, headers=h)
    r = c.getresponse()
    out = Resp(r.status, r.getheaders(), r.read().decode("utf-8", "replace"))
    c.close()
    return out


def get(path, token=None, **kw):
    return req("GET", path, token, **kw)


def q(params):
    return urllib.parse.urlencode(params, quote_via=urllib.parse.quote)


def login(user, password):
    return req("POST", "/api/v1/auth/login", body={"username": user, "password": password})


def num(x):
    return None if x is None or x == "" else float(x)


def b64(d):
    return base64.urlsafe_b64encode(d if isinstance(d, bytes) else json.dumps(d, separators=(",", ":")).encode()).rstrip(b"=").decode()


def forge(header, claims, alg="sha256", key=None):
    signing = b64(header) + "." + b64(claims)
    if alg is None:
        return signing + "."
    sig = hmac.new((key or SECRET).encode(), signing.encode(), getattr(hashlib, alg)).digest()
    return signing + "." + b64(sig)


def db_fingerprint():
    return sql("SELECT (SELECT count(*) FROM core.dim_item) || '/' || (SELECT md5(string_agg(sku || name || coalesce(family,''), ',' ORDER BY item_id)) FROM core.dim_item)"
               " || '/' || (SELECT count(*) FROM support.users) || '/' || (SELECT count(*) FROM core.fact_demand_daily)"
               " || '/' || (SELECT count(*) FROM analytics.recommendations WHERE acknowledged_at IS NOT NULL)"
               " || '/' || (SELECT count(*) FROM analytics.alerts WHERE read_at IS NOT NULL)")


# ---------------------------------------------------------------- open routes
r = get("/health")
check("/health 200 healthy", r.status == 200 and r.json["status"] == "healthy", r.raw)
r = get("/api/v1/openapi.json")
spec = r.json
check("openapi.json is OpenAPI 3.1", r.status == 200 and spec and spec.get("openapi", "").startswith("3.1"), r.raw[:200])
check("openapi.json gives the API's version, not the build's", spec and spec["info"]["version"] == "1", spec and spec["info"])
EXPECTED = {
    ("get", "/health"), ("get", "/metrics"), ("get", "/api/v1/openapi.json"), ("get", "/api/docs"),
    ("post", "/api/v1/auth/login"), ("get", "/api/v1/auth/me"), ("post", "/api/v1/auth/refresh"), ("post", "/api/v1/auth/logout"),
    ("post", "/api/v1/auth/logout-all"),
    ("get", "/api/v1/items"), ("get", "/api/v1/items/{id}"), ("get", "/api/v1/items/{id}/projection"),
    ("get", "/api/v1/sites"), ("get", "/api/v1/regions"),
    ("get", "/api/v1/suppliers"), ("get", "/api/v1/analytics/kpis"), ("get", "/api/v1/demand/timeseries"),
    ("get", "/api/v1/inventory/timeseries"), ("get", "/api/v1/inventory/health"), ("get", "/api/v1/inventory/snapshot"),
    ("get", "/api/v1/forecasts"), ("get", "/api/v1/forecasts/total"), ("get", "/api/v1/features"),
    ("get", "/api/v1/recommendations"), ("patch", "/api/v1/recommendations/{id}/acknowledge"), ("get", "/api/v1/alerts"),
    ("patch", "/api/v1/alerts/{id}/mark-read"), ("patch", "/api/v1/alerts/{id}/resolve"), ("get", "/api/v1/admin/users"),
    ("get", "/api/v1/recommendations/groups"), ("post", "/api/v1/recommendations/bulk"), ("get", "/api/v1/alerts/groups"),
    ("post", "/api/v1/alerts/bulk"),
    ("post", "/api/v1/admin/users"), ("patch", "/api/v1/admin/users/{id}"), ("get", "/api/v1/admin/audit-logs"),
    ("get", "/api/v1/simulations"), ("post", "/api/v1/simulations"), ("get", "/api/v1/simulations/{id}"),
    ("get", "/api/v1/overrides"), ("post", "/api/v1/overrides"), ("get", "/api/v1/overrides/{id}"),
    ("patch", "/api/v1/overrides/{id}"), ("get", "/api/v1/overrides/preview"), ("get", "/api/v1/overrides/value-added"),
    ("post", "/api/v1/overrides/{id}/submit"), ("post", "/api/v1/overrides/{id}/withdraw"),
    ("post", "/api/v1/overrides/{id}/approve"), ("post", "/api/v1/overrides/{id}/reject"),
    ("get", "/api/v1/events"),
}
ops = {(m, p) for p, item in spec["paths"].items() for m in item}
check("openapi lists every route of the issue", EXPECTED <= ops, EXPECTED - ops)
check("openapi lists nothing the server lacks", ops <= EXPECTED, ops - EXPECTED)
structural = []
op_ids = set()
for p, item in spec["paths"].items():
    for m, op in item.items():
        if m not in ("get", "post", "patch", "put", "delete"):
            structural.append("bad method %s %s" % (m, p))
        if not op.get("responses"):
            structural.append("no responses %s %s" % (m, p))
        for code in op.get("responses", {}):
            if not (code.isdigit() and len(code) == 3):
                structural.append("bad status %s" % code)
        oid = op.get("operationId")
        if not oid or oid in op_ids:
            structural.append("operationId %s" % oid)
        op_ids.add(oid)
        names = {prm["name"] for prm in op.get("parameters", []) if prm["in"] == "path"}
        for seg in p.split("/"):
            if seg.startswith("{") and seg[1:-1] not in names:
                structural.append("undeclared path param %s in %s" % (seg, p))
        for prm in op.get("parameters", []):
            if prm["in"] not in ("query", "path", "header") or "schema" not in prm:
                structural.append("bad parameter %s" % prm)
        for ref in json.dumps(op).split('"$ref": "')[1:]:
            name = ref.split('"')[0].split("/")[-1]
            if name not in spec["components"]["schemas"]:
                structural.append("dangling $ref " + name)
check("openapi validates structurally (methods, responses, operationIds, path params, $refs)", not structural, structural)
# Every documented operation is routed by the server (no "no route" 404 or 405).
unrouted = []
for m, p in sorted(ops):
    r = req(m.upper(), p.replace("{id}", "999999"), body={} if m != "get" else None)
    if r.status == 405 or (r.status == 404 and "no route" in r.raw):
        unrouted.append((m, p, r.status))
check("every documented operation is routed", not unrouted, unrouted)
r = get("/api/docs")
check("/api/docs is an HTML page reading the spec, no CDN", r.status == 200 and "/api/v1/openapi.json" in r.raw and "https://" not in r.raw)

# ---------------------------------------------------------------- auth
tok = {}
for user, pw in LOGINS.items():
    r = login(user, pw)
    ok = r.status == 200 and r.data["token_type"] == "bearer" and r.data["expires_in"] > 0
    check("login %s" % user, ok, r.raw)
    tok[r.data["role"] if ok else user] = r.data["access_token"] if ok else ""
ADMIN, ANALYST, VIEWER = tok.get("ADMIN"), tok.get("ANALYST"), tok.get("VIEWER")
# /health tells anyone whether the service is up, but its versions only to a logged-in caller.
pg_version = sql("SHOW server_version")
r = get("/health")
check("/health without a token: status and freshness, no versions",
      r.status == 200 and r.json["database"] == "connected" and "data_freshness" in r.json
      and "version" not in r.json and "postgres_version" not in r.json and pg_version not in r.raw, r.raw)
r = get("/health", VIEWER)
check("/health with a valid token (VIEWER): the corrente and PostgreSQL versions",
      r.status == 200 and r.json.get("postgres_version") == pg_version and r.json.get("version", "").count(".") == 2, r.raw)
res = {k: get("/health", t).raw for k, t in (("forged", forge({"alg": "none", "typ": "JWT"}, {"sub": "admin"}, alg=None)),
                                            ("garbage", "abc.def.ghi"))}
res["not bearer"] = get("/health", headers={"Authorization": "Basic YWRtaW46YWRtaW4="}).raw
check("/health with a bad token or another scheme: no versions", all('"version"' not in v and pg_version not in v for v in res.values()), res)
check("successful login is audited with address and user agent",
      sql("SELECT count(*) FROM support.audit_logs WHERE action='LOGIN_SUCCESS' AND actor='admin' AND host(ip_address)='127.0.0.1' AND user_agent='corrente-api-test/1'") == "1")
r1 = login("admin", "wrong-password-1")
r2 = login("no_such_user", "wrong-password-1")
check("bad password is 401", r1.status == 401 and r1.json["error"] == "invalid_credentials")
check("unknown user gives the same error as a bad password", r1.status == r2.status and r1.json == r2.json, (r1.raw, r2.raw))
check("failed logins are audited", int(sql("SELECT count(*) FROM support.audit_logs WHERE action='LOGIN_FAILURE'")) >= 2)
r = req("POST", "/api/v1/auth/login", body="{not json")
check("login with a broken body is 400", r.status == 400)
r = req("POST", "/api/v1/auth/login", body={"username": "admin"})
check("login without password is 400 naming it", r.status == 400 and "password" in r.json["detail"])
r = get("/api/v1/auth/me", VIEWER)
check("/auth/me returns the caller", r.status == 200 and r.data["username"] == "viewer" and r.data["role"] == "VIEWER", r.raw)
check("no password hash in /auth/me", "argon2" not in r.raw)

# ---------------------------------------------------------------- items
r = get("/api/v1/items", VIEWER)
check("items: total_count matches SQL", r.status == 200 and r.meta["total_count"] == int(sql("SELECT count(*) FROM core.dim_item")), r.raw[:300])
check("items: default limit 100 and ordered by id", r.meta["limit"] == 100 and [x["item_id"] for x in r.data] == sorted(x["item_id"] for x in r.data))
fam = sql("SELECT family FROM core.dim_item GROUP BY family ORDER BY count(*) DESC, family LIMIT 1")
r = get("/api/v1/items?" + q({"family": fam, "limit": 3}), VIEWER)
check("items: family filter count", r.meta["total_count"] == int(sql("SELECT count(*) FROM core.dim_item WHERE family='%s'" % fam)) and len(r.data) <= 3
      and all(x["family"] == fam for x in r.data), r.raw[:300])
r = get("/api/v1/items?abc_class=A&active=true", VIEWER)
check("items: abc_class + active filter", r.meta["total_count"] == int(sql("SELECT count(*) FROM core.dim_item WHERE abc_class='A' AND active")))
cat = sql("SELECT category FROM core.dim_item ORDER BY item_id LIMIT 1")
r = get("/api/v1/items?" + q({"category": cat}), VIEWER)
check("items: category filter", r.meta["total_count"] == int(sql("SELECT count(*) FROM core.dim_item WHERE category='%s'" % cat)))
sku = sql("SELECT sku FROM core.dim_item WHERE item_id = 2")
r = get("/api/v1/items?" + q({"q": sku[-5:].lower()}), VIEWER)
check("items: q matches sku case-insensitively", any(x["sku"] == sku for x in r.data), r.raw[:300])
r = get("/api/v1/items?sort=-unit_cost&limit=1", VIEWER)
check("items: sort=-unit_cost", r.data[0]["item_id"] == int(sql("SELECT item_id FROM core.dim_item ORDER BY unit_cost DESC, item_id LIMIT 1")))
r = get("/api/v1/items?limit=5&offset=5", VIEWER)
check("items: limit/offset page", [x["item_id"] for x in r.data] == [int(x) for x in sql("SELECT item_id FROM core.dim_item ORDER BY item_id LIMIT 5 OFFSET 5").split()])
r = get("/api/v1/items?offset=100000", VIEWER)
check("items: past the end is empty with the true total", r.data == [] and r.meta["total_count"] == int(sql("SELECT count(*) FROM core.dim_item")))
r = get("/api/v1/items/2", VIEWER)
row = sql("SELECT sku, name, unit_cost, criticality, extra_attributes::text FROM core.dim_item WHERE item_id=2").split("|")
check("items/{id}: values match SQL", r.status == 200 and r.data["sku"] == row[0] and r.data["name"] == row[1]
      and num(r.data["unit_cost"]) == num(row[2]) and r.data["criticality"] == int(row[3]) and r.data["extra_attributes"] == json.loads(row[4]), r.raw)
check("items/{id}: 404", get("/api/v1/items/999999", VIEWER).status == 404)
r = get("/api/v1/items/abc", VIEWER)
check("items/{id}: non-numeric id is 400 naming id", r.status == 400 and "id" in r.json["detail"])
r = get("/api/v1/items?format=csv&limit=3", VIEWER)
lines = r.raw.strip().split("\r\n")
check("items: ?format=csv", r.status == 200 and r.headers["content-type"].startswith("text/csv") and lines[0].startswith("item_id,sku,name") and len(lines) == 4, r.raw[:200])
r = get("/api/v1/items?limit=3", VIEWER, headers={"Accept": "text/csv"})
check("items: Accept: text/csv", r.headers["content-type"].startswith("text/csv") and len(r.raw.strip().split("\r\n")) == 4)

# ---------------------------------------------------------------- lookups
r = get("/api/v1/sites", VIEWER)
check("sites: all, with region names", r.meta["total_count"] == int(sql("SELECT count(*) FROM core.dim_site")) and all(x["region_name"] for x in r.data))
st = sql("SELECT site_type FROM core.dim_site ORDER BY site_id LIMIT 1")
r = get("/api/v1/sites?site_type=" + st, VIEWER)
check("sites: site_type filter", r.meta["total_count"] == int(sql("SELECT count(*) FROM core.dim_site WHERE site_type='%s'" % st)))
r = get("/api/v1/sites?region_id=1", VIEWER)
check("sites: region filter", r.meta["total_count"] == int(sql("SELECT count(*) FROM core.dim_site WHERE region_id=1")))
r = get("/api/v1/regions", VIEWER)
check("regions", r.meta["total_count"] == int(sql("SELECT count(*) FROM core.dim_region")) and r.data[0]["name"] == sql("SELECT name FROM core.dim_region ORDER BY region_id LIMIT 1"))
r = get("/api/v1/suppliers?supplier_type=IMPORT", VIEWER)
check("suppliers: type filter", r.meta["total_count"] == int(sql("SELECT count(*) FROM core.dim_supplier WHERE supplier_type='IMPORT'")) and all(x["supplier_type"] == "IMPORT" for x in r.data))

# ---------------------------------------------------------------- KPIs
r = get("/api/v1/analytics/kpis", VIEWER)
check("kpis: default is the last 90 days", r.status == 200 and r.meta["total_count"] == 90, r.raw[:300])
latest = sql("SELECT (current_date - 1)::text")
check("kpis: ends at the latest day, newest computation wins",
      r.data and r.data[-1]["full_date"] == latest and num(r.data[-1]["total_demand"]) == 1001 and num(r.data[-1]["avg_inventory_value"]) == 5001.5, r.data[-1:] if r.data else r.raw)
check("kpis: computed_at is UTC ISO 8601", r.data and r.data[0]["computed_at"] == "2026-01-02T02:00:00Z", r.data[:1])
s_, e_ = sql("SELECT (current_date - 10)::text || ' ' || (current_date - 6)::text").split()
r = get("/api/v1/analytics/kpis?start_date=%s&end_date=%s" % (s_, e_), VIEWER)
check("kpis: explicit range", [x["full_date"] for x in r.data] == sql("SELECT string_agg(d::date::text, ' ' ORDER BY d) FROM generate_series(current_date - 10, current_date - 6, interval '1 day') d").split()
      and sum(num(x["total_demand"]) for x in r.data) == sum(1000 + d for d in range(6, 11)))
r = get("/api/v1/analytics/kpis?start_date=2025-02-01&end_date=2025-01-01", VIEWER)
check("kpis: start after end is 400", r.status == 400 and "start_date" in r.json["detail"])

# ---------------------------------------------------------------- demand
s_, e_ = sql("SELECT (max(full_date) - 59)::text || ' ' || max(full_date)::text FROM core.fact_demand_daily").split()
r = get("/api/v1/demand/timeseries?item_id=1&start_date=%s&end_date=%s" % (s_, e_), VIEWER)
total = num(sql("SELECT coalesce(sum(quantity),0) FROM core.fact_demand_daily WHERE item_id=1 AND full_date BETWEEN '%s' AND '%s'" % (s_, e_)))
check("demand: one row per day (zero-filled)", r.status == 200 and len(r.data) == 60 and r.data[0]["full_date"] == s_ and r.data[-1]["full_date"] == e_, r.raw[:200])
check("demand: all sites summed", abs(sum(num(x["quantity"]) for x in r.data) - total) < 1e-6, (sum(num(x["quantity"]) for x in r.data), total))
day = sql("SELECT full_date FROM core.fact_demand_daily WHERE item_id=1 AND full_date BETWEEN '%s' AND '%s' GROUP BY full_date ORDER BY full_date LIMIT 1" % (s_, e_))
exp = num(sql("SELECT sum(quantity) FROM core.fact_demand_daily WHERE item_id=1 AND full_date='%s'" % day))
check("demand: a day's value is the sum over sites", any(x["full_date"] == day and num(x["quantity"]) == exp for x in r.data))
zero_days = int(sql("SELECT 60 - count(DISTINCT full_date) FROM core.fact_demand_daily WHERE item_id=1 AND full_date BETWEEN '%s' AND '%s'" % (s_, e_)))
check("demand: days without rows are 0", sum(1 for x in r.data if num(x["quantity"]) == 0) >= zero_days)
r = get("/api/v1/demand/timeseries?item_id=1&site_id=2&start_date=%s&end_date=%s" % (s_, e_), VIEWER)
check("demand: one site", abs(sum(num(x["quantity"]) for x in r.data) - num(sql("SELECT coalesce(sum(quantity),0) FROM core.fact_demand_daily WHERE item_id=1 AND site_id=2 AND full_date BETWEEN '%s' AND '%s'" % (s_, e_)))) < 1e-6)
for g in ("week", "month"):
    r = get("/api/v1/demand/timeseries?item_id=1&granularity=%s&start_date=%s&end_date=%s" % (g, s_, e_), VIEWER)
    buckets = sql("SELECT count(DISTINCT date_trunc('%s', d)) FROM generate_series('%s'::date, '%s'::date, interval '1 day') d" % (g, s_, e_))
    check("demand: granularity=%s keeps the total and buckets" % g, len(r.data) == int(buckets) and abs(sum(num(x["quantity"]) for x in r.data) - total) < 1e-6, r.raw[:200])
# Bucket by bucket, the text PostgreSQL gives for the series zero-filled in SQL (the statement
# the server used before it filled the buckets itself): windows starting mid-week and
# mid-month, every filter combination, JSON and CSV.
w0 = sql("SELECT (max(full_date) - 75)::text FROM core.fact_demand_daily")
for flt, g in (("item_id=1", "day"), ("item_id=1", "week"), ("item_id=1", "month"), ("item_id=1&site_id=2", "week"),
             ("site_id=2", "month"), ("", "day"), ("", "week"), ("item_id=2&site_id=1", "day")):
    where = "".join(" AND f.%s = %s" % tuple(kv.split("=")) for kv in flt.split("&") if kv)
    ref = sql("SELECT string_agg(b || '=' || v, ' ' ORDER BY b) FROM (SELECT date_trunc('%s', d)::date::text AS b,"
              " coalesce(sum(f.quantity), 0)::numeric(18,4)::text AS v FROM generate_series('%s'::date, '%s'::date, interval '1 day') d"
              " LEFT JOIN core.fact_demand_daily f ON f.full_date = d::date%s GROUP BY 1) x" % (g, w0, e_, where))
    r = get("/api/v1/demand/timeseries?%s&granularity=%s&start_date=%s&end_date=%s" % (flt, g, w0, e_), VIEWER)
    got = " ".join("%s=%s" % m for m in re.findall(r'"full_date":"([0-9-]+)","quantity":([0-9.]+)', r.raw))
    rc = get("/api/v1/demand/timeseries?%s&granularity=%s&start_date=%s&end_date=%s&format=csv" % (flt, g, w0, e_), VIEWER)
    got_csv = " ".join(l.replace(",", "=") for l in rc.raw.split("\r\n")[1:] if l)
    check("demand %s by %s: every bucket as PostgreSQL zero-fills it, JSON and CSV" % (flt or "(all)", g),
          r.status == 200 and got == ref and got_csv == ref and r.meta["total_count"] == len(ref.split()), (got[:200], ref[:200], got_csv[:200]))
r = get("/api/v1/demand/timeseries?item_id=1", VIEWER)
check("demand: default window is 90 days ending at the latest data", len(r.data) == 90 and r.meta["end_date"] == e_, r.meta)
check("demand: unknown item is 404", get("/api/v1/demand/timeseries?item_id=999999", VIEWER).status == 404)
check("demand: unknown site is 404", get("/api/v1/demand/timeseries?item_id=1&site_id=999999", VIEWER).status == 404)
r = get("/api/v1/demand/timeseries?start_date=%s&end_date=%s" % (s_, e_), VIEWER)
all_total = num(sql("SELECT coalesce(sum(quantity),0) FROM core.fact_demand_daily WHERE full_date BETWEEN '%s' AND '%s'" % (s_, e_)))
check("demand without item_id: every item summed, zero-filled", r.status == 200 and len(r.data) == 60 and r.meta["item_id"] is None
      and abs(sum(num(x["quantity"]) for x in r.data) - all_total) < 1e-6, (r.status, r.meta, all_total))
exp = num(sql("SELECT sum(quantity) FROM core.fact_demand_daily WHERE site_id = 2 AND full_date = '%s'" % day))
r = get("/api/v1/demand/timeseries?site_id=2&start_date=%s&end_date=%s" % (day, day), VIEWER)
check("demand without item_id, one site: a day's value is the sum over items", r.status == 200 and num(r.data[0]["quantity"]) == exp, (r.raw[:200], exp))

# ---------------------------------------------------------------- inventory
d1 = sql("SELECT (current_date - 1)::text")
r = get("/api/v1/inventory/timeseries?item_id=1&site_id=1&start_date=%s&end_date=%s" % (d1, d1), VIEWER)
stock = num(sql("SELECT current_stock FROM core.fact_inventory_daily WHERE item_id=1 AND site_id=1 AND full_date='%s'" % d1))
check("inventory: stock, safety stock, reorder point, days to rupture", r.status == 200 and len(r.data) == 1 and num(r.data[0]["current_stock"]) == stock
      and num(r.data[0]["safety_stock"]) == 12.5 and num(r.data[0]["reorder_point"]) == 30 and r.data[0]["days_to_rupture"] == 4, r.raw[:300])
r = get("/api/v1/inventory/timeseries?item_id=1&start_date=%s&end_date=%s" % (s_, e_), VIEWER)
check("inventory: without site_id, one row per site and day", len(r.data) == int(sql("SELECT count(*) FROM core.fact_inventory_daily WHERE item_id=1 AND full_date BETWEEN '%s' AND '%s'" % (s_, e_))))

r = get("/api/v1/inventory/timeseries?item_id=1&site_id=1", VIEWER)
pol = r.meta.get("policy") or [{}]
inv_day = sql("SELECT max(full_date)::text FROM core.fact_inventory_daily")
check("inventory: the latest run's policy per site in metadata",
      len(pol) == 1 and pol[0]["site_id"] == 1 and num(pol[0]["safety_stock"]) == 13 and num(pol[0]["reorder_point"]) == 23
      and pol[0]["days_to_rupture"] == 2 and num(pol[0]["lead_time_days"]) == 6 and num(pol[0]["service_level"]) == 0.95, r.meta)
pr = r.meta.get("policy_run") or {}
check("inventory: policy_run names the latest published run",
      pr.get("run_id") == 2 and pr.get("as_of") == sql("SELECT as_of::text FROM analytics.pipeline_runs WHERE run_id=2")
      and pr.get("published_at", "").endswith("Z"), r.meta)
r = get("/api/v1/inventory/timeseries?item_id=7", VIEWER)
check("inventory: without site_id, one policy per site (null days to rupture kept)",
      [(x["site_id"], num(x["safety_stock"]), x["days_to_rupture"]) for x in r.meta["policy"]] == [(1, 73, None), (2, 74, None), (3, 75, None)], r.meta)

# The latest inventory day's active pairs, computed here from raw rows.
pairs = []
for line in sql("SELECT v.site_id, s.code, coalesce(i.abc_class, ''), v.item_id, i.sku, v.current_stock, p.avg_daily_demand,"
                " coalesce(p.days_to_rupture::text, ''), p.lead_time_days, coalesce(i.unit_cost, 0), coalesce(i.criticality, 0), coalesce(p.on_order, 0)"
                " FROM core.fact_inventory_daily v JOIN core.dim_item i USING (item_id) JOIN core.dim_site s USING (site_id)"
                " LEFT JOIN analytics.inventory_policy p ON p.run_id = 2 AND p.item_id = v.item_id AND p.site_id = v.site_id"
                " WHERE v.full_date = '%s' AND i.active AND s.active" % inv_day).splitlines():
    site, code, abc, item, sku, stock, add_, dtr, lead, cost, crit, on_order = line.split("|")
    # Money at stake, exactly as NUMERIC: max(lead x daily demand - stock - on order, 0) x cost x (0.5 + crit/10).
    D = decimal.Decimal
    stake = max(D(lead or 0) * D(add_ or 0) - D(stock) - D(on_order), D(0)) * D(cost) * (D("0.5") + D(min(max(int(crit), 0), 10)) / 10)
    stock, add_, lead, cost = float(stock), float(add_), float(lead), float(cost)
    dtr = int(dtr) if dtr else None
    pairs.append(dict(site=int(site), abc=abc or None, item=int(item), sku=sku, stock=stock, value=stock * cost,
                      cover=stock / add_ if add_ else None, stockout=stock == 0,
                      at_risk=stock > 0 and dtr is not None and dtr < lead, dtr=dtr, stake=stake))


def median(v):
    v = sorted(v)
    n = len(v)
    return None if not n else (v[n // 2] if n % 2 else (v[n // 2 - 1] + v[n // 2]) / 2)


def r1(x):
    import decimal
    return None if x is None else float(decimal.Decimal(repr(x)).quantize(decimal.Decimal("0.1"), decimal.ROUND_HALF_UP))


expect = {}
for p_ in pairs:
    expect.setdefault((p_["site"], p_["abc"]), []).append(p_)
r = get("/api/v1/inventory/health", VIEWER)
got = {(x["site_id"], x["abc_class"]): x for x in (r.data or [])}
bad = []
for key, ps in expect.items():
    x = got.get(key, {})
    covers = [p_["cover"] for p_ in ps if p_["cover"] is not None]
    want = (len(ps), sum(p_["at_risk"] for p_ in ps), sum(p_["stockout"] for p_ in ps),
            r1(median(covers)), r1(sum(covers) / len(covers) if covers else None), round(sum(p_["value"] for p_ in ps), 2))
    have = (x.get("items"), x.get("at_risk"), x.get("stockouts"), num(x.get("median_coverage_days")),
            num(x.get("avg_coverage_days")), num(x.get("inventory_value")))
    if any(w != h and not (isinstance(w, float) and h is not None and abs(w - h) <= 0.051) for w, h in zip(want, have)):
        bad.append((key, want, have))
check("inventory/health: items, at risk, stockouts, median/avg coverage, value per site x ABC class equal SQL",
      r.status == 200 and set(got) == set(expect) and not bad and r.meta["total_count"] == len(expect), bad or r.raw[:300])
check("inventory/health: metadata says the day and the policy's run",
      r.meta.get("date") == inv_day and (r.meta.get("policy_run") or {}).get("run_id") == 2, r.meta)
check("inventory/health: the fixture has stockouts and items at risk",
      sum(x["stockouts"] for x in r.data) == sum(p_["stockout"] for p_ in pairs) >= 2 and sum(x["at_risk"] for x in r.data) == sum(p_["at_risk"] for p_ in pairs) > 0)
r = get("/api/v1/inventory/health?site_id=1&abc_class=A", VIEWER)
check("inventory/health: site and class filters", [(x["site_id"], x["abc_class"]) for x in r.data] == ([(1, "A")] if (1, "A") in expect else []), r.raw[:200])
r = get("/api/v1/inventory/health?format=csv", VIEWER)
check("inventory/health: CSV", r.headers["content-type"].startswith("text/csv") and r.raw.startswith("site_id,site_code,site_name,abc_class,items,at_risk,stockouts,")
      and len(r.raw.strip().split("\r\n")) == len(expect) + 1, r.raw[:200])

r = get("/api/v1/inventory/snapshot?limit=1000", VIEWER)
order = sorted(pairs, key=lambda p_: (p_["dtr"] is None, p_["dtr"] or 0, -p_["stake"], p_["item"], p_["site"]))
check("inventory/snapshot: every active pair of the latest day, most urgent first, ties by money at stake",
      r.status == 200 and r.meta["total_count"] == len(pairs) and [(x["item_id"], x["site_id"]) for x in r.data] == [(p_["item"], p_["site"]) for p_ in order]
      and r.meta["sort"] == "days_to_rupture" and all(x["full_date"] == inv_day for x in r.data), r.raw[:300])
bad = [(x["item_id"], x["site_id"], x.get("money_at_stake"), str(p_["stake"])) for x, p_ in zip(r.data, order)
       if decimal.Decimal(str(x.get("money_at_stake"))) != p_["stake"].quantize(decimal.Decimal("0.01"), decimal.ROUND_HALF_UP)]
check("inventory/snapshot: each row's money_at_stake, to the cent", r.data and not bad, bad[:5])
ties = [(a["item"], a["site"], b["item"], b["site"]) for a, b in zip(order, order[1:])
        if a["dtr"] is not None and a["dtr"] == b["dtr"] and a["stake"] > b["stake"] and (a["item"], a["site"]) > (b["item"], b["site"])]
check("inventory/snapshot: the fixture has a tie in days to rupture that money at stake orders against item and site", ties, order[:10])
r = get("/api/v1/inventory/snapshot?sort=-days_to_rupture&limit=1000", VIEWER)
down = sorted(pairs, key=lambda p_: (p_["dtr"] is not None, -(p_["dtr"] or 0), -p_["stake"], p_["item"], p_["site"]))
check("inventory/snapshot: -days_to_rupture, ties by money at stake too",
      [(x["item_id"], x["site_id"]) for x in r.data] == [(p_["item"], p_["site"]) for p_ in down], r.raw[:300])
r = get("/api/v1/inventory/snapshot?limit=1000", VIEWER)
x = next((x for x in r.data if x["item_id"] == 1 and x["site_id"] == 1), {})
p11 = next(p_ for p_ in pairs if p_["item"] == 1 and p_["site"] == 1)
check("inventory/snapshot: a row's stock, policy, coverage and value",
      num(x.get("current_stock")) == p11["stock"] and num(x.get("safety_stock")) == 13 and num(x.get("reorder_point")) == 23
      and x.get("days_to_rupture") == 2 and abs(num(x.get("coverage_days")) - r1(p11["cover"])) < 0.051 and abs(num(x.get("stock_value")) - p11["value"]) < 0.006
      and x.get("at_risk") is True and x.get("stockout") is False, x)
r = get("/api/v1/inventory/snapshot?at_risk=true&limit=1000", VIEWER)
check("inventory/snapshot: at_risk=true", r.meta["total_count"] == sum(p_["at_risk"] for p_ in pairs) and all(x["at_risk"] for x in r.data))
r = get("/api/v1/inventory/snapshot?stockout=true", VIEWER)
check("inventory/snapshot: stockout=true", sorted((x["item_id"], x["site_id"]) for x in r.data) == sorted((p_["item"], p_["site"]) for p_ in pairs if p_["stockout"])
      and (2, 1) in [(x["item_id"], x["site_id"]) for x in r.data], r.raw[:300])
r = get("/api/v1/inventory/snapshot?site_id=2&abc_class=B&sort=-stock_value&limit=3&offset=1", VIEWER)
want = sorted((p_ for p_ in pairs if p_["site"] == 2 and p_["abc"] == "B"), key=lambda p_: (-p_["value"], p_["item"]))
check("inventory/snapshot: filters, sort and a page",
      r.meta["total_count"] == len(want) and [x["item_id"] for x in r.data] == [p_["item"] for p_ in want[1:4]], (r.raw[:300], [p_["item"] for p_ in want]))
# A page sorted by coverage (computed for every row to sort; the page's shown values computed
# again for its rows only): PostgreSQL puts null coverage first when descending.
r = get("/api/v1/inventory/snapshot?sort=-coverage_days&limit=4&offset=2", VIEWER)
want = sorted(pairs, key=lambda p_: (p_["cover"] is not None, -(p_["cover"] or 0), p_["item"], p_["site"]))[2:6]
check("inventory/snapshot: a page sorted by coverage, with each row's coverage and value",
      r.meta["total_count"] == len(pairs) and [(x["item_id"], x["site_id"]) for x in r.data] == [(p_["item"], p_["site"]) for p_ in want]
      and all((x["coverage_days"] is None) == (p_["cover"] is None) and (p_["cover"] is None or abs(num(x["coverage_days"]) - r1(p_["cover"])) < 0.051)
              and abs(num(x["stock_value"]) - p_["value"]) < 0.006 for x, p_ in zip(r.data, want)), (r.raw[:300], want))
r = get("/api/v1/inventory/snapshot?item_ids=7,1&sort=sku", VIEWER)
check("inventory/snapshot: item_ids keeps those items only",
      sorted((x["item_id"], x["site_id"]) for x in r.data) == sorted((p_["item"], p_["site"]) for p_ in pairs if p_["item"] in (1, 7)), r.raw[:300])
r = get("/api/v1/inventory/snapshot?format=csv&limit=1000", VIEWER)
lines = r.raw.strip().split("\r\n")
check("inventory/snapshot: CSV of the same rows", r.headers["content-type"].startswith("text/csv") and lines[0].startswith("full_date,item_id,sku,")
      and len(lines) == len(pairs) + 1, r.raw[:200])
hdr = lines[0].split(",")
flags = {row.split(",")[hdr.index("stockout")] for row in lines[1:]} | {row.split(",")[hdr.index("at_risk")] for row in lines[1:]}
check("CSV booleans read true/false, not t/f", flags and flags <= {"true", "false"}, flags)
s9 = get("/api/v1/inventory/snapshot?format=csv&limit=5000", VIEWER).raw.strip().split("\r\n")
check("and so in a streamed export", {row.split(",")[hdr.index("stockout")] for row in s9[1:]} <= {"true", "false"}, s9[1:3])

# ---------------------------------------------------------------- forecasts
r = get("/api/v1/forecasts?item_id=1&site_id=1", VIEWER)
check("forecasts: only the latest published run", r.status == 200 and r.meta["total_count"] == 30 and all(x["model_tag"] == "ets_v1" for x in r.data), r.raw[:300])
check("forecasts: computed_at in metadata", r.meta["computed_at"] == "2026-01-02T02:00:00Z" and r.meta["run_id"] == 2, r.meta)
f0 = r.data[0]
check("forecasts: values (80% and 95% bands)", f0["horizon_days"] == 1 and num(f0["yhat"]) == 10 + 1 + 0.5 + 2 and num(f0["yhat_lower"]) == 11.5
      and num(f0["yhat_upper"]) == 15.5 and num(f0["yhat_lower_95"]) == 10.5 and num(f0["yhat_upper_95"]) == 16.5, f0)
acc = r.meta.get("accuracy") or {}
check("forecasts: backtest accuracy of the series, as ratios, from the latest run",
      acc.get("mape") == 0.125 and acc.get("wape") == 0.1 and acc.get("bias") == -1.5 and acc.get("mase") == 0.8
      and acc.get("n_points") == 270 and acc.get("model_tag") == "ets_AAN@run2", r.meta)
acc = get("/api/v1/forecasts?item_id=1", VIEWER).meta.get("accuracy") or {}
check("forecasts: without site_id, accuracy is the mean over the item's sites",
      acc.get("mape") == 0.15 and acc.get("wape") == 0.15 and acc.get("n_points") == 540, acc)
check("forecasts: no accuracy for an item without backtest rows", get("/api/v1/forecasts?item_id=3", VIEWER).meta.get("accuracy", "absent") is None)
# The run, its accuracy and the page are one statement: an empty page still carries them.
r2 = get("/api/v1/forecasts?item_id=1&site_id=1&offset=1000", VIEWER)
check("forecasts: past the end, no rows but the total, run and accuracy", r2.status == 200 and r2.data == []
      and r2.meta["total_count"] == 30 and r2.meta["count"] == 0 and r2.meta["run_id"] == 2
      and r2.meta["computed_at"] == r.meta["computed_at"] and r2.meta["accuracy"] == r.meta["accuracy"], r2.meta)
r2 = get("/api/v1/forecasts?item_id=1&site_id=1&offset=1000&format=csv", VIEWER)
raw = r2.raw if isinstance(r2.raw, str) else r2.raw.decode()
check("forecasts: past the end as CSV, the header row only", r2.status == 200 and raw.count("\r\n") == 1
      and raw.startswith("full_date,item_id,site_id,horizon_days,yhat,") and "h_run_id" not in raw, raw[:200])
r = get("/api/v1/forecasts?horizon=7", VIEWER)
check("forecasts: no accuracy without item_id", "accuracy" not in r.meta, r.meta)
check("forecasts: horizon=H keeps horizon_days <= H", r.meta["total_count"] == 7 * 3 * 2 and max(x["horizon_days"] for x in r.data) == 7)
r = get("/api/v1/forecasts?item_id=2&start_date=" + sql("SELECT (current_date + 25)::text"), VIEWER)
check("forecasts: start_date", r.meta["total_count"] == 6 * 2)
latest_run = sql("SELECT run_id FROM analytics.pipeline_runs WHERE status = 'SUCCEEDED' ORDER BY finished_at DESC NULLS LAST, run_id DESC LIMIT 1")
want = sql("SELECT string_agg(full_date || '=' || sum_y || '/' || sum_l || '/' || sum_u || '/' || n, ',' ORDER BY full_date) FROM ("
           " SELECT full_date, sum(yhat)::numeric(18,4) sum_y, sum(yhat_lower)::numeric(18,4) sum_l, sum(yhat_upper)::numeric(18,4) sum_u, count(*) n"
           " FROM analytics.forecasts WHERE run_id = %s AND site_id = 1 AND horizon_days <= 10 GROUP BY full_date) x" % latest_run)
r = get("/api/v1/forecasts/total?site_id=1&horizon=10", VIEWER)
got = ",".join("%s=%.4f/%.4f/%.4f/%d" % (x["full_date"], num(x["yhat"]), num(x["yhat_lower"]), num(x["yhat_upper"]), x["series"]) for x in r.data)
check("forecasts/total: the latest run summed per day, exactly as SQL", r.status == 200 and got == want and str(r.meta["run_id"]) == latest_run
      and r.meta["site_id"] == 1 and r.meta["horizon"] == 10, (got[:200], want[:200], r.meta))
r = get("/api/v1/forecasts/total", VIEWER)
check("forecasts/total: all sites by default", r.status == 200 and len(r.data) > 0 and r.meta["site_id"] is None
      and sum(x["series"] for x in r.data) == int(sql("SELECT count(*) FROM analytics.forecasts WHERE run_id = %s" % latest_run)))
check("forecasts/total: bad horizon is 400 naming it", get("/api/v1/forecasts/total?horizon=0", VIEWER).status == 400)
r = get("/api/v1/forecasts/total?format=csv", VIEWER)
check("forecasts/total: CSV", r.status == 200 and (r.raw if isinstance(r.raw, str) else r.raw.decode()).startswith("full_date,yhat,yhat_lower,yhat_upper,series"), (r.status, r.raw[:80]))

# ---------------------------------------------------------------- features
r = get("/api/v1/features?item_id=1&site_id=1", VIEWER)
check("features: latest computation per day", r.status == 200 and r.meta["total_count"] == 10 and r.data[-1]["features"]["lag_7d"] == 201
      and r.data[-1]["features"]["name"] == "ção" and r.data[0]["schema_version"] == "v1.0", r.raw[:300])
r = get("/api/v1/features?item_id=1&start_date=" + sql("SELECT (current_date - 3)::text"), VIEWER)
check("features: start_date", r.meta["total_count"] == 3)

# ---------------------------------------------------------------- recommendations
r = get("/api/v1/recommendations", VIEWER)
check("recommendations: all, most urgent first", r.meta["total_count"] == 6 and r.data[0]["priority"] == "CRITICAL" and r.data[-1]["priority"] == "LOW", r.raw[:300])
r = get("/api/v1/recommendations?priority=HIGH&type=REORDER", VIEWER)
check("recommendations: priority + type", r.meta["total_count"] == 1 and r.data[0]["item_id"] == 2)
r = get("/api/v1/recommendations?site_id=3", VIEWER)
check("recommendations: site filter", r.meta["total_count"] == 2)
rid = int(sql("SELECT recommendation_id FROM analytics.recommendations WHERE item_id=1"))
r = req("PATCH", "/api/v1/recommendations/%d/acknowledge" % rid, VIEWER)
check("recommendations: VIEWER cannot acknowledge (403)", r.status == 403)
r = req("PATCH", "/api/v1/recommendations/%d/acknowledge" % rid, ANALYST, body={"acknowledged_by": "someone@else"})
check("recommendations: ANALYST acknowledges as themself", r.status == 200 and r.data["acknowledged_by"] == "analyst" and r.data["acknowledged_at"], r.raw)
check("recommendations: acknowledgement stored", sql("SELECT acknowledged_by FROM analytics.recommendations WHERE recommendation_id=%d" % rid) == "analyst")
check("recommendations: audited", sql("SELECT count(*) FROM support.audit_logs WHERE action='RECOMMENDATION_ACKNOWLEDGE' AND entity_id=%d AND actor='analyst'" % rid) == "1")
r = req("PATCH", "/api/v1/recommendations/%d/acknowledge" % rid, ANALYST)
check("recommendations: second acknowledge is 409", r.status == 409)
check("recommendations: unknown id is 404", req("PATCH", "/api/v1/recommendations/999999/acknowledge", ADMIN).status == 404)
r = get("/api/v1/recommendations?acknowledged=false", VIEWER)
check("recommendations: acknowledged=false (cache dropped by the write)", r.meta["total_count"] == 5)

# ---------------------------------------------------------------- alerts
r = get("/api/v1/alerts?unread=true", VIEWER)
check("alerts: unread", r.meta["total_count"] == 3 and r.data[0]["level"] == "CRITICAL")
r = get("/api/v1/alerts?level=WARNING", VIEWER)
check("alerts: level", r.meta["total_count"] == 2)
r = get("/api/v1/alerts?category=STOCKOUT_IMMINENT", VIEWER)
check("alerts: category", r.meta["total_count"] == 1 and r.data[0]["item_id"] == 1)
aid = int(sql("SELECT alert_id FROM analytics.alerts WHERE item_id=1"))
check("alerts: VIEWER cannot mark read", req("PATCH", "/api/v1/alerts/%d/mark-read" % aid, VIEWER).status == 403)
r = req("PATCH", "/api/v1/alerts/%d/mark-read" % aid, ANALYST)
check("alerts: mark-read", r.status == 200 and r.data["read_at"] and sql("SELECT read_at IS NOT NULL FROM analytics.alerts WHERE alert_id=%d" % aid) == "t")
first_read = sql("SELECT read_at FROM analytics.alerts WHERE alert_id=%d" % aid)
r = req("PATCH", "/api/v1/alerts/%d/mark-read" % aid, ANALYST)
check("alerts: mark-read is idempotent", r.status == 200 and sql("SELECT read_at FROM analytics.alerts WHERE alert_id=%d" % aid) == first_read)
r = req("PATCH", "/api/v1/alerts/%d/resolve" % aid, ADMIN)
check("alerts: resolve", r.status == 200 and r.data["resolved_at"])
check("alerts: resolve twice is 409", req("PATCH", "/api/v1/alerts/%d/resolve" % aid, ANALYST).status == 409)
check("alerts: 404", req("PATCH", "/api/v1/alerts/999999/resolve", ANALYST).status == 404)
check("alerts: writes audited", sql("SELECT count(*) FROM support.audit_logs WHERE entity_type='alert' AND entity_id=%d" % aid) == "3")
check("alerts: unread count follows the write", get("/api/v1/alerts?unread=true", VIEWER).meta["total_count"] == 2)

# ---------------------------------------------------------------- bad parameters
BAD = [
    ("/api/v1/items?limit=0", "limit"), ("/api/v1/items?limit=1001", "limit"), ("/api/v1/items?limit=-5", "limit"),
    ("/api/v1/items?limit=abc", "limit"), ("/api/v1/items?offset=-1", "offset"), ("/api/v1/items?abc_class=Z", "abc_class"),
    ("/api/v1/items?active=maybe", "active"), ("/api/v1/items?sort=password", "sort"), ("/api/v1/items?format=xml", "format"),
    ("/api/v1/sites?site_type=MALL", "site_type"), ("/api/v1/sites?region_id=x", "region_id"),
    ("/api/v1/suppliers?supplier_type=ALIEN", "supplier_type"), ("/api/v1/analytics/kpis?start_date=2024-13-01", "start_date"),
    ("/api/v1/analytics/kpis?end_date=2024-02-30", "end_date"), ("/api/v1/analytics/kpis?start_date=01/02/2024", "start_date"),
    ("/api/v1/demand/timeseries?item_id=abc", "item_id"), ("/api/v1/demand/timeseries?item_id=1&granularity=hour", "granularity"),
    ("/api/v1/demand/timeseries?item_id=1&site_id=-2", "site_id"), ("/api/v1/demand/timeseries?item_id=1&start_date=1900-01-01&end_date=2024-01-01", "start_date"),
    ("/api/v1/inventory/timeseries?item_id=1&end_date=yesterday", "end_date"), ("/api/v1/forecasts?horizon=0", "horizon"),
    ("/api/v1/forecasts?horizon=abc", "horizon"), ("/api/v1/forecasts?item_id=1.5", "item_id"), ("/api/v1/features?start_date=2024-1-1", "start_date"),
    ("/api/v1/recommendations?priority=URGENT", "priority"), ("/api/v1/recommendations?type=BUY", "type"),
    ("/api/v1/recommendations?acknowledged=yes", "acknowledged"), ("/api/v1/alerts?level=BAD", "level"), ("/api/v1/alerts?unread=2", "unread"),
    ("/api/v1/admin/users?role=ROOT", "role"), ("/api/v1/admin/audit-logs?from=2024-99-01", "from"), ("/api/v1/admin/audit-logs?to=x", "to"),
    ("/api/v1/items?limit=99999999999999999999999", "limit"),
    ("/api/v1/demand/timeseries?item_id=1&end_date=0001-01-02", "start_date"),
    ("/api/v1/inventory/timeseries?item_id=1&end_date=0001-01-02", "start_date"),
    ("/api/v1/inventory/health?abc_class=D", "abc_class"), ("/api/v1/inventory/health?site_id=x", "site_id"),
    ("/api/v1/inventory/snapshot?at_risk=maybe", "at_risk"), ("/api/v1/inventory/snapshot?stockout=2", "stockout"),
    ("/api/v1/inventory/snapshot?sort=password", "sort"), ("/api/v1/inventory/snapshot?item_ids=1,x", "item_ids"),
    ("/api/v1/inventory/snapshot?item_ids=0", "item_ids"), ("/api/v1/inventory/snapshot?item_ids=1,,2", "item_ids"), ("/api/v1/inventory/snapshot?limit=1001", "limit"),
]
bad_out = []
for path, name in BAD:
    r = get(path, ADMIN)
    if not (r.status == 400 and r.json and r.json["status"] == "error" and name in r.json["detail"]):
        bad_out.append((path, r.status, r.raw[:120]))
check("every bad parameter is a 400 naming it (%d cases)" % len(BAD), not bad_out, bad_out)
r = get("/api/v1/items?limit=0&abc_class=Q&offset=x", VIEWER)
check("one 400 names all bad parameters", r.status == 400 and all(n in r.json["detail"] for n in ("limit", "abc_class", "offset")))


def raw_reply(path, token):
    """Status, headers and the body's bytes, undecoded (Resp decodes leniently)."""
    c = http.client.HTTPConnection(HOST, PORT, timeout=30)
    c.request("GET", path, headers={"Authorization": "Bearer " + token})
    r = c.getresponse()
    out = (r.status, {k.lower(): v for k, v in r.getheaders()}, r.read())
    c.close()
    return out


# A bad format is reported as every other bad parameter is: valid UTF-8 (each invalid byte and
# NUL a '?'), never cut short.
FORMAT_CASES = [("invalid UTF-8", "%ff%fe%c3%28x", "???(x"), ("NUL", "cs%00v-then-more", "cs?v-then-more"),
                ("overlong and surrogate", "%c0%af%ed%a0%80", "?????"), ("NUL first", "%00", "?")]
bad_format = []
for name, value, shown in FORMAT_CASES:
    for path in ("/api/v1/items?format=", "/api/v1/auth/me?format="):
        st, h, body = raw_reply(path + value, VIEWER)
        try:
            j = json.loads(body.decode("utf-8"))  # strict: invalid UTF-8 raises
        except ValueError as e:
            bad_format.append((name, path, st, repr(body[:120]), str(e)))
            continue
        want = 'format must be one of json, csv, got "%s"' % shown
        if st != 400 or j.get("error") != "invalid_parameter" or j.get("detail") != want or h.get("x-invalid-parameters") != "format":
            bad_format.append((name, path, st, j, h.get("x-invalid-parameters")))
check("a bad format (invalid UTF-8, NUL) is a 400 in valid UTF-8 naming it, whole (%d cases)" % (2 * len(FORMAT_CASES)),
      not bad_format, bad_format)
st, h, body = raw_reply("/api/v1/no%ff%fe%00such", VIEWER)
try:
    j = json.loads(body.decode("utf-8"))
except ValueError:
    j = {}
check("an unknown path with invalid UTF-8 and NUL: 404 in valid UTF-8", st == 404 and j.get("detail") == "no route for /api/v1/no???such", body[:120])

# ---------------------------------------------------------------- roles
VIEWER_OK = ["/api/v1/items", "/api/v1/sites", "/api/v1/regions", "/api/v1/suppliers", "/api/v1/analytics/kpis", "/api/v1/forecasts",
             "/api/v1/features", "/api/v1/recommendations", "/api/v1/alerts", "/api/v1/auth/me", "/api/v1/demand/timeseries?item_id=1",
             "/api/v1/inventory/timeseries?item_id=1", "/api/v1/inventory/health", "/api/v1/inventory/snapshot"]
res = {p: [get(p, t).status for t in (VIEWER, ANALYST, ADMIN)] for p in VIEWER_OK}
check("every role reads every data endpoint", all(v == [200, 200, 200] for v in res.values()), res)
res = {p: get(p).status for p in VIEWER_OK}
check("no token: 401 everywhere", all(v == 401 for v in res.values()), res)
r = get("/api/v1/items")
check("401 carries WWW-Authenticate", r.headers.get("www-authenticate", "").startswith("Bearer"))
for path in ("/api/v1/admin/users", "/api/v1/admin/audit-logs"):
    check("%s: VIEWER 403, ANALYST 403, ADMIN 200" % path, [get(path, t).status for t in (VIEWER, ANALYST, ADMIN)] == [403, 403, 200])
check("POST /admin/users forbidden to ANALYST", req("POST", "/api/v1/admin/users", ANALYST, body={}).status == 403)
check("PATCH /admin/users forbidden to VIEWER", req("PATCH", "/api/v1/admin/users/1", VIEWER, body={"role": "ADMIN"}).status == 403)
check("PATCH resolve forbidden to VIEWER", req("PATCH", "/api/v1/alerts/1/resolve", VIEWER).status == 403)
check("admin reads are audited", int(sql("SELECT count(*) FROM support.audit_logs WHERE action IN ('ADMIN_USERS_READ','ADMIN_AUDIT_READ') AND actor='admin'")) >= 2)

# ---------------------------------------------------------------- admin
r = get("/api/v1/admin/users", ADMIN)
check("admin/users lists users without hashes", r.meta["total_count"] == int(sql("SELECT count(*) FROM support.users")) and "argon2" not in r.raw)
r = req("POST", "/api/v1/admin/users", ADMIN, body={"username": "maria", "password": "short", "role": "VIEWER"})
check("create user: weak password is 400", r.status == 400 and "password" in r.json["detail"])
r = req("POST", "/api/v1/admin/users", ADMIN, body={"username": "maria", "password": "Tr0ub4dor-and-3", "role": "KING"})
check("create user: unknown role is 400", r.status == 400 and "role" in r.json["detail"])
r = req("POST", "/api/v1/admin/users", ADMIN, body={"username": "x'; DROP", "password": "Tr0ub4dor-and-3", "role": "VIEWER"})
check("create user: bad username is 400", r.status == 400 and "username" in r.json["detail"])
r = req("POST", "/api/v1/admin/users", ADMIN, body={"username": "maria", "password": "Tr0ub4dor-and-3", "role": "VIEWER", "email": "maria@example.com"})
check("create user: 201", r.status == 201 and r.data["username"] == "maria" and r.data["role"] == "VIEWER", r.raw)
uid = r.data["user_id"] if r.status == 201 else 0
check("create user: stored with argon2id", sql("SELECT password_hash LIKE '$argon2id$%' FROM support.users WHERE username='maria'") == "t")
check("create user: audited", sql("SELECT count(*) FROM support.audit_logs WHERE action='USER_CREATE' AND entity_id=%d" % uid) == "1")
check("create user: duplicate is 409", req("POST", "/api/v1/admin/users", ADMIN, body={"username": "maria", "password": "Tr0ub4dor-and-3", "role": "VIEWER"}).status == 409)
r = login("maria", "Tr0ub4dor-and-3")
check("new user logs in", r.status == 200 and r.data["role"] == "VIEWER")
maria_old = r.data["access_token"] if r.status == 200 else ""
check("her token works", get("/api/v1/auth/me", maria_old).status == 200)
r = req("PATCH", "/api/v1/admin/users/%d" % uid, ADMIN, body={"role": "ANALYST"})
check("patch role", r.status == 200 and r.data["role"] == "ANALYST" and sql("SELECT role FROM support.users WHERE user_id=%d" % uid) == "ANALYST")
r = get("/api/v1/auth/me", maria_old)
check("a token issued before a role change is refused", r.status == 401 and "log in again" in r.json["detail"], r.raw)
r = login("maria", "Tr0ub4dor-and-3")
maria_new = r.data["access_token"] if r.status == 200 else ""
check("a new login carries the new role", r.status == 200 and r.data["role"] == "ANALYST" and get("/api/v1/auth/me", maria_new).status == 200)
r = req("PATCH", "/api/v1/admin/users/%d" % uid, ADMIN, body={"password": "New-Secret-Phrase-9"})
check("password reset", r.status == 200 and login("maria", "New-Secret-Phrase-9").status == 200 and login("maria", "Tr0ub4dor-and-3").status == 401)
maria_tok = login("maria", "New-Secret-Phrase-9").data["access_token"]
r = req("PATCH", "/api/v1/admin/users/%d" % uid, ADMIN, body={"active": False})
check("deactivate", r.status == 200 and r.data["active"] is False and login("maria", "New-Secret-Phrase-9").status == 401)
check("a deactivated user's token stops working at once", get("/api/v1/items", maria_tok).status == 401)
check("patch: unknown field is 400", req("PATCH", "/api/v1/admin/users/%d" % uid, ADMIN, body={"is_admin": True}).status == 400)
check("patch: role enum is 400", req("PATCH", "/api/v1/admin/users/%d" % uid, ADMIN, body={"role": "ROOT"}).status == 400)
check("patch: unknown user is 404", req("PATCH", "/api/v1/admin/users/999999", ADMIN, body={"role": "VIEWER"}).status == 404)
check("patch: user writes audited", int(sql("SELECT count(*) FROM support.audit_logs WHERE entity_type='user' AND entity_id=%d AND action IN ('USER_UPDATE','USER_PASSWORD_RESET')" % uid)) == 3)
r = get("/api/v1/admin/audit-logs?actor=maria&action=LOGIN_FAILURE", ADMIN)
check("audit-logs: actor + action filters", r.meta["total_count"] == int(sql("SELECT count(*) FROM support.audit_logs WHERE actor='maria' AND action='LOGIN_FAILURE'")) and r.meta["total_count"] >= 2)
today = sql("SELECT (now() AT TIME ZONE 'UTC')::date::text")
r = get("/api/v1/admin/audit-logs?from=%s&to=%s&limit=1" % (today, today), ADMIN)
check("audit-logs: from/to and newest first", r.meta["total_count"] >= 10 and r.data[0]["audit_id"] == int(sql("SELECT max(audit_id) FROM support.audit_logs")) - 1, r.raw[:300])
check("audit-logs: future range is empty", get("/api/v1/admin/audit-logs?from=2999-01-01", ADMIN).meta["total_count"] == 0)

# ---------------------------------------------------------------- JWT attacks
now = int(time.time())
base_claims = {"iss": "corrente", "aud": "corrente-api", "sub": "admin", "role": "ADMIN", "uid": 1, "jti": "forged-1", "iat": now, "exp": now + 600, "ver": 0}
good = forge({"alg": "HS256", "typ": "JWT"}, base_claims)
check("a correctly signed token with the real secret works (the forge is right)", get("/api/v1/auth/me", good).status == 200)
ATTACKS = {
    "alg none": forge({"alg": "none", "typ": "JWT"}, base_claims, alg=None),
    "alg None, signed": forge({"alg": "None", "typ": "JWT"}, base_claims),
    "wrong signature": forge({"alg": "HS256", "typ": "JWT"}, base_claims, key="not-the-secret-not-the-secret-xx"),
    "expired": forge({"alg": "HS256", "typ": "JWT"}, dict(base_claims, exp=now - 10)),
    "missing exp": forge({"alg": "HS256", "typ": "JWT"}, {k: v for k, v in base_claims.items() if k != "exp"}),
    "missing ver (the account's token version)": forge({"alg": "HS256", "typ": "JWT"}, {k: v for k, v in base_claims.items() if k != "ver"}),
    "switched to HS384": forge({"alg": "HS384", "typ": "JWT"}, base_claims, alg="sha384"),
    "switched to HS512": forge({"alg": "HS512", "typ": "JWT"}, base_claims, alg="sha512"),
    "RS256 header": forge({"alg": "RS256", "typ": "JWT"}, base_claims),
    "wrong issuer": forge({"alg": "HS256", "typ": "JWT"}, dict(base_claims, iss="evil")),
    "wrong audience": forge({"alg": "HS256", "typ": "JWT"}, dict(base_claims, aud="other")),
    "unknown role": forge({"alg": "HS256", "typ": "JWT"}, dict(base_claims, role="ROOT")),
    "garbage": "abc.def.ghi",
    "truncated": good[:-5],
    "empty": "",
}
res = {k: get("/api/v1/auth/me", t).status for k, t in ATTACKS.items()}
check("JWT attacks are 401 (%s)" % ", ".join(ATTACKS), all(v == 401 for v in res.values()), res)
r = login("viewer", LOGINS["viewer"])
t1 = r.data["access_token"]
r = req("POST", "/api/v1/auth/refresh", t1)
t2 = r.data["access_token"] if r.status == 200 else ""
check("refresh gives a fresh working token", r.status == 200 and t2 != t1 and get("/api/v1/auth/me", t2).status == 200)
check("the refreshed-away token is revoked", get("/api/v1/auth/me", t1).status == 401)
r = req("POST", "/api/v1/auth/logout", t2)
check("logout", r.status == 200 and sql("SELECT count(*) FROM support.revoked_tokens") >= "2")
r = get("/api/v1/items", t2)
check("token after logout is 401", r.status == 401 and "revoked" in r.json["detail"])
check("logout audited", int(sql("SELECT count(*) FROM support.audit_logs WHERE action='LOGOUT' AND actor='viewer'")) == 1)

# ---------------------------------------------------------------- cache, ETag, NOTIFY
r1 = get("/api/v1/items/3", VIEWER)
etag = r1.headers.get("etag")
r2 = get("/api/v1/items/3", VIEWER, headers={"If-None-Match": etag})
check("ETag + If-None-Match gives 304", etag and r2.status == 304 and r2.raw == "", (etag, r2.status))
m1 = get("/metrics").raw
hits = lambda m: float([l for l in m.splitlines() if l.startswith("cache_hits_total ")][0].split()[1])
get("/api/v1/items/3", VIEWER)
check("metrics count cache hits", hits(get("/metrics").raw) > hits(m1))
old_name = sql("SELECT name FROM core.dim_item WHERE item_id=3")
sql("UPDATE core.dim_item SET name = 'Renamed by pipeline' WHERE item_id=3")
check("cached until notified", get("/api/v1/items/3", VIEWER).data["name"] == old_name)
sql("NOTIFY corrente_data, '42'")
ok = False
for _ in range(50):
    if get("/api/v1/items/3", VIEWER).data["name"] == "Renamed by pipeline":
        ok = True
        break
    time.sleep(0.1)
check("NOTIFY corrente_data drops the cache", ok)
sql("UPDATE core.dim_item SET name = $$%s$$ WHERE item_id=3" % old_name)
sql("NOTIFY corrente_data, '43'")
time.sleep(0.5)
m = get("/metrics").raw
check("metrics: counters, histogram, pool and cache gauges", all(s in m for s in (
    "http_requests_total{", "http_request_duration_seconds_bucket{", "http_request_duration_seconds_count{", "db_pool_connections_open ",
    "cache_entries ", "cache_misses_total ", "cache_hits_total ")))
check("CORS is off by default", "access-control-allow-origin" not in get("/api/v1/items", VIEWER, headers={"Origin": "https://evil.example"}).headers)

# ---------------------------------------------------------------- injection and unicode
before = db_fingerprint()
EVIL = ["'; DROP TABLE core.dim_item; --", "' OR '1'='1", "%", "_", "\\", "ção 😀 ∑", "\"); DELETE FROM support.users; --", "$1", "1; SELECT pg_sleep(5)", "a" * 300]
STRING_PARAMS = [("/api/v1/items", "family"), ("/api/v1/items", "category"), ("/api/v1/items", "q"), ("/api/v1/alerts", "category"),
                 ("/api/v1/admin/audit-logs", "actor"), ("/api/v1/admin/audit-logs", "action")]
bad = []
for path, name in STRING_PARAMS:
    for s in EVIL:
        r = get(path + "?" + q({name: s}), ADMIN)
        expect = 400 if len(s) > 200 else 200
        if r.status != expect or (expect == 200 and r.meta["total_count"] != 0 and not (name == "q" and s in ("_",))):
            bad.append((path, name, s[:20], r.status, r.raw[:80]))
    r = get(path + "?" + name + "=%00x", ADMIN)
    if r.status != 400:
        bad.append((path, name, "NUL", r.status))
for s in EVIL:
    r = login(s, s)
    if r.status not in (400, 401, 429):
        bad.append(("login", s[:20], r.status))
r = get("/api/v1/items?" + q({"q": "Abraça"}), ADMIN)
check("unicode search matches", r.status == 200 and r.meta["total_count"] == int(sql("SELECT count(*) FROM core.dim_item WHERE name ILIKE '%Abraça%' OR sku ILIKE '%Abraça%'")))
check("SQL metacharacters and unicode in every string parameter: literal matches only, no errors", not bad, bad)
check("the database is unchanged afterwards", db_fingerprint() == before, (before, db_fingerprint()))
r = get("/api/v1/items?" + q({"sort": "item_id; DROP TABLE core.dim_item"}), ADMIN)
check("sort is a whitelist", r.status == 400)
check("path traversal in ids is 400/404", get("/api/v1/items/..%2f..%2fetc%2fpasswd", ADMIN).status in (400, 404))

# ---------------------------------------------------------------- HTTP and JWT fuzzing
import types  # noqa: E402
import http_fuzz  # noqa: E402  (tests/api/http_fuzz.py)
http_fuzz.run(types.SimpleNamespace(check=check, sql=sql, get=get, login=login, HOST=HOST, PORT=PORT, ADMIN=ADMIN,
                                    ANALYST=ANALYST, VIEWER=VIEWER, SECRET=SECRET, LOGINS=LOGINS,
                                    db_fingerprint=db_fingerprint, forge=forge, b64=b64))


# ---------------------------------------------------------------- static files, headers, gzip, CSV, 1,000 connections
import http_delivery  # noqa: E402  (tests/api/http_delivery.py)
http_delivery.run(types.SimpleNamespace(check=check, sql=sql, get=get, req=req, HOST=HOST, PORT=PORT, ADMIN=ADMIN,
                                        VIEWER=VIEWER, ANALYST=ANALYST, WEB_ROOT=WEB_ROOT))


# ---------------------------------------------------------------- account changes and login races
import auth_races  # noqa: E402  (tests/api/auth_races.py: kept apart, this file is long enough)
auth_races.run(types.SimpleNamespace(check=check, req=req, get=get, login=login, sql=sql, HOST=HOST, PORT=PORT,
                                     ADMIN=ADMIN, VIEWER=VIEWER))

# ---------------------------------------------------------------- priority sorting and simulations
import simulations_test  # noqa: E402  (tests/api/simulations_test.py)
simulations_test.run(types.SimpleNamespace(check=check, req=req, get=get, sql=sql, ADMIN=ADMIN, ANALYST=ANALYST,
                                           VIEWER=VIEWER))

# ---------------------------------------------------------------- throttling (last: it locks this address out)
sql("INSERT INTO support.users (username, password_hash, role) SELECT 'throttled', password_hash, 'VIEWER' FROM support.users WHERE username='viewer'")
codes = [login("throttled", "bad-password-%d" % i).status for i in range(5)]
r = login("throttled", LOGINS["viewer"])
check("per-account throttle: 5 failures, then 429 even with the right password", codes == [401] * 5 and r.status == 429 and int(r.headers.get("retry-after", "0")) > 0, (codes, r.status))
check("throttled attempts are audited", int(sql("SELECT count(*) FROM support.audit_logs WHERE actor='throttled' AND action='LOGIN_FAILURE'")) == 6)
codes = [login("nobody%d" % i, "x-bad-password").status for i in range(25)]
r = login("analyst", LOGINS["analyst"])
check("per-address throttle: many accounts from one address end in 429", 429 in codes and r.status == 429 and "retry-after" in r.headers, codes)

finish()
