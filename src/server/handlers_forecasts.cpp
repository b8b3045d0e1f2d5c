// GET /api/v1/forecasts and /forecasts/total: the latest published run's forecasts, per series
// (from the published page when it can) and summed per day, with approved overrides applied.
#include <atomic>

#include "server/effective_forecast.h"
#include "server/forecast_page.h"
#include "server/forecast_totals.h"
#include "server/handlers.h"
#include "server/handlers_analytics.h"

namespace corrente::server {
namespace {

std::atomic<uint64_t> g_pages_served{0};

// The latest run (r), its header (h_run_id, h_computed_at) and, with an item, the item's
// backtest accuracy (a_: one site, or the mean over its sites, as ratios): the start of both
// forms of /forecasts, columns 0-1 and 2-8. Nothing correlated over a reference table
// (pipeline_runs, overrides): Citus plans none.
struct ForecastHeader {
  std::string select;  // "WITH r ... SELECT h.*, a.*": more columns may follow
  std::string from;    // " FROM h CROSS JOIN a": more joins may follow
};
ForecastHeader ForecastHeaderSql(bool item, bool site) {
  const std::string run = "(SELECT run_id FROM r)";
  ForecastHeader sql;
  sql.select =
      std::string("WITH r AS MATERIALIZED (SELECT run_id, finished_at FROM analytics.pipeline_runs"
                  " WHERE run_id = (") + kLatestRun + ")) SELECT h.*" + (item ? ", a.*" : "");
  std::string& from = sql.from;
  // The run's first row in the order of its index (run_id, item_id, site_id, full_date): a bare
  // LIMIT 1 let the planner scan the table from the start, through every older run's rows
  // (50 ms with one older run of 450,000 rows kept).
  from = " FROM (SELECT " + run + " AS h_run_id, coalesce((SELECT f.computed_at FROM"
                     " analytics.forecasts f WHERE f.run_id = " + run +
                     " ORDER BY f.run_id, f.item_id, f.site_id, f.full_date LIMIT 1),"
                     " (SELECT finished_at FROM r)) AS h_computed_at) h";
  if (item)
    from += " CROSS JOIN (SELECT round(avg(mape) / 100, 4) AS a_mape, round(avg(wape) / 100, 4)"
            " AS a_wape, round(avg(bias), 4) AS a_bias, round(avg(mase), 4) AS a_mase,"
            " sum(n_points)::bigint AS a_n_points, min(model_tag) AS a_model_tag, count(*) AS a_n"
            " FROM analytics.forecast_accuracy WHERE run_id = " + run + " AND item_id = $1" +
            GivenOnly({{site, "site_id = $2", "$2::int"}}) + ") a";
  return sql;
}

// The metadata of ForecastHeader's columns in row 0 of `rows`.
std::string ForecastMeta(const pg::Result& rows, bool item) {
  if (rows.IsNull(0, 0)) return "\"run_id\":null,\"computed_at\":null";
  std::optional<std::string> computed = rows.GetOpt(0, 1);
  std::string meta = "\"run_id\":" + rows.GetString(0, 0) +
                     ",\"computed_at\":" + (computed ? JsonString(IsoTimestamp(*computed)) : "null");
  if (!item) return meta;
  auto num = [&](int col) {  // a NaN accuracy (numeric allows it) as null, as in the rows
    return rows.IsNull(0, col) || NonFiniteNumber(rows.Get(0, col)) ? std::string("null")
                                                                     : rows.GetString(0, col);
  };
  return meta + (rows.GetInt(0, 8) == 0
                     ? std::string(",\"accuracy\":null")
                     : ",\"accuracy\":{\"mape\":" + num(2) + ",\"wape\":" + num(3) +
                           ",\"bias\":" + num(4) + ",\"mase\":" + num(5) +
                           ",\"n_points\":" + num(6) + ",\"model_tag\":" +
                           (rows.IsNull(0, 7) ? "null" : JsonString(rows.GetString(0, 7))) + "}");
}

// One series as published (analytics.forecast_pages, V078: its rows' values and the answer's
// metadata rendered at publish, the rows written out here as this endpoint writes them), read
// as one value instead of 90 rows, with the latest run only (no accuracy aggregate). For the
// first page of a whole series in JSON, when no approved override applies; nullopt sends the
// request to the row-by-row statement (no page for this run, an override, a page shorter than
// the series, a page that does not read).
std::optional<Response> PublishedPage(Ctx& ctx, int64_t item, int64_t site, int64_t limit) {
  pg::Result r;
  try {
    r = ctx.db.Query(std::string("SELECT p.n_rows, p.row_tail, p.rows_compact, p.meta_json, ") +
                         AnyApprovedOverride(" AND g.item_id = $1 AND g.site_id = $2") +
                         " AS p_override FROM (" + kLatestRun +
                         ") r JOIN analytics.forecast_pages p ON p.run_id = r.run_id"
                         " AND p.item_id = $1 AND p.site_id = $2",
                     {std::to_string(item), std::to_string(site)});
  } catch (const pg::Error& e) {
    // A schema downgraded below V078 (or V066) under a running server: the statement answers.
    if (e.SqlState() == "42P01" || e.SqlState() == "42703") return std::nullopt;
    throw;
  }
  // A page rendered with a NaN accuracy (V078 writes its text as it is) is not JSON.
  if (r.Rows() == 0 || r.GetBool(0, 4) || r.GetInt(0, 0) > limit || !FiniteJson(r.Get(0, 3)))
    return std::nullopt;
  const int64_t n = r.GetInt(0, 0);
  std::string rows;
  if (!AppendForecastPage(rows, r.Get(0, 2), r.Get(0, 1), item, site, n)) return std::nullopt;
  g_pages_served.fetch_add(1, std::memory_order_relaxed);
  return JsonListReply(rows, n, limit, 0, n, std::string(r.Get(0, 3)));
}

Response Forecasts(Ctx& ctx) {
  Params p(ctx.req);
  auto item = p.Int("item_id", 1, kMaxId);
  auto site = p.Int("site_id", 1, kMaxId);
  auto horizon = p.Int("horizon", 1, 3660);
  auto start = p.Date("start_date");
  auto end = p.Date("end_date");
  CheckRange(p, start, end);
  int64_t limit = p.Limit(), offset = p.Offset();
  p.Check();
  if (item && site && !horizon && !start && !end && offset == 0 && !ctx.csv)
    if (auto page = PublishedPage(ctx, *item, *site, limit)) return std::move(*page);
  const std::string filters =
      GivenOnly({{item.has_value(), "f.item_id = $1", "$1::int"},
                 {site.has_value(), "f.site_id = $2", "$2::int"},
                 {horizon.has_value(), "f.horizon_days <= $3", "$3::int"},
                 {start.has_value(), "f.full_date >= $4", "$4::date"},
                 {end.has_value(), "f.full_date <= $5", "$5::date"}});
  const std::string order = " ORDER BY f.item_id, f.site_id, f.full_date LIMIT $6 OFFSET $7";
  std::vector<pg::Param> params{pg::ToParam(item), pg::ToParam(site), pg::ToParam(horizon), start,
                                end};
  auto page = [&](const std::string& columns, const std::string& join, const std::string& run,
                  const std::string& also) {
    return "SELECT f.full_date, f.item_id, f.site_id, f.horizon_days, " + columns +
           ", f.confidence_level, f.model_tag, f.computed_at, count(*) OVER () AS total_count"
           " FROM analytics.forecasts f" + join + " WHERE f.run_id = " + run + filters + also +
           order;
  };
  // A CSV export streams the rows only (no metadata).
  if (Streams(ctx, limit))
    return ListPage(ctx,
                    page(EffectiveColumns(), OverrideJoin(), std::string("(") + kLatestRun + ")", ""),
                    std::move(params), limit, offset);
  // One statement, so one snapshot: a reader sees one run's forecasts, never a mix. The header
  // and the page, the run looked up once (r). With item_id the page runs in one of two forms:
  // without the override join when no approved override exists for the series (its 90 probes
  // were a third of the statement), else with it. With an empty page the one row has the
  // header columns only (full_date null).
  const std::string run = "(SELECT run_id FROM r)";
  const std::string any = AnyApprovedOverride(
      GivenOnly({{item.has_value(), "g.item_id = $1", "$1::int"},
                 {site.has_value(), "g.site_id = $2", "$2::int"}}));
  const ForecastHeader head = ForecastHeaderSql(item.has_value(), site.has_value());
  // The two forms with item_id only: that is one shard on Citus, which refuses an outer join
  // beside a pseudoconstant qual (the EXISTS) in a query over every shard (PG 15 and 16).
  const std::string rows_sql =
      item ? "(" + page(PlainColumns(), "", run, " AND NOT " + any) + ") UNION ALL (" +
                 page(EffectiveColumns(), OverrideJoin(), run, " AND " + any) + ")"
           : page(EffectiveColumns(), OverrideJoin(), run, "");
  const std::string sql = head.select + ", p.*" + head.from + " LEFT JOIN (" +
                          rows_sql + ") p ON true ORDER BY p.item_id, p.site_id, p.full_date";
  Page result = PageQuery(ctx.db, sql, std::move(params), limit, offset);
  const pg::Result& rows = result.rows;
  const int n = rows.IsNull(0, rows.Column("full_date")) ? 0 : rows.Rows();
  static const std::set<std::string> header{"h_run_id", "h_computed_at", "a_mape",    "a_wape",
                                            "a_bias",   "a_mase",        "a_n_points", "a_model_tag",
                                            "a_n"};
  return ListReply(ctx, rows, result.total, limit, offset, ForecastMeta(rows, item.has_value()),
                   header, n);
}

// The latest run's forecasts summed per day over all items (and sites unless site_id): the
// portfolio's expected demand. The bounds are sums of the series' bounds, so the band is wider
// than the total's own interval would be (the series' errors partly cancel).
Response ForecastTotal(Ctx& ctx) {
  Params p(ctx.req);
  auto site = p.Int("site_id", 1, kMaxId);
  auto horizon = p.Int("horizon", 1, 3660);
  p.Check();
  auto run = ctx.db.Q(std::string("SELECT (") + kLatestRun + ")::text");
  std::optional<std::string> run_id = run.GetOpt(0, 0);
  const std::string meta = "\"run_id\":" + run_id.value_or("null") + ",\"site_id\":" +
                           OptJson(site) + ",\"horizon\":" + OptJson(horizon) +
                           ",\"bounds\":\"sums of the series' 80% bounds\"";
  // The totals the publish wrote (V073), a few milliseconds; the statement below is the
  // reference and the fallback (a run without totals, a schema below V073).
  if (run_id)
    if (auto totals = PublishedForecastTotals(ctx.db, site, horizon, *run_id))
      return SeriesReply(ctx, *totals, meta);
  // The series without an approved override summed as they are (a hash anti-join), and only the
  // others through the override lookup: a lookup per row of every series took two thirds of the
  // statement (300 of 460 ms with 5,000 series).
  const std::string where =
      " WHERE f.run_id = $3::bigint AND ($1::int IS NULL OR f.site_id = $1)"
      " AND ($2::int IS NULL OR f.horizon_days <= $2) AND ";
  const std::string any =
      AnyApprovedOverride(" AND g.item_id = f.item_id AND g.site_id = f.site_id");
  auto rows = ctx.db.Q(
      "SELECT x.full_date, round(sum(x.yhat), 4) AS yhat,"
      " round(sum(x.yhat_lower), 4) AS yhat_lower,"
      " round(sum(x.yhat_upper), 4) AS yhat_upper, count(*) AS series,"
      " count(x.override_id) AS overridden FROM ("
      " SELECT f.full_date, f.yhat::numeric(18,4) AS yhat,"
      " f.yhat_lower::numeric(18,4) AS yhat_lower, f.yhat_upper::numeric(18,4) AS yhat_upper,"
      " NULL::bigint AS override_id FROM analytics.forecasts f" + where + "NOT " + any +
          " UNION ALL SELECT f.full_date, " + Effective("yhat") + ", " + Effective("yhat_lower") +
          ", " + Effective("yhat_upper") + ", ov.override_id FROM analytics.forecasts f" +
          OverrideJoin() + where + any + ") x GROUP BY x.full_date ORDER BY x.full_date",
      site, horizon, run_id);
  return SeriesReply(ctx, rows, meta);
}

}  // namespace

uint64_t ForecastPagesServed() { return g_pages_served.load(std::memory_order_relaxed); }

void AddForecastRoutes(std::vector<ApiRoute>& routes, Services&) {
  routes.push_back({"GET",
                    "/api/v1/forecasts",
                    Role::kViewer,
                    true,
                    true,
                    "analytics",
                    "Forecasts of the latest published run (yhat_lower/upper: 80%; *_95: 95%)",
                    {{"item_id", "query", "integer", {}, "item"},
                     {"site_id", "query", "integer", {}, "site"},
                     {"horizon", "query", "integer", {}, "only rows with horizon_days <= horizon"},
                     DateDoc("start_date", "first forecast day"),
                     DateDoc("end_date", "last forecast day"),
                     LimitDoc(),
                     OffsetDoc(),
                     FormatDoc()},
                    "",
                    Forecasts});
  routes.push_back({"GET",
                    "/api/v1/forecasts/total",
                    Role::kViewer,
                    true,
                    true,
                    "analytics",
                    "The latest run's forecasts summed per day over all items (and sites); "
                    "bounds are sums of the series' 80% bounds",
                    {{"site_id", "query", "integer", {}, "site (default: all sites summed)"},
                     {"horizon", "query", "integer", {}, "only rows with horizon_days <= horizon"},
                     FormatDoc()},
                    "",
                    ForecastTotal});
}

}  // namespace corrente::server
