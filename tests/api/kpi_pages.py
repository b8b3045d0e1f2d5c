"""GET /api/v1/analytics/kpis from each day's rendered row (analytics.mv_kpis_latest.api_json,
V070) against the column statement, by tests/api/api_rendered_pages.sh. The reference answers come
from the same running server after `db downgrade` takes V070 out (it then answers from the
columns); every request carries a unique nocache parameter, so the response cache answers
none."""
import json
import os
import subprocess
import urllib.error

from pagetest import admin_token, check, finish, get_uncached, q, sql
from pagetest import metric as counter

API_DSN, CORRENTE = os.environ["API_DSN"], os.environ["CORRENTE"]
TOKEN = admin_token()


def metric():
    return counter("api_kpi_pages_rendered_total")


def get(query):
    try:
        return get_uncached("/api/v1/analytics/kpis", query, TOKEN)[2]
    except urllib.error.HTTPError as e:  # a 400 is compared too
        return b"%d " % e.code + e.read()


# ---- a run's days, and hostile ones, refreshed under other settings than the API's sessions
REFRESH = ("SET extra_float_digits = -15; SET DateStyle = 'SQL, DMY'; SET TimeZone = 'Asia/Kolkata';"
           " SET IntervalStyle = 'sql_standard'; REFRESH MATERIALIZED VIEW analytics.mv_kpis_latest")
sql("INSERT INTO analytics.pipeline_runs (status, started_at, finished_at, as_of, model_tag)"
    " VALUES ('SUCCEEDED', now(), now(), current_date - 1, 'kpi-test')")
sql("INSERT INTO analytics.kpis_daily (run_id, full_date, total_demand, stockout_rate, abc_a_share, delayed_orders_pct,"
    " forecast_mape, forecast_wape, avg_inventory_value, computed_at)"
    " SELECT (SELECT max(run_id) FROM analytics.pipeline_runs), current_date - d, 1000 + d, 0.02, 0.8, 0.05, 0.12,"
    " 0.2, 5000.5, timestamptz '2020-01-01 00:00:00.25+00' + d * interval '1.5 second' FROM generate_series(1, 120) d")
# Later computations of a day (the view keeps the latest), and the values a number can be.
today = q("SELECT current_date")
sql("SET TimeZone = 'America/St_Johns'; INSERT INTO analytics.kpis_daily (run_id, full_date, total_demand, stockout_rate,"
    " abc_a_share, delayed_orders_pct, forecast_mape, forecast_wape, avg_inventory_value, computed_at) VALUES"
    " (NULL, date '%(t)s' - 3, 'NaN', 1, 0, NULL, 'NaN', NULL, 'NaN', now() + interval '1 hour'),"
    " (NULL, date '%(t)s' - 4, 99999999999999.9999, 0.0001, NULL, 1, 0, 0, -9999999999999999.99, '2026-01-02 03:04:05.5+00'),"
    " (NULL, date '%(t)s' - 121, 0, 0, 0, 0, 0, 0, 0, '1969-12-31 23:59:59.000001+00'),"
    " (NULL, date '%(t)s' - 6, -0.0001, NULL, NULL, NULL, NULL, NULL, NULL, '2026-06-30 12:00:00+00'),"
    " (NULL, date '%(t)s' - 122, 1, 1, 1, 1, 1, 1, 1, '0001-01-01 00:00:00+00'),"
    " (NULL, date '%(t)s' - 204, 5, 0.5, 0.5, 0.5, 0.5, 0.5, 5, '9999-12-31 23:59:59.999999+00'),"
    " (NULL, '0001-01-01', 1, 0, 0, 0, 0, 0, 1, '2026-01-01 00:00:00+00'),"
    " (NULL, '0001-12-15 BC', 2, 0, 0, 0, 0, 0, 2, '2026-01-01 00:00:00+00')" % {"t": today})
sql(REFRESH)
check("every day is rendered but the one before year 1",
      q("SELECT string_agg(full_date::text, ',') FROM analytics.mv_kpis_latest WHERE api_json IS NULL") == "0001-12-15 BC")
r = sql("UPDATE analytics.mv_kpis_latest SET api_json = '{}'", API_DSN)
check("the API role cannot write the view", r.returncode != 0, r.stderr.strip())

queries = ["", "limit=1", "limit=7&offset=3", "offset=88", "offset=500", "start_date=0001-01-01&end_date=0001-12-31", "end_date=0001-02-01", "start_date=2000-01-01", "end_date=2020-01-01"]
days = q("SELECT (current_date - 8)::text || ' ' || (current_date - 2)::text || ' ' || (current_date - 204)::text"
         " || ' ' || (current_date - 125)::text || ' ' || (current_date - 118)::text").split()
queries += ["start_date=%s&end_date=%s" % (days[0], days[1]), "start_date=%s&end_date=%s" % (days[2], days[2]),
            "start_date=%s&end_date=%s" % (days[3], days[4]), "limit=1000&start_date=%s" % days[2],
            "start_date=0001-01-01&end_date=0020-01-01"]
fast, rendered, windows = {}, {}, {}
for query in queries:
    before, before_w = metric(), counter("api_kpi_windows_served_total")
    fast[query] = get(query)
    rendered[query] = metric() - before
    windows[query] = counter("api_kpi_windows_served_total") - before_w
check("only the default page was read whole from the view's window (V079)",
      [x for x in queries if windows[x]] == [""] and windows[""] == 1, windows)
check("  the window is the latest day's row, the days from 89 days before it",
      q("SELECT count(*), min(window_rows), bool_and(full_date = (SELECT max(full_date) FROM analytics.mv_kpis_latest))"
        " FROM analytics.mv_kpis_latest WHERE window_json IS NOT NULL")
      == "1|%s|t" % q("SELECT count(*) FROM analytics.mv_kpis_latest WHERE full_date >="
                      " (SELECT max(full_date) - 89 FROM analytics.mv_kpis_latest)"))
bc = {x for x in queries if b' BC"' in fast[x]}
refused = {x for x in queries if fast[x].startswith(b"400 ")}
check("the pages without the BC day (%d) were read from the rendered rows, the %d others were not"
      % (len(queries) - len(bc) - 1, len(bc)),
      len(bc) == 1 and all(rendered[x] == (0 if x in bc | refused else 1) for x in queries),
      [(x, rendered[x]) for x in queries])
check("a window over 3,660 days is still refused", refused == {"start_date=0001-01-01&end_date=0020-01-01"}, refused)
h = {d["full_date"]: d for d in json.loads(fast["start_date=%s&end_date=%s" % (days[0], days[1])])["data"]}
d3 = h[q("SELECT (current_date - 3)::text")]
check("NaN is null, the latest computation of a day wins, computed_at in UTC with its fraction",
      d3["total_demand"] is None and d3["stockout_rate"] == 1 and d3["run_id"] is None
      and h[q("SELECT (current_date - 4)::text")]["computed_at"] == "2026-01-02T03:04:05.5Z", d3)
old = json.loads(fast["start_date=%s&end_date=%s" % (days[3], days[4])])["data"]
check("computed_at before 1970 and in year 1, as the row writer writes them",
      [d["computed_at"] for d in old[0:2]] == ["0001-01-01T00:00:00Z", "1969-12-31T23:59:59.000001Z"], old[0:2])

# ---- the reference: the same server after V070 is taken out answers from the columns
down = subprocess.run([CORRENTE, "db", "downgrade", "--to", "69"], capture_output=True, text=True)
check("db downgrade takes V070 out", down.returncode == 0 and q(
      "SELECT count(*) FROM information_schema.columns WHERE table_schema = 'analytics'"
      " AND table_name = 'mv_kpis_latest' AND column_name = 'api_json'") == "0", down.stderr[-300:])
sql(REFRESH)
before = metric()
ref = {x: get(x) for x in queries}
check("  and the running server answers every page from the columns", metric() == before, metric() - before)
same = [x for x in queries if fast[x] == ref[x]]
check("every page from the rendered rows equals the column statement's, byte for byte (%d pages)" % len(queries),
      len(same) == len(queries), [(x, fast[x][:300], ref[x][:300]) for x in queries if x not in same][:2])
csv = get_uncached("/api/v1/analytics/kpis", "format=csv", TOKEN)
check("CSV is the column statement's", csv[0] == 200 and csv[1].startswith("text/csv"), csv[:2])
up = subprocess.run([CORRENTE, "db", "upgrade"], capture_output=True, text=True)
before = metric()
again = {x: get(x) for x in queries}
check("db upgrade puts V070 back: the same bytes again, from the rendered rows",
      up.returncode == 0 and again == ref and metric() - before == len(queries) - len(bc) - len(refused), (up.stderr[-300:], metric() - before))
# A day in the window the view cannot render (computed_at in year 12000): no window, the columns answer.
sql("INSERT INTO analytics.kpis_daily (run_id, full_date, total_demand, stockout_rate, abc_a_share, delayed_orders_pct,"
    " forecast_mape, forecast_wape, avg_inventory_value, computed_at)"
    " VALUES (NULL, current_date - 7, 1, 0, 0, 0, 0, 0, 1, '12000-01-01 00:00:00+00')")
sql(REFRESH)
before, before_w = metric(), counter("api_kpi_windows_served_total")
body = get("")
check("a window holding a day the view cannot render is not kept; the column statement answers it",
      q("SELECT count(*) FROM analytics.mv_kpis_latest WHERE window_json IS NOT NULL") == "0"
      and counter("api_kpi_windows_served_total") == before_w and metric() == before
      and b'"computed_at":"12000-01-01' in body,
      (q("SELECT count(*) FROM analytics.mv_kpis_latest WHERE window_json IS NOT NULL"),
       counter("api_kpi_windows_served_total") - before_w, metric() - before, body[body.find(b"12000") - 80:][:200]))
check("the pipeline's role still owns the view (it refreshes it)",
      q("SELECT pg_get_userbyid(relowner) FROM pg_class WHERE oid = 'analytics.mv_kpis_latest'::regclass")
      in ("corrente_pipeline", q("SELECT current_user")))
finish()
