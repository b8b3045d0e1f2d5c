"""GET /api/v1/items from each item's rendered row (core.dim_item.api_json, V067) against the
column statement, by tests/api/api_rendered_pages.sh. The reference answers come from the same
running server after `db downgrade` takes V067 out (it then answers from the columns); every
request carries a unique nocache parameter, so the response cache answers none."""
import json
import os
import subprocess
import time

from pagetest import admin_token, check, finish, get_uncached, q, sql
from pagetest import metric as counter

API_DSN, CORRENTE = os.environ["API_DSN"], os.environ["CORRENTE"]
TOKEN = admin_token()


def metric():
    return counter("api_item_pages_rendered_total")


def get(query):
    return get_uncached("/api/v1/items", query, TOKEN)[2]


# ---- hostile items, written as any writer would
sql("SET standard_conforming_strings = off; SET extra_float_digits = -15; SET DateStyle = 'SQL, DMY';"
    " SET TimeZone = 'Asia/Kolkata';"
    " INSERT INTO core.dim_item (sku, name, description, family, category, subcategory, unit_measure, abc_class,"
    " criticality, active, unit_cost, unit_price, supplier_id, min_order_qty, max_order_qty) VALUES"
    " (E'H-1 \"q\"', E'back\\\\slash \\\\u0041 / é \U0001F680 \u2028', E'line\\nnext\\r\\ttab',"
    "  'HOSTILE', E'</script><b>', '', 'UN', NULL, NULL, false, 'NaN', 99999999999999.9999, NULL, 0, NULL),"
    " ('H-2', 'zeros', NULL, 'HOSTILE', NULL, NULL, 'KG', 'A', 0, true, 0, 0.0001, NULL, 1.5, 1.5)")
sql("INSERT INTO core.dim_item (sku, name, description, family, unit_measure) VALUES"
    " ('H-3', E'bell\\x07', E'form\\x0cfeed', 'HOSTILE', 'UN')")
check("the rows with only \\n, \\r, \\t among control characters are rendered; the bell row is NULL",
      q("SELECT string_agg(sku || '=' || (api_json IS NOT NULL)::text, ',' ORDER BY sku) FROM core.dim_item"
        " WHERE family = 'HOSTILE'") == 'H-1 "q"=true,H-2=true,H-3=false')
r = sql("UPDATE core.dim_item SET api_json = '{}' WHERE sku = 'H-2'", may_fail=True)
check("no one writes api_json, not even the owner (a generated column)",
      r.returncode != 0 and "generated column" in r.stderr, r.stderr.strip())
r = sql("UPDATE core.dim_item SET api_json = '{}'", API_DSN)
check("  nor the API role", r.returncode != 0, r.stderr.strip())

queries = ["", "limit=500", "offset=30", "offset=38&limit=3", "offset=1000", "sort=-name", "sort=unit_cost",
           "sort=-unit_price&limit=7", "sort=abc_class", "sort=-criticality", "family=HOSTILE&sort=sku",
           "family=HOSTILE&sort=-sku", "q=%C3%A9", "q=back", "active=false", "abc_class=A", "q=nothing-matches",
           "category=%3C%2Fscript%3E%3Cb%3E", "family=HOSTILE&sort=name&limit=1&offset=1"]
fast, rendered = {}, {}
for query in queries:
    before = metric()
    fast[query] = get(query)
    rendered[query] = metric() - before
fallback = {x for x in queries if b'"sku":"H-3"' in fast[x]}  # the pages holding the bell row
h = json.loads(fast["family=HOSTILE&sort=sku"])["data"]
check("the hostile rows read back as written", h[0]["sku"] == 'H-1 "q"' and h[0]["description"] == "line\nnext\r\ttab"
      and h[0]["name"] == "back\\slash \\u0041 / é \U0001F680 \u2028" and h[0]["unit_cost"] is None
      and h[0]["abc_class"] is None and h[0]["active"] is False and h[2]["name"] == "bell\x07", h[:1])
check("pages without the bell row (%d) were read from the rendered rows, the %d others were not"
      % (len(queries) - len(fallback), len(fallback)),
      all(rendered[x] == (0 if x in fallback else 1) for x in queries),
      [(x, rendered[x]) for x in queries])

# ---- the reference: the same server after V067 is taken out answers from the columns
down = subprocess.run([CORRENTE, "db", "downgrade", "--to", "66"], capture_output=True, text=True)
check("db downgrade takes V067 out", down.returncode == 0 and q(
      "SELECT count(*) FROM information_schema.columns WHERE table_schema = 'core' AND table_name = 'dim_item'"
      " AND column_name = 'api_json'") == "0", down.stderr[-300:])
before = metric()
ref = {x: get(x) for x in queries}
check("  and the running server answers every list from the columns", metric() == before, metric() - before)
same = [x for x in queries if fast[x] == ref[x]]
check("every list from the rendered rows equals the column statement's, byte for byte (%d lists)" % len(queries),
      len(same) == len(queries), [(x, fast[x][:160], ref[x][:160]) for x in queries if x not in same][:2])
up = subprocess.run([CORRENTE, "db", "upgrade"], capture_output=True, text=True)
check("db upgrade puts V067 back and renders every row",
      up.returncode == 0 and q("SELECT count(*) FILTER (WHERE api_json IS NULL) FROM core.dim_item") == "1",
      up.stderr[-300:])
before = metric()
again = {x: get(x) for x in queries}
check("  and the lists are the same bytes again, from the rendered rows",
      again == ref and metric() - before == len(queries) - len(fallback), metric() - before)

# ---- writers keep it current: an update, the pipeline's ABC classes
q("UPDATE core.dim_item SET abc_class = 'C', name = 'renamed \"x\"', unit_price = 12.3 WHERE sku = 'H-2'")
d = json.loads(get("family=HOSTILE&sort=sku"))["data"][1]
check("an UPDATE is in the next list", d["abc_class"] == "C" and d["name"] == 'renamed "x"'
      and d["unit_price"] == 12.3, d)

# ---- each filter's total is counted once and then reused by its other pages for up to a
# second, or until a write or a publish (count_cache.h)
def total(query):
    return json.loads(get(query))["metadata"]["total_count"]


def reused():
    return counter("api_item_counts_reused_total")


time.sleep(1.1)  # the counts above are past their second
n0, before = total("family=HOSTILE&limit=1"), reused()
check("a filter's first page counts its items", reused() == before and n0 == 3, (n0, reused() - before))
pages = [total("family=HOSTILE&limit=1&offset=%d" % i) for i in (1, 2, 5)] + [total("family=HOSTILE&sort=-sku")]
check("  its other pages, sorts and limits reuse that total", pages == [3] * 4 and reused() == before + 4,
      (pages, reused() - before))
check("  another filter counts its own", total("family=HOSTILE&active=false") == 1 and reused() == before + 4)
inval = counter("cache_invalidations_total")
q("INSERT INTO core.dim_item (sku, name, family, unit_measure) VALUES ('H-4', 'four', 'HOSTILE', 'UN')")
q("NOTIFY corrente_alerts, '{}'")  # what an API write or a publish sends
for _ in range(100):
    if counter("cache_invalidations_total") > inval:
        break
    time.sleep(0.05)
check("a write that notifies ends the totals at once", total("family=HOSTILE&limit=1&offset=1") == 4)
q("INSERT INTO core.dim_item (sku, name, family, unit_measure) VALUES ('H-5', 'five', 'HOSTILE', 'UN')")
time.sleep(1.1)
check("a write that notifies no one is in the total after a second", total("family=HOSTILE&limit=1") == 5)
q("DELETE FROM core.dim_item WHERE sku IN ('H-4', 'H-5')")

finish()
