// GET /api/v1/items/{id}/projection: the item page's look forward. Projected stock per day of
// the latest run's horizon (decide::ProjectStock), the policy levels, the supplier, the open
// orders, and where the item is short or has surplus per site (decide::Balances).
#include <algorithm>
#include <cmath>

#include "common/dates.h"
#include "decide/balance.h"
#include "decide/projection.h"
#include "decide/text.h"
#include "server/handlers.h"

namespace corrente::server {
namespace {


std::string Num(double v) { return std::isfinite(v) ? decide::Fixed(v, 4) : "null"; }
std::string Num(const std::optional<double>& v) { return v ? Num(*v) : "null"; }
std::optional<double> OptDouble(const pg::Result& r, int row, int col) {
  if (r.IsNull(row, col)) return std::nullopt;
  return r.GetDouble(row, col);
}

// The statements, all in one snapshot. $1 item, $2 site (null: every site), and the latest
// run through kLatestRun. Open orders are the pipeline's: PLACED or DELAYED, not delivered,
// ordered by the run's as_of. One overdue (expected by as_of, or with no date) is assumed to
// arrive on the first projected day.
std::string Latest() { return std::string("(") + kLatestRun + ")"; }
std::vector<Db::Statement> Statements(int64_t item, const std::optional<int64_t>& site) {
  std::vector<pg::Param> both{pg::ToParam(item), pg::ToParam(site)};
  const std::string run = "SELECT as_of FROM analytics.pipeline_runs WHERE run_id = " + Latest();
  return {
      {"BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", {}},
      {"SELECT EXISTS (SELECT 1 FROM core.dim_item WHERE item_id = $1),"
       " ($2::int IS NULL OR EXISTS (SELECT 1 FROM core.dim_site WHERE site_id = $2)),"
       " r.run_id, r.as_of::text FROM (SELECT 1) x"
       " LEFT JOIN analytics.pipeline_runs r ON r.run_id = " +
           Latest(),
       both},
      {"SELECT s.supplier_id, s.code, s.name, s.supplier_type, s.reliability_score,"
       " s.on_time_delivery_rate, s.avg_lead_time_days"
       " FROM core.dim_item i JOIN core.dim_supplier s ON s.supplier_id = i.supplier_id"
       " WHERE i.item_id = $1",
       {pg::ToParam(item)}},
      // Every site of the item (the per-site table), whatever $2 is.
      {"SELECT p.site_id, s.code, s.name, p.current_stock::float8, p.on_order::float8,"
       " p.avg_daily_demand::float8, p.safety_stock::float8, p.reorder_point::float8,"
       " p.order_up_to::float8, p.lead_time_days::float8, p.days_to_rupture"
       " FROM analytics.inventory_policy p JOIN core.dim_site s ON s.site_id = p.site_id"
       " WHERE p.run_id = " +
           Latest() + " AND p.item_id = $1 ORDER BY p.site_id",
       {pg::ToParam(item)}},
      {"SELECT f.full_date - r.as_of, f.yhat::float8, f.yhat_lower::float8, f.yhat_upper::float8"
       " FROM analytics.forecasts f, (" +
           run + ") r WHERE f.run_id = " + Latest() +
           " AND f.item_id = $1 AND ($2::int IS NULL OR f.site_id = $2) AND f.full_date > r.as_of",
       both},
      {"SELECT o.order_id, o.site_id, o.order_date, o.expected_delivery_date, o.quantity,"
       " o.status, coalesce(o.expected_delivery_date <= r.as_of, true) AS late,"
       " greatest(coalesce(o.expected_delivery_date, r.as_of + 1), r.as_of + 1) AS arrives_on,"
       " greatest(coalesce(o.expected_delivery_date - r.as_of, 1), 1) AS day"
       " FROM core.fact_orders o, (" +
           run +
           ") r WHERE o.item_id = $1 AND ($2::int IS NULL OR o.site_id = $2)"
           " AND o.status IN ('PLACED', 'DELAYED') AND o.actual_delivery_date IS NULL"
           " AND o.order_date <= r.as_of"
           " ORDER BY o.expected_delivery_date NULLS FIRST, o.order_id",
       both},
      {"COMMIT", {}},
  };
}

// Sums a policy column over the chosen sites' rows (nullopt when there are none).
struct Levels {
  std::optional<double> on_hand, on_order, mean, ss, rop, out, lead;
};
Levels SumLevels(const pg::Result& sites, const std::optional<int64_t>& site) {
  Levels l;
  auto add = [](std::optional<double>& acc, double v) { acc = acc.value_or(0) + v; };
  for (int i = 0; i < sites.Rows(); ++i) {
    if (site && sites.GetInt(i, 0) != *site) continue;
    add(l.on_hand, sites.GetDouble(i, 3));
    add(l.on_order, sites.GetDouble(i, 4));
    add(l.mean, sites.GetDouble(i, 5));
    add(l.ss, sites.GetDouble(i, 6));
    add(l.rop, sites.GetDouble(i, 7));
    add(l.out, sites.GetDouble(i, 8));
    // One supplier per item, so the sites share a lead time; the longest if they differ.
    l.lead = std::max(l.lead.value_or(0), sites.GetDouble(i, 9));
  }
  return l;
}

std::string SitesJson(const pg::Result& r) {
  std::vector<decide::SiteLevels> levels;
  for (int i = 0; i < r.Rows(); ++i)
    levels.push_back({r.GetDouble(i, 3), r.GetDouble(i, 4), r.GetDouble(i, 7), r.GetDouble(i, 8),
                      r.GetDouble(i, 5)});
  std::vector<decide::SiteBalance> bal = decide::Balances(levels);
  std::string out = "[";
  for (int i = 0; i < r.Rows(); ++i) {
    const decide::SiteBalance& b = bal[i];
    out += std::string(i ? "," : "") + "{\"site_id\":" + r.GetString(i, 0) +
           ",\"site_code\":" + JsonString(r.GetString(i, 1)) +
           ",\"site_name\":" + JsonString(r.GetString(i, 2)) +
           ",\"on_hand\":" + Num(r.GetDouble(i, 3)) + ",\"on_order\":" + Num(r.GetDouble(i, 4)) +
           ",\"avg_daily_demand\":" + Num(r.GetDouble(i, 5)) +
           ",\"days_of_cover\":" + Num(b.cover_days) +
           ",\"safety_stock\":" + Num(r.GetDouble(i, 6)) +
           ",\"reorder_point\":" + Num(r.GetDouble(i, 7)) +
           ",\"order_up_to\":" + Num(r.GetDouble(i, 8)) +
           ",\"lead_time_days\":" + Num(r.GetDouble(i, 9)) +
           ",\"days_to_rupture\":" + (r.IsNull(i, 10) ? "null" : r.GetString(i, 10)) +
           ",\"short_units\":" + Num(b.short_units) + ",\"surplus_units\":" + Num(b.surplus_units) +
           ",\"reallocate_candidate\":" + (b.reallocate ? "true" : "false") + "}";
  }
  return out + "]";
}

Response Projection(Ctx& ctx) {
  Params p(ctx.req);
  int64_t item = p.PathId("id");
  auto site = p.Int("site_id", 1, kMaxId);
  p.Check();
  auto res = ctx.db.Pipeline(Statements(item, site));
  const pg::Result &head = res[1], &supplier = res[2], &sites = res[3], &fc = res[4],
                   &orders = res[5];
  if (!head.GetBool(0, 0))
    throw ApiError(404, "not_found", "item " + std::to_string(item) + " does not exist");
  if (!head.GetBool(0, 1))
    throw ApiError(404, "not_found", "site " + std::to_string(*site) + " does not exist");
  std::optional<std::string> as_of = head.GetOpt(0, 3);
  const int64_t as_of_day = as_of ? ParseDate(*as_of).value_or(0) : 0;

  // Day k (0-based) of the horizon is as_of + k + 1; sites are summed per day.
  std::vector<decide::ProjectionInput> in;
  auto at = [&](int64_t day) -> decide::ProjectionInput& {
    if (static_cast<int64_t>(in.size()) < day) in.resize(day);
    return in[day - 1];
  };
  for (int i = 0; i < fc.Rows(); ++i) {
    decide::ProjectionInput& d = at(fc.GetInt(i, 0));
    d.forecast += fc.GetDouble(i, 1);
    d.half_width_sq += decide::HalfWidthSq(OptDouble(fc, i, 2), OptDouble(fc, i, 3));
  }
  const int64_t horizon = static_cast<int64_t>(in.size());
  for (int i = 0; i < orders.Rows(); ++i) {
    int64_t day = orders.GetInt(i, 8);
    if (day <= horizon) in[day - 1].receipts += orders.GetDouble(i, 4);
  }
  Levels lv = SumLevels(sites, site);
  decide::Projection proj = decide::ProjectStock(lv.on_hand.value_or(0), in);

  std::string days = "[";
  for (size_t k = 0; k < proj.days.size(); ++k) {
    const decide::ProjectedDay& d = proj.days[k];
    days += std::string(k ? "," : "") + "{\"full_date\":\"" +
            FormatDate(as_of_day + static_cast<int64_t>(k) + 1) +
            "\",\"forecast\":" + Num(std::max(0.0, in[k].forecast)) +
            ",\"receipts\":" + Num(in[k].receipts) + ",\"projected\":" + Num(d.projected) +
            ",\"lower\":" + Num(d.lower) + ",\"upper\":" + Num(d.upper) + "}";
  }
  days += "]";
  std::string run_out = "null", days_to_run_out = "null";
  if (proj.run_out) {
    run_out = "\"" + FormatDate(as_of_day + *proj.run_out + 1) + "\"";
    days_to_run_out = std::to_string(*proj.run_out);
  }
  std::string data = "{\"item_id\":" + std::to_string(item) +
                     ",\"site_id\":" + (site ? std::to_string(*site) : "null") +
                     ",\"run_id\":" + head.GetOpt(0, 2).value_or("null") +
                     ",\"as_of\":" + (as_of ? JsonString(*as_of) : "null") +
                     ",\"horizon_days\":" + std::to_string(horizon) + ",\"supplier\":";
  if (supplier.Rows())
    AppendRowJson(data, supplier, 0);
  else
    data += "null";
  data += ",\"on_hand\":" + Num(lv.on_hand) + ",\"on_order\":" + Num(lv.on_order) +
          ",\"avg_daily_demand\":" + Num(lv.mean) + ",\"safety_stock\":" + Num(lv.ss) +
          ",\"reorder_point\":" + Num(lv.rop) + ",\"order_up_to\":" + Num(lv.out) +
          ",\"lead_time_days\":" + Num(lv.lead) + ",\"run_out_date\":" + run_out +
          ",\"days_to_run_out\":" + days_to_run_out + ",\"days\":" + days +
          ",\"orders\":" + RowsJson(orders, {"day"}) + ",\"sites\":" + SitesJson(sites) + "}";
  return Envelope(data,
                  "{\"band\":\"80%: projected +- sqrt of the summed squared half widths of the "
                  "daily 80% forecast intervals (days and sites independent)\"}");
}

}  // namespace

void AddProjectionRoutes(std::vector<ApiRoute>& routes, Services&) {
  routes.push_back(
      {"GET",
       "/api/v1/items/{id}/projection",
       Role::kViewer,
       true,
       false,
       "items",
       "Projected stock of an item over the latest run's horizon: on hand + open orders on their "
       "expected dates (overdue ones on the first day) - the forecast, with an 80% band; the "
       "policy levels (summed over sites without site_id), run-out date, supplier, open orders, "
       "and per site the short and surplus units (REALLOCATE candidates)",
       {IdDoc("id"), {"site_id", "query", "integer", {}, "site (default: every site summed)"}},
       "",
       Projection});
}

}  // namespace corrente::server
