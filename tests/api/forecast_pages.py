"""GET /api/v1/forecasts from published pages (analytics.forecast_pages, V066) against the
row-by-row statement, by tests/api/api_forecast_pages.sh after one pipeline run. A request
with horizon=3660 keeps every row but never reads a page, so it is the reference answer; every
request carries a unique nocache parameter, so the response cache answers none."""
import json
import os

from pagetest import admin_token, check, finish, get_uncached, q, sql
from pagetest import metric as counter

API_DSN = os.environ["API_DSN"]
TOKEN = admin_token()


def metric():
    return counter("api_forecast_pages_served_total")


def get(query):
    return get_uncached("/api/v1/forecasts", query, TOKEN)


def page_and_reference(item, site):
    """(fast answer, reference answer, pages served by the fast one)"""
    before = metric()
    fast = get("item_id=%d&site_id=%d" % (item, site))
    served = metric() - before
    ref = get("item_id=%d&site_id=%d&horizon=3660" % (item, site))
    return fast[2], ref[2], served


run = int(q("SELECT max(run_id) FROM analytics.pipeline_runs WHERE status = 'SUCCEEDED'"))
series = [tuple(map(int, l.split("|"))) for l in
          q("SELECT DISTINCT item_id, site_id FROM analytics.forecasts WHERE run_id = %d ORDER BY 1, 2" % run).splitlines()]
pages = q("SELECT count(*), min(n_rows), max(n_rows), count(DISTINCT run_id), min(run_id) FROM analytics.forecast_pages")
check("the publish wrote one page per series of the run (%d), 30 rows each" % len(series),
      pages == "%d|30|30|1|%d" % (len(series), run), pages)

# ---- every series: the page is the reference, byte for byte, and it was read
equal = served = 0
for item, site in series:
    a, b, s = page_and_reference(item, site)
    equal += a == b
    served += s
check("every series' answer from its page equals the row-by-row answer, byte for byte",
      equal == len(series), "%d of %d" % (equal, len(series)))
check("  and every one was read from its page (api_forecast_pages_served_total)", served == len(series), served)
doc = json.loads(get("item_id=%d&site_id=%d" % series[0])[2])
check("  a page's answer has the run, the accuracy and the series' 30 rows",
      doc["metadata"]["run_id"] == run and doc["metadata"]["count"] == 30 and doc["metadata"]["total_count"] == 30
      and "accuracy" in doc["metadata"] and len(doc["data"]) == 30
      and [r["full_date"] for r in doc["data"]] == sorted(r["full_date"] for r in doc["data"]), doc["metadata"])

# ---- hostile values, rendered again for the same run
(i1, s1), (i2, s2), (i3, s3) = series[0], series[1], series[2]
sql("UPDATE analytics.forecasts SET model_tag = E'tag \"quoted\" \\\\ back/slash \u00e9 \U0001F680 \\u2028',"
    " yhat_lower = NULL, yhat_lower_95 = NULL, confidence_level = NULL, yhat = 1234567.0001, yhat_upper = 2234567.5,"
    " computed_at = '2026-01-02 03:04:05.5+00' WHERE run_id = %d AND item_id = %d AND site_id = %d" % (run, i1, s1))
sql("UPDATE analytics.forecasts SET computed_at = '2026-01-02 03:04:05+00', yhat = 0, yhat_upper = 0.0001, yhat_upper_95 = 'NaN',"
    " confidence_level = 99.99 WHERE run_id = %d AND item_id = %d AND site_id = %d" % (run, i2, s2))
sql("UPDATE analytics.forecasts SET model_tag = E'bell\\x07 tab\\t nl\\n' WHERE run_id = %d AND item_id = %d"
    " AND site_id = %d AND full_date = (SELECT min(full_date) FROM analytics.forecasts WHERE run_id = %d)" % (run, i3, s3, run))
i6, s6 = series[5]
i7, s7 = series[6]
sql("UPDATE analytics.forecasts SET computed_at = computed_at + interval '1 second' WHERE run_id = %d AND item_id = %d"
    " AND site_id = %d AND full_date = (SELECT max(full_date) FROM analytics.forecasts WHERE run_id = %d)" % (run, i7, s7, run))
sql("INSERT INTO analytics.forecasts (run_id, full_date, item_id, site_id, horizon_days, yhat, model_tag, computed_at)"
    " SELECT run_id, full_date, item_id, site_id, horizon_days, yhat, 'twin', computed_at FROM analytics.forecasts"
    " WHERE run_id = %d AND item_id = %d AND site_id = %d AND horizon_days = 1" % (run, i6, s6))
# The accuracy in the metadata (rendered into the page since V078): quotes and a NULL, a series
# without any, and one whose accuracy model tag has a control character (no page).
(i8, s8), (i9, s9) = series[7], series[8]
sql("UPDATE analytics.forecast_accuracy SET model_tag = E'acc \"q\" \\\\ \u00e9', mape = NULL, bias = -1.23456"
    " WHERE run_id = %d AND item_id = %d AND site_id = %d" % (run, i2, s2))
sql("DELETE FROM analytics.forecast_accuracy WHERE run_id = %d AND item_id = %d AND site_id = %d" % (run, i8, s8))
sql("UPDATE analytics.forecast_accuracy SET model_tag = E'acc\\x01' WHERE run_id = %d AND item_id = %d AND site_id = %d"
    % (run, i9, s9))
rendered = q("SELECT analytics.render_forecast_pages(%d)" % run)
check("rendering again skips only the series with a control character in a model tag (of a row or"
      " of the accuracy), the one with two rows on a date and the one whose last row has another"
      " computed_at", rendered == str(len(series) - 4), rendered)
# On Citus the workers build the rows under their own settings: none may change a byte.
pages = ("SELECT md5(string_agg(row_tail || rows_compact || meta_json, '' ORDER BY item_id, site_id))"
         " FROM analytics.forecast_pages")
plain = q(pages)
odd = sql("SET TimeZone = 'Asia/Kolkata'; SET DateStyle = 'SQL, DMY'; SET IntervalStyle = 'sql_standard';"
          " SET extra_float_digits = -15; SET standard_conforming_strings = off;"
          " SELECT analytics.render_forecast_pages(%d);" % run + pages).stdout.split()
check("rendered under another time zone, date style and string syntax, the pages are the same bytes",
      odd[-1] == plain and odd[0] == str(len(series) - 4), (odd, plain))
before = metric()
st, _, body = get("item_id=%d&site_id=%d" % (i6, s6))
check("the series with two rows on a date is answered by the statement (31 rows)",
      st == 200 and metric() == before and len(json.loads(body)["data"]) == 31, metric() - before)
for (item, site), what in (((i1, s1), "quotes, a backslash, é, an emoji, U+2028, null bounds, a big yhat, .5 s"),
                           ((i2, s2), "zero, 0.0001, NaN, 99.99, a whole second")):
    a, b, s = page_and_reference(item, site)
    check("a page with %s equals the row-by-row answer" % what, a == b and s == 1, (s, a[:300], b[:300]))
    check("  and says what it holds",
          json.loads(a)["data"][0]["computed_at"] in ("2026-01-02T03:04:05.5Z", "2026-01-02T03:04:05Z"),
          json.loads(a)["data"][0])
a, b, s = page_and_reference(i8, s8)
check("a series without accuracy: its page says accuracy null, as the statement does",
      s == 1 and a == b and json.loads(a)["metadata"]["accuracy"] is None, (s, a[-300:], b[-300:]))
a, b, s = page_and_reference(i9, s9)
check("a series whose accuracy model tag has a control character is answered by the statement",
      s == 0 and a == b and b"acc\\u0001" in a, (s, a[-300:]))
a, b, s = page_and_reference(i7, s7)
check("the series whose rows end differently is answered by the statement", s == 0 and a == b, (s, a[:200]))
a, b, s = page_and_reference(i3, s3)
check("the series with a control character is answered by the statement (\\u0007, \\t, \\n escaped)",
      s == 0 and a == b and b"bell\\u0007 tab\\t nl\\n" in a, (s, a[:200]))

# ---- requests a page does not answer: the statement does, and no page is read
item, site = series[3]
before = metric()
st, _, b10 = get("item_id=%d&site_id=%d&limit=10" % (item, site))
d10 = json.loads(b10)
check("limit=10 (shorter than the series): 10 rows of 30", st == 200 and len(d10["data"]) == 10
      and d10["metadata"]["total_count"] == 30, d10["metadata"])
st, _, b5 = get("item_id=%d&site_id=%d&offset=5" % (item, site))
check("offset=5: 25 rows", st == 200 and len(json.loads(b5)["data"]) == 25)
st, ctype, csv = get("item_id=%d&site_id=%d&format=csv" % (item, site))
check("format=csv: the header and 30 rows", st == 200 and ctype.startswith("text/csv")
      and csv.decode().strip().count("\n") == 30, (ctype, csv[:80]))
get("item_id=%d&site_id=%d&start_date=2000-01-01" % (item, site))
get("item_id=%d" % item)
check("  none of them read a page", metric() == before, metric() - before)

# ---- an approved override on a series: the statement merges it
first = q("SELECT min(full_date) FROM analytics.forecasts WHERE run_id = %d" % run)
sql("INSERT INTO analytics.overrides (kind, item_id, site_id, valid_from, valid_to, mode, value, reason, state,"
    " author, decided_by, decided_at) VALUES ('FORECAST', %d, %d, '%s', '%s', 'ABSOLUTE', 777, 'test override',"
    " 'APPROVED', 'analyst', 'admin', now())" % (item, site, first, first))
a, b, s = page_and_reference(item, site)
rows = json.loads(a)["data"]
check("with an approved override the answer is the statement's, with the override merged",
      s == 0 and a == b and rows[0]["overridden"] is True and float(rows[0]["yhat"]) == 777
      and rows[1]["overridden"] is False, (s, rows[0]))
a, b, s = page_and_reference(*series[4])
check("  another series keeps its page", s == 1 and a == b, s)

# ---- a run published without pages (written by hand, as bench/api does): the statement answers it
sql("INSERT INTO analytics.pipeline_runs (status, started_at, finished_at, as_of, model_tag)"
    " VALUES ('SUCCEEDED', now(), now() + interval '1 hour', current_date, 'by_hand')")
new = int(q("SELECT max(run_id) FROM analytics.pipeline_runs"))
sql("INSERT INTO analytics.forecasts (run_id, full_date, item_id, site_id, horizon_days, yhat, model_tag, computed_at)"
    " SELECT %d, current_date + h, %d, %d, h, 5, 'by_hand', now() FROM generate_series(1, 7) h" % (new, i1, s1))
before = metric()
d = json.loads(get("item_id=%d&site_id=%d" % (i1, s1))[2])
check("a later run without pages is answered by the statement, from that run",
      metric() == before and d["metadata"]["run_id"] == new and len(d["data"]) == 7
      and {r["model_tag"] for r in d["data"]} == {"by_hand"}, (metric() - before, d["metadata"]))
rendered = q("SELECT analytics.render_forecast_pages(%d)" % new)
a, b, s = page_and_reference(i1, s1)
check("rendered, its one series is read from its page, and only that run's pages are kept",
      rendered == "1" and s == 1 and a == b and q("SELECT count(*), min(run_id) FROM analytics.forecast_pages") == "1|%d" % new,
      (rendered, s))

# ---- least privilege: the API reads pages and cannot write them
r = sql("SELECT count(*) FROM analytics.forecast_pages", API_DSN)
check("the API role reads the pages", r.returncode == 0 and r.stdout.strip() == "1", r.stderr)
for stmt in ("DELETE FROM analytics.forecast_pages",
             "INSERT INTO analytics.forecast_pages (run_id, item_id, site_id, n_rows, row_tail, rows_compact, meta_json)"
             " VALUES (%d, 1, 1, 1, '}', '2026-01-01,1,0,0,0,0,0', '')" % new,
             "UPDATE analytics.forecast_pages SET rows_compact = ''",
             "SELECT analytics.render_forecast_pages(%d)" % new):
    r = sql(stmt, API_DSN)
    check("the API role may not: %s" % stmt.split(" (")[0][:60], r.returncode != 0 and "permission denied" in r.stderr,
          r.stderr.strip())

finish()
