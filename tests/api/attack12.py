"""The attack12 review's checks of the override writes against a live server, run by
tests/api/api_attack12.sh (users a12_analyst and a12_admin sharing PASSWORD): a create or a
PATCH that the table's CHECKs refuse is a 400 naming the field (each was a 500 on main)."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from httptest import login, req  # noqa: E402
from pagetest import check, finish, q  # noqa: E402

ANALYST = login("a12_analyst")
base = {"kind": "FORECAST", "item_id": 1, "site_id": 1, "mode": "PERCENT", "value": 5,
        "valid_from": "2026-01-01", "valid_to": "2026-01-31", "reason": "attack12 override"}

# A create over more than 366 days (the table's limit; the handler checked only the order).
s, _, _, j = req("POST", "/api/v1/overrides", ANALYST, dict(base, valid_from="2020-01-01", valid_to="2030-12-31"))
check("create over 11 years: 400 naming valid_to", s == 400 and "valid_to" in j["detail"] and "366" in j["detail"], (s, j))

s, _, _, j = req("POST", "/api/v1/overrides", ANALYST, base)
check("a valid create: 201", s == 201, (s, j))
oid, version = j["data"]["override_id"], j["data"]["version"]

# PATCHes each valid alone, refused only as a whole row.
cases = [({"valid_to": "2020-01-01"}, "valid_to"), ({"valid_from": "2027-06-01"}, "valid_to"),
         ({"valid_to": "2030-01-01"}, "366"), ({"kind": "POLICY"}, "service_level"),
         ({"kind": "RECOMMENDATION"}, "quantity"), ({"mode": "ABSOLUTE", "value": -5}, "value"),
         ({"value": 5000}, "value"), ({"min_stock": 9, "max_stock": 1, "kind": "POLICY"}, "min_stock")]
for body, field in cases:
    s, _, _, j = req("PATCH", "/api/v1/overrides/%d" % oid, ANALYST, body,
                     {"If-Match": '"ov-%d-v%d"' % (oid, version)})
    check("PATCH %s: 400 naming %s" % (body, field), s == 400 and j["error"] == "invalid_parameter"
          and field in j["detail"], (s, j))
row = q("select valid_from || ' ' || valid_to || ' ' || kind || ' ' || mode || ' ' || value || ' ' || version"
        " from analytics.overrides where override_id = %d" % oid)
check("  and the override is unchanged", row == "2026-01-01 2026-01-31 FORECAST PERCENT 5.0000 1", row)
s, _, _, j = req("PATCH", "/api/v1/overrides/%d" % oid, ANALYST, {"value": 7}, {"If-Match": '"ov-%d-v%d"' % (oid, version)})
check("a valid PATCH after them: 200, version 2", s == 200 and j["data"]["version"] == 2, (s, j))
finish()
