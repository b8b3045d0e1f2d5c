// GET /api/v1/analytics/kpis, /demand/timeseries, /inventory/timeseries, /inventory/health,
// /inventory/snapshot and /features: read-only views of the pipeline's published results and
// the facts (/forecasts: handlers_forecasts.cpp).
#include "server/handlers_analytics.h"

#include <algorithm>
#include <atomic>
#include <map>

#include "common/dates.h"
#include "schema/partitions.h"
#include "server/series_fill.h"

namespace corrente::server {

void CheckRange(Params& p, const std::optional<std::string>& start,
                const std::optional<std::string>& end) {
  if (!start || !end) return;
  int64_t s = *ParseDate(*start), e = *ParseDate(*end);
  if (s > e)
    p.Fail("start_date", "must not be after end_date");
  else if (e - s >= kMaxSeriesDays)
    p.Fail("start_date", "range must not exceed " + std::to_string(kMaxSeriesDays) + " days");
}

Response SeriesReply(const Ctx& ctx, const pg::Result& rows, const std::string& metadata) {
  if (ctx.csv) return Response{200, "text/csv; charset=utf-8", RowsCsv(rows), {}};
  return Envelope(RowsJson(rows),
                  "{\"total_count\":" + std::to_string(rows.Rows()) + "," + metadata + "}");
}

std::string OptJson(const std::optional<int64_t>& v) { return v ? std::to_string(*v) : "null"; }

ParamDoc DateDoc(const std::string& name, const std::string& d) {
  return {name, "query", "date", {}, d};
}

namespace {

// The latest date of a partitioned fact table (core.fact_demand_daily or
// core.fact_inventory_daily, never request text), as a scalar subquery. `recent`: only rows
// after current_date - 35, so that the executor starts the scans of the last two months'
// partitions (and the later and default ones), not of every month: about 0.05 ms instead of
// 0.4-0.6 ms with three years of monthly partitions. Its answer is the table's latest date
// whenever any row is that recent, and null otherwise; then the full form answers.
std::string LatestDateSql(const char* table, bool recent) {
  return std::string("(SELECT full_date FROM ") + table +
         (recent ? " WHERE full_date > current_date - 35" : "") +
         " ORDER BY full_date DESC LIMIT 1)";
}

// The series window: missing end = latest date in `table`, missing start = end - 89.
// 404 when the item or site does not exist.
struct Window {
  std::string start, end;
};

// The window's columns over x.e (its end): whether the item and the site exist, and the end
// and the start as text. One text per combination of given parameters (no "$1 IS NULL OR"),
// so PostgreSQL keeps a generic plan instead of planning the statement on every call.
std::string WindowColumns(bool item_id, bool site_id) {
  return std::string(item_id ? "EXISTS (SELECT 1 FROM core.dim_item WHERE item_id = $1)"
                             : "$1::int IS NULL") +
         " AS w_item, " +
         (site_id ? "EXISTS (SELECT 1 FROM core.dim_site WHERE site_id = $2)" : "$2::int IS NULL") +
         " AS w_site, x.e::text AS w_end, coalesce($3::date, x.e - 89)::text AS w_start";
}

// The window of WindowColumns' answer (row 0), or the 404 or 400 it calls for.
Window CheckWindow(const pg::Result& r, const std::optional<int64_t>& item_id,
                   const std::optional<int64_t>& site_id) {
  if (!r.GetBool(0, r.Column("w_item")))
    throw ApiError(404, "not_found", "item " + std::to_string(*item_id) + " does not exist");
  if (!r.GetBool(0, r.Column("w_site")))
    throw ApiError(404, "not_found", "site " + std::to_string(*site_id) + " does not exist");
  Window w{r.GetString(0, r.Column("w_start")), r.GetString(0, r.Column("w_end"))};
  // The defaults are computed in SQL and may leave the YYYY-MM-DD range (e.g. an end_date in
  // year 1 puts the default start in 1 BC).
  auto ps = ParseDate(w.start), pe = ParseDate(w.end);
  if (!ps || !pe)
    throw ApiError(400, "invalid_parameter",
                   "start_date/end_date give a window outside years 1-9999");
  int64_t s = *ps, e = *pe;
  if (s > e)
    throw ApiError(400, "invalid_parameter",
                   "start_date must not be after end_date (" + w.end + ")");
  if (e - s >= kMaxSeriesDays)
    throw ApiError(400, "invalid_parameter",
                   "start_date range must not exceed " + std::to_string(kMaxSeriesDays) + " days");
  return w;
}

Window ResolveWindow(Ctx& ctx, const std::optional<int64_t>& item_id,
                     const std::optional<int64_t>& site_id,
                     const std::optional<std::string>& start, const std::optional<std::string>& end,
                     const char* table) {
  auto window = [&](bool recent) {
    return ctx.db.Q("SELECT " + WindowColumns(item_id.has_value(), site_id.has_value()) +
                        " FROM (SELECT coalesce($4::date, " + LatestDateSql(table, recent) +
                        (recent ? "" : ", current_date") +
                        ") AS e OFFSET 0) x",  // OFFSET 0: x.e computed once, not inlined twice
                    item_id, site_id, start, end);
  };
  auto r = window(true);
  if (r.IsNull(0, 2)) r = window(false);  // no row in the last 35 days (or later)
  return CheckWindow(r, item_id, site_id);
}

std::atomic<uint64_t> g_kpi_pages_rendered{0};
std::atomic<uint64_t> g_kpi_windows_served{0};

// The default KPI page (no dates, offset 0) from the latest day's window_json (V079): one
// value instead of 90 rows. nullopt sends the request on: an empty view, a window with a day
// the view could not render, a limit shorter than the window, a schema below V079.
std::optional<Response> KpiWindow(Ctx& ctx, int64_t limit) {
  pg::Result r;
  try {
    r = ctx.db.Query(
        "SELECT window_rows, window_json FROM analytics.mv_kpis_latest"
        " ORDER BY full_date DESC LIMIT 1",
        {});
  } catch (const pg::Error& e) {
    if (e.SqlState() == "42703") return std::nullopt;
    throw;
  }
  if (r.Rows() == 0 || r.IsNull(0, 1) || r.GetInt(0, 0) > limit) return std::nullopt;
  const int64_t n = r.GetInt(0, 0);
  g_kpi_pages_rendered.fetch_add(1, std::memory_order_relaxed);
  g_kpi_windows_served.fetch_add(1, std::memory_order_relaxed);
  return JsonListReply(r.Get(0, 1), n, limit, 0, n, "");
}

Response Kpis(Ctx& ctx) {
  Params p(ctx.req);
  auto start = p.Date("start_date");
  auto end = p.Date("end_date");
  CheckRange(p, start, end);
  int64_t limit = p.Limit(), offset = p.Offset();
  p.Check();
  auto sql = [](const char* columns) {
    return std::string(
               "WITH b AS (SELECT coalesce($2::date, (SELECT max(full_date) FROM "
               "analytics.mv_kpis_latest), current_date) AS e) SELECT ") +
           columns +
           ", count(*) OVER () AS total_count FROM analytics.mv_kpis_latest k, b"
           " WHERE k.full_date BETWEEN coalesce($1::date, b.e - 89) AND b.e"
           " ORDER BY k.full_date LIMIT $3 OFFSET $4";
  };
  // The latest 90 days, the default, as the view kept them whole at its refresh (V079).
  if (!ctx.csv && !start && !end && offset == 0)
    if (auto window = KpiWindow(ctx, limit)) return std::move(*window);
  // In JSON, each day's row as the view rendered it at its refresh (V070); the column
  // statement answers CSV, a page with a day the view could not render, and a schema below V070.
  if (!ctx.csv) {
    try {
      Page page = PageQuery(ctx.db, sql("k.api_json"), {start, end}, limit, offset);
      if (auto res = RenderedListReply(page.rows, 0, page.total, limit, offset, "")) {
        g_kpi_pages_rendered.fetch_add(1, std::memory_order_relaxed);
        return std::move(*res);
      }
    } catch (const pg::Error& e) {
      if (e.SqlState() != "42703") throw;
    }
  }
  return ListPage(ctx,
                  sql("k.full_date, k.total_demand, k.stockout_rate, k.abc_a_share,"
                      " k.delayed_orders_pct, k.forecast_mape, k.forecast_wape,"
                      " k.avg_inventory_value, k.computed_at, k.run_id"),
                  {start, end}, limit, offset);
}

// Whether core.demand_item_daily (V064) is kept by its triggers (one answer per process, asked
// again after the rollup went away). A distributed database (db upgrade --distributed) has no
// rollup; its series read the fact.
bool DemandRollupOn(Ctx& ctx) {
  return schema::DemandRollupKept(
      [&ctx] { return ctx.db.Q(schema::kDemandRollupKeptSql).GetBool(0, 0); });
}

// The buckets of the demand series that have rows. With `rollup` (every site summed, where the
// rollup is kept): from the rollup (one row per item and day, a tenth of the fact's rows with
// ten sites) for the window [w.s, w.e] of the statement's window w; one item by its primary key,
// by day without grouping, the portfolio by its date index (V069). Otherwise from the fact for
// the window [$3, $4], given as values so that PostgreSQL prunes the monthly partitions when it
// plans (a window from w prunes them while running, and its plan was 2-3 times slower). A
// statement per filter combination rather than "site_id = $2 OR $2 IS NULL", so each gets an
// index plan.
std::string DemandBucketsSql(bool item, bool site, Granularity g, bool rollup) {
  const std::string s = rollup ? "w.s" : "$3::date", e = rollup ? "w.e" : "$4::date";
  std::string sql;
  const bool grouped = !(rollup && item && g == Granularity::kDay);
  if (!grouped)
    sql = "SELECT full_date, round(quantity, 4) AS quantity FROM core.demand_item_daily"
          " WHERE item_id = $1::int AND $2::int IS NULL AND $5::text = 'day' AND full_date"
          " BETWEEN " + s + " AND " + e;
  else
    // Days first, then their buckets: date_trunc once per day, not once per row.
    sql = std::string("SELECT date_trunc($5, full_date::timestamp)::date AS full_date,"
                      " round(sum(q), 4) AS quantity FROM (SELECT full_date, sum(quantity) AS q"
                      " FROM ") +
          (rollup ? "core.demand_item_daily" : "core.fact_demand_daily") +
          " WHERE full_date BETWEEN " + s + " AND " + e +
          (item ? " AND item_id = $1::int" : " AND $1::int IS NULL") +
          (site ? " AND site_id = $2::int" : " AND $2::int IS NULL") + " GROUP BY full_date) x"
          " GROUP BY 1";
  // Beside its window: nothing read unless the window is one CheckWindow takes. A one-time
  // filter, so the subquery must not be pulled up into the join (OFFSET 0).
  if (rollup)
    sql += std::string(grouped ? " HAVING" : " AND") +
           " w.w_item AND w.w_site AND w.s >= date '0001-01-01' AND w.e - w.s BETWEEN 0 AND " +
           std::to_string(kMaxSeriesDays - 1) + (grouped ? "" : " OFFSET 0");
  return sql;
}

Response DemandSeries(Ctx& ctx) {
  Params p(ctx.req);
  auto item = p.Int("item_id", 1, kMaxId);
  auto site = p.Int("site_id", 1, kMaxId);
  auto start = p.Date("start_date");
  auto end = p.Date("end_date");
  auto gran = p.Enum("granularity", {"day", "week", "month"}).value_or("day");
  CheckRange(p, start, end);
  p.Check();
  const Granularity g = *ParseGranularity(gran);
  // A missing demand row means zero demand: PostgreSQL returns the buckets with rows, and
  // FillBuckets writes every bucket of the window. From the rollup (every site summed, one
  // PostgreSQL, not Citus) the window comes in the same statement, its latest date from the
  // rollup's date index instead of the partitioned fact's: one round trip, no partition scans.
  bool rollup = !site && DemandRollupOn(ctx);
  Window w;
  pg::Result rows;
  if (rollup) {
    try {
      rows = ctx.db.Q(
          "WITH w AS MATERIALIZED (SELECT " + WindowColumns(item.has_value(), false) +
              ", x.e, coalesce($3::date, x.e - 89) AS s FROM (SELECT coalesce($4::date, " +
              schema::kLatestDemandDateFromRollupSql +
              ", current_date) AS e OFFSET 0) x)"
              " SELECT w.w_item, w.w_site, w.w_end, w.w_start, d.full_date, d.quantity FROM w"
              " LEFT JOIN LATERAL (" +
              DemandBucketsSql(item.has_value(), false, g, true) +
              ") d ON true ORDER BY d.full_date",
          item, site, start, end, gran);
      w = CheckWindow(rows, item, site);
    } catch (const pg::Error& e) {
      if (e.SqlState() != "42P01") throw;  // the rollup dropped: the fact answers
      schema::ForgetDemandRollup();
      rollup = false;
    }
  }
  if (!rollup) {
    w = ResolveWindow(ctx, item, site, start, end, "core.fact_demand_daily");
    rows = ctx.db.Q(DemandBucketsSql(item.has_value(), site.has_value(), g, false) + " ORDER BY 1",
                    item, site, w.start, w.end, gran);
  }
  const int date_col = rows.Column("full_date"), q_col = rows.Column("quantity");
  std::vector<SeriesPoint> points;
  for (int i = 0; i < rows.Rows(); ++i) {
    if (rows.IsNull(i, date_col)) continue;  // the window's row with no bucket
    auto day = ParseDate(rows.Get(i, date_col));
    if (!day) throw std::runtime_error("demand series: unexpected date " +
                                       std::string(rows.Get(i, date_col)));
    points.push_back({*day, rows.Get(i, q_col)});
  }
  auto filled = FillBuckets(*ParseDate(w.start), *ParseDate(w.end), g, points);
  if (ctx.csv) return Response{200, "text/csv; charset=utf-8", SeriesCsv(filled), {}};
  return Envelope(SeriesJson(filled),
                  "{\"total_count\":" + std::to_string(filled.size()) + ",\"item_id\":" +
                      OptJson(item) + ",\"site_id\":" + OptJson(site) + ",\"start_date\":" +
                      JsonString(w.start) + ",\"end_date\":" + JsonString(w.end) +
                      ",\"granularity\":" + JsonString(gran) + "}");
}

// The latest published run as metadata "policy_run" ({run_id, as_of, published_at} or null),
// and the latest inventory day. Policy columns of the inventory endpoints come from this run.
struct PolicyRun {
  std::optional<std::string> run_id, day;
  std::string json;
};
PolicyRun LatestPolicyRun(Ctx& ctx) {
  auto latest = [&](bool recent) {
    return ctx.db.Q(std::string("SELECT ") + LatestDateSql("core.fact_inventory_daily", recent) +
                    "::text AS day, r.run_id, r.as_of, r.finished_at AS published_at"
                    " FROM (SELECT 1) x LEFT JOIN analytics.pipeline_runs r ON r.run_id = (" +
                    kLatestRun + ")");
  };
  auto r = latest(true);
  if (r.IsNull(0, 0)) r = latest(false);  // no inventory row in the last 35 days (or later)
  PolicyRun p{r.GetOpt(0, 1), r.GetOpt(0, 0), "\"policy_run\":null"};
  if (p.run_id) {
    p.json = "\"policy_run\":";
    AppendRowJson(p.json, r, 0, {"day"});
  }
  return p;
}

Response InventorySeries(Ctx& ctx) {
  Params p(ctx.req);
  auto item = p.RequiredInt("item_id", 1, kMaxId);
  auto site = p.Int("site_id", 1, kMaxId);
  auto start = p.Date("start_date");
  auto end = p.Date("end_date");
  CheckRange(p, start, end);
  p.Check();
  Window w = ResolveWindow(ctx, *item, site, start, end, "core.fact_inventory_daily");
  auto rows = ctx.db.Q(
      "SELECT full_date, site_id, current_stock, safety_stock, reorder_point, days_to_rupture"
      " FROM core.fact_inventory_daily"
      " WHERE item_id = $1 AND ($2::int IS NULL OR site_id = $2) AND full_date BETWEEN $3::date "
      "AND $4::date"
      " ORDER BY full_date, site_id",
      *item, site, w.start, w.end);
  // Rows keep the history as recorded; the current policy per site goes in metadata.
  PolicyRun run = LatestPolicyRun(ctx);
  auto policy = ctx.db.Q(
      "SELECT site_id, safety_stock, reorder_point, order_up_to, days_to_rupture, lead_time_days,"
      " service_level, avg_daily_demand FROM analytics.inventory_policy"
      " WHERE run_id = $1::bigint AND item_id = $2 AND ($3::int IS NULL OR site_id = $3)"
      " ORDER BY site_id",
      run.run_id, *item, site);
  return SeriesReply(ctx, rows,
                     "\"item_id\":" + std::to_string(*item) + ",\"site_id\":" + OptJson(site) +
                         ",\"start_date\":" + JsonString(w.start) + ",\"end_date\":" +
                         JsonString(w.end) + "," + run.json + ",\"policy\":" + RowsJson(policy));
}

// Coverage days and stock value of a row of InventoryDaySql() (in its snap, or a page of it).
constexpr const char* kCover = "current_stock / nullif(avg_daily_demand, 0)";
constexpr const char* kValue = "current_stock * coalesce(unit_cost, 0)";
// Money at stake, shaped as decide::PriorityScore without the forecast's spread: the units short
// over the lead time even counting what is on order (lead time x daily demand - stock - on
// order) x criticality weight, valued at unit cost (PriorityScore values a shortage at the price).
constexpr const char* kStake =
    "greatest(coalesce(lead_time_days * avg_daily_demand, 0) - coalesce(current_stock, 0)"
    " - coalesce(on_order, 0), 0) * coalesce(unit_cost, 0)"
    " * (0.5 + least(greatest(coalesce(criticality, 0), 0), 10) / 10.0)";

// The latest inventory day's active item x site pairs with the latest run's policy.
// $1 site_id, $2 abc_class (optional), $3 the day, $4 the run. Coverage = stock / mean daily
// demand of the policy's 90 days; at risk = in stock but days to rupture < lead time.
// The run's policy rows are read once and hash-joined (p, MATERIALIZED): the planner guessed
// 250 rows for the day's 5,000 and probed the policy's key once per row.
std::string InventoryDaySql() {
  return std::string(
             "WITH p AS MATERIALIZED (SELECT item_id, site_id, safety_stock, reorder_point,"
             " days_to_rupture, lead_time_days, avg_daily_demand, on_order"
             " FROM analytics.inventory_policy"
             " WHERE run_id = $4::bigint AND ($1::int IS NULL OR site_id = $1)),"
             " snap AS (SELECT v.full_date, v.item_id, i.sku, i.name AS item_name, i.abc_class,"
             " i.criticality, v.site_id, s.code AS site_code, s.name AS site_name,"
             " v.current_stock, p.safety_stock, p.reorder_point, p.days_to_rupture,"
             " p.lead_time_days, p.avg_daily_demand, p.on_order, i.unit_cost, ") +
         kCover + " AS cover, " + kValue +
         " AS value, v.current_stock = 0 AS stockout,"
         " coalesce(v.current_stock > 0 AND p.days_to_rupture < p.lead_time_days, false) AS"
         " at_risk FROM core.fact_inventory_daily v"
         " JOIN core.dim_item i ON i.item_id = v.item_id AND i.active"
         " JOIN core.dim_site s ON s.site_id = v.site_id AND s.active"
         " LEFT JOIN p ON p.item_id = v.item_id AND p.site_id = v.site_id"
         " WHERE v.full_date = $3::date AND ($1::int IS NULL OR v.site_id = $1)"
         " AND ($2::text IS NULL OR i.abc_class = $2)) ";
}

// The inventory-day handlers' common part: site_id, abc_class, the page and the run.
struct DayQuery {
  std::optional<int64_t> site;
  std::optional<std::string> abc;
  int64_t limit = 0, offset = 0;
  PolicyRun run;
};
DayQuery ParseDayQuery(Ctx& ctx, Params& p) {
  DayQuery q;
  q.site = p.Int("site_id", 1, kMaxId);
  q.abc = p.Enum("abc_class", {"A", "B", "C"});
  q.limit = p.Limit();
  q.offset = p.Offset();
  p.Check();
  q.run = LatestPolicyRun(ctx);
  return q;
}

// Runs InventoryDaySql() + `select` ($5.. are `extra`, then LIMIT and OFFSET) as a list page.
Response DayReply(Ctx& ctx, const DayQuery& q, const std::string& select,
                  const std::vector<pg::Param>& extra, const std::string& metadata = "") {
  std::vector<pg::Param> params{pg::ToParam(q.site), q.abc, q.run.day, q.run.run_id};
  params.insert(params.end(), extra.begin(), extra.end());
  return ListPage(ctx, InventoryDaySql() + select, std::move(params), q.limit, q.offset,
                  "\"date\":" + (q.run.day ? JsonString(*q.run.day) : std::string("null")) + "," +
                      q.run.json + metadata);
}

Response InventoryHealth(Ctx& ctx) {
  Params p(ctx.req);
  DayQuery q = ParseDayQuery(ctx, p);
  return DayReply(
      ctx, q,
      "SELECT site_id, site_code, site_name, abc_class, count(*) AS items,"
      " count(*) FILTER (WHERE at_risk) AS at_risk, count(*) FILTER (WHERE stockout) AS stockouts,"
      " round(percentile_cont(0.5) WITHIN GROUP (ORDER BY cover::float8)::numeric, 1) AS"
      " median_coverage_days, round(avg(cover), 1) AS avg_coverage_days,"
      " round(sum(value), 2) AS inventory_value, count(*) OVER () AS total_count"
      // OFFSET 0: each row's coverage computed once, not once per aggregate that reads it.
      " FROM (SELECT site_id, site_code, site_name, abc_class, at_risk, stockout, cover, value"
      " FROM snap OFFSET 0) snap GROUP BY site_id, site_code, site_name, abc_class"
      " ORDER BY site_id, abc_class NULLS LAST LIMIT $5 OFFSET $6",
      {});
}

// sort key -> ORDER BY clause of the snapshot. Only these strings reach the SQL text.
const std::map<std::string, std::string>& SnapshotSorts() {
  static const std::map<std::string, std::string> m{
      // Ties (same days to rupture) by money at stake, then item and site.
      {"days_to_rupture", std::string("days_to_rupture, ") + kStake + " DESC, item_id, site_id"},
      {"-days_to_rupture",
       std::string("days_to_rupture DESC, ") + kStake + " DESC, item_id, site_id"},
      {"coverage_days", "cover, item_id, site_id"},
      {"-coverage_days", "cover DESC, item_id, site_id"},
      {"current_stock", "current_stock, item_id, site_id"},
      {"-current_stock", "current_stock DESC, item_id, site_id"},
      {"stock_value", "value, item_id, site_id"},
      {"-stock_value", "value DESC, item_id, site_id"},
      {"sku", "sku, site_id"},
      {"-sku", "sku DESC, site_id"},
  };
  return m;
}

std::vector<std::string> SnapshotSortKeys() {
  std::vector<std::string> v;
  for (const auto& [k, _] : SnapshotSorts()) v.push_back(k);
  return v;
}

// Comma-separated ids (at most 1000) as an int[] literal, e.g. "{3,7}".
std::optional<std::string> IdList(Params& p, const std::string& name) {
  auto v = p.Text(name, 12000);
  if (!v) return std::nullopt;
  std::string out = "{";
  size_t n = 0, start = 0;
  while (start <= v->size()) {
    size_t end = std::min(v->find(',', start), v->size());
    std::string id = v->substr(start, end - start);
    bool digits =
        !id.empty() && id.size() <= 10 && id.find_first_not_of("0123456789") == std::string::npos;
    if (!digits || std::stoll(id) < 1 || std::stoll(id) > kMaxId || ++n > 1000) {
      p.Fail(name,
             "must be at most 1000 comma-separated ids between 1 and " + std::to_string(kMaxId));
      return std::nullopt;
    }
    out += (n > 1 ? "," : "") + id;
    start = end + 1;
  }
  return out + "}";
}

Response InventorySnapshot(Ctx& ctx) {
  Params p(ctx.req);
  auto item_ids = IdList(p, "item_ids");
  auto at_risk = p.Bool("at_risk");
  auto stockout = p.Bool("stockout");
  auto sort = p.Enum("sort", SnapshotSortKeys()).value_or("days_to_rupture");
  DayQuery q = ParseDayQuery(ctx, p);
  // The page is cut first, and its coverage and value computed for its rows only (numeric
  // division for every row of the day was most of the statement), unless the sort needs them.
  const std::string order = " ORDER BY " + SnapshotSorts().at(sort);
  return DayReply(
      ctx, q,
      "SELECT full_date, item_id, sku, item_name, abc_class, criticality, site_id, site_code,"
      " site_name, current_stock, safety_stock, reorder_point, days_to_rupture, lead_time_days,"
      " round(cover, 1) AS coverage_days, round(value, 2) AS stock_value, round(" +
          std::string(kStake) + ", 2) AS money_at_stake, stockout, at_risk,"
      " CASE WHEN stockout THEN 'stockout' WHEN at_risk THEN 'at_risk' ELSE 'ok' END AS risk,"
      " total_count FROM (SELECT x.*, " +
          std::string(kCover) + " AS cover, " + kValue +
          " AS value FROM (SELECT full_date, item_id, sku, item_name, abc_class, criticality,"
      " site_id, site_code, site_name, current_stock, safety_stock, reorder_point, days_to_rupture,"
      " lead_time_days, avg_daily_demand, on_order, unit_cost, stockout, at_risk,"
      " count(*) OVER () AS total_count FROM snap WHERE ($5::boolean IS NULL OR at_risk = $5)"
      " AND ($6::boolean IS NULL OR stockout = $6)"
      " AND ($7::int[] IS NULL OR item_id = ANY ($7::int[]))" + order +
          " LIMIT $8 OFFSET $9) x) y" + order,
      {pg::ToParam(at_risk), pg::ToParam(stockout), item_ids}, ",\"sort\":" + JsonString(sort));
}

Response Features(Ctx& ctx) {
  Params p(ctx.req);
  auto item = p.Int("item_id", 1, kMaxId);
  auto site = p.Int("site_id", 1, kMaxId);
  auto start = p.Date("start_date");
  auto end = p.Date("end_date");
  CheckRange(p, start, end);
  int64_t limit = p.Limit(), offset = p.Offset();
  p.Check();
  return ListPage(
      ctx,
      "SELECT x.*, count(*) OVER () AS total_count FROM ("
      " SELECT DISTINCT ON (item_id, site_id, full_date) full_date, item_id, site_id, features,"
      " schema_version, computed_at, run_id FROM analytics.features_store"
      " WHERE ($1::int IS NULL OR item_id = $1) AND ($2::int IS NULL OR site_id = $2)"
      " AND ($3::date IS NULL OR full_date >= $3) AND ($4::date IS NULL OR full_date <= $4)"
      " ORDER BY item_id, site_id, full_date, computed_at DESC, feature_id DESC) x"
      " ORDER BY x.item_id, x.site_id NULLS FIRST, x.full_date LIMIT $5 OFFSET $6",
      {pg::ToParam(item), pg::ToParam(site), start, end}, limit, offset);
}

}  // namespace

uint64_t KpiPagesRendered() { return g_kpi_pages_rendered.load(std::memory_order_relaxed); }
uint64_t KpiWindowsServed() { return g_kpi_windows_served.load(std::memory_order_relaxed); }

void AddAnalyticsRoutes(std::vector<ApiRoute>& routes, Services& s) {
  routes.push_back({"GET",
                    "/api/v1/analytics/kpis",
                    Role::kViewer,
                    true,
                    true,
                    "analytics",
                    "Daily KPIs of the latest computation (default: the last 90 days with data)",
                    {DateDoc("start_date", "first day (default end_date - 89)"),
                     DateDoc("end_date", "last day (default the latest KPI day)"), LimitDoc(),
                     OffsetDoc(), FormatDoc()},
                    "",
                    Kpis});
  routes.push_back(
      {"GET",
       "/api/v1/demand/timeseries",
       Role::kViewer,
       true,
       true,
       "analytics",
       "Demand of one item (or of all items summed), zero-filled, summed over all sites unless "
       "site_id is given",
       {{"item_id", "query", "integer", {}, "item (default: all items summed)"},
        {"site_id", "query", "integer", {}, "site (default: all sites summed)"},
        DateDoc("start_date", "first day (default end_date - 89)"),
        DateDoc("end_date", "last day (default the latest demand day)"),
        {"granularity", "query", "string", {"day", "week", "month"}, "bucket (default day)"},
        FormatDoc()},
       "",
       DemandSeries});
  routes.push_back(
      {"GET",
       "/api/v1/inventory/timeseries",
       Role::kViewer,
       true,
       true,
       "analytics",
       "Daily stock of one item per site as recorded; metadata.policy: the latest run's safety"
       " stock, reorder point and days to rupture per site",
       {{"item_id", "query", "integer", {}, "item", true},
        {"site_id", "query", "integer", {}, "site (default: every site, one row per site and day)"},
        DateDoc("start_date", "first day (default end_date - 89)"),
        DateDoc("end_date", "last day (default the latest inventory day)"),
        FormatDoc()},
       "",
       InventorySeries});
  routes.push_back(
      {"GET",
       "/api/v1/inventory/health",
       Role::kViewer,
       true,
       true,
       "analytics",
       "Inventory health per site and ABC class on the latest inventory day: items, items at risk"
       " (in stock, days to rupture < lead time), stockouts, median and mean coverage days, value",
       {{"site_id", "query", "integer", {}, "site"},
        {"abc_class", "query", "string", {"A", "B", "C"}, "ABC class"},
        LimitDoc(),
        OffsetDoc(),
        FormatDoc()},
       "",
       InventoryHealth});
  routes.push_back(
      {"GET",
       "/api/v1/inventory/snapshot",
       Role::kViewer,
       true,
       true,
       "analytics",
       "Every active item x site on the latest inventory day with the latest run's policy",
       {{"site_id", "query", "integer", {}, "site"},
        {"abc_class", "query", "string", {"A", "B", "C"}, "ABC class"},
        {"item_ids", "query", "string", {}, "only these items: up to 1000 comma-separated ids"},
        {"at_risk", "query", "boolean", {}, "in stock but days to rupture < lead time"},
        {"stockout", "query", "boolean", {}, "stock is zero"},
        {"sort", "query", "string", SnapshotSortKeys(),
         "sort key (default days_to_rupture); a leading - sorts descending"},
        LimitDoc(),
        OffsetDoc(),
        FormatDoc()},
       "",
       InventorySnapshot});
  // The forecasts' routes keep their place, here in the table and in the OpenAPI document.
  AddForecastRoutes(routes, s);
  routes.push_back({"GET",
                    "/api/v1/features",
                    Role::kViewer,
                    true,
                    true,
                    "analytics",
                    "Feature vectors (the latest computation per item, site and day)",
                    {{"item_id", "query", "integer", {}, "item"},
                     {"site_id", "query", "integer", {}, "site"},
                     DateDoc("start_date", "first day"),
                     DateDoc("end_date", "last day"),
                     LimitDoc(),
                     OffsetDoc(),
                     FormatDoc()},
                    "",
                    Features});
}

}  // namespace corrente::server
