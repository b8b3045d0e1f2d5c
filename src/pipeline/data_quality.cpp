// The run's data-quality check: counts what the stages read as missing (decide/data_quality.h,
// and the relative outliers of decide/outliers.h) so that a run over bad legacy rows still
// publishes and says what it set aside.
#include "common/json.h"
#include "decide/outliers.h"
#include "pipeline/runner.h"

namespace corrente::pipeline::detail {
namespace {

struct Found {
  decide::ValueCounts counts;
  int64_t series = 0;        // item x site pairs (or items, suppliers) concerned
  std::string examples = "[]";  // up to 5, as JSON
};

// `from` is a relation whose column v holds the values a rule reads as missing when
// not in [0, ceiling) (NULL is not counted), and `who` the JSON naming a row.
Found Count(pg::Connection& c, const std::string& from, const std::string& who,
            const std::string& series, double ceiling, const std::string& as_of) {
  auto r = c.Execute(
      "WITH bad AS (SELECT * FROM " + from + " WHERE v IS NOT NULL AND NOT (v >= 0 AND v < $2))"
      " SELECT count(*) FILTER (WHERE v = 'NaN'), count(*) FILTER (WHERE v < 0),"
      "  count(*) FILTER (WHERE v <> 'NaN' AND v >= $2),"
      // The distinct series from the CTE's rows, not a count(DISTINCT (a, b)) of records.
      "  (SELECT count(*) FROM (SELECT DISTINCT " + series + " FROM bad) s),"
      "  coalesce((SELECT jsonb_agg(e)::text FROM (SELECT " + who +
          " || jsonb_build_object('value', v::text) AS e FROM bad LIMIT 5) x), '[]')"
      " FROM bad",
      as_of, static_cast<int64_t>(ceiling));
  Found f;
  f.counts.non_finite = r.GetInt(0, 0);
  f.counts.negative = r.GetInt(0, 1);
  f.counts.absurd = r.GetInt(0, 2);
  f.series = r.GetInt(0, 3);
  f.examples = r.GetString(0, 4);
  return f;
}

std::string Text(const std::string& what, const Found& f, const char* per) {
  if (f.counts.Total() == 0) return "";
  std::string s = what + " " + std::to_string(f.counts.Total()) + " (";
  std::string parts;
  auto add = [&](int64_t n, const char* kind) {
    if (n) parts += (parts.empty() ? "" : ", ") + std::to_string(n) + " " + kind;
  };
  add(f.counts.non_finite, "NaN");
  add(f.counts.negative, "negative");
  add(f.counts.absurd, "absurd");
  return s + parts + ") in " + std::to_string(f.series) + " " + per;
}

}  // namespace

std::string Runner::CheckDataQuality() {
  const auto t0 = Clock::now();
  const std::string as_of = FormatDate(as_of_);
  const std::string pair = "jsonb_build_object('item_id', item_id, 'site_id', site_id";
  // What each stage reads: facts up to as_of; every item; suppliers and delivered orders.
  const std::pair<const char*, Found> found[] = {
      {"demand",
       Count(reader_,
             "(SELECT item_id, site_id, full_date, quantity AS v FROM core.fact_demand_daily"
             " WHERE full_date <= $1::date" + SliceFilter("item_id") + ") t",
             pair + ", 'date', full_date)", "item_id, site_id", decide::kAbsurdQuantity, as_of)},
      {"stock",
       Count(reader_,
             "(SELECT item_id, site_id, full_date, current_stock AS v"
             " FROM core.fact_inventory_daily WHERE full_date <= $1::date" +
                 SliceFilter("item_id") + ") t",
             pair + ", 'date', full_date)", "item_id, site_id", decide::kAbsurdQuantity, as_of)},
      {"order_quantity",
       Count(reader_,
             "(SELECT order_id, item_id, site_id, quantity AS v FROM core.fact_orders"
             " WHERE order_date <= $1::date" + SliceFilter("item_id") + ") t",
             pair + ", 'order_id', order_id)", "item_id, site_id", decide::kAbsurdQuantity,
             as_of)},
      {"unit_value",
       Count(reader_,
             "(SELECT item_id, 'unit_cost' AS col, unit_cost AS v FROM core.dim_item"
             " WHERE $1::date IS NOT NULL"
             " UNION ALL SELECT item_id, 'unit_price', unit_price FROM core.dim_item) t",
             "jsonb_build_object('item_id', item_id, 'column', col)", "item_id",
             decide::kAbsurdUnitValue, as_of)},
      {"order_limits",
       Count(reader_,
             "(SELECT item_id, 'min_order_qty' AS col, min_order_qty AS v FROM core.dim_item"
             " WHERE $1::date IS NOT NULL"
             " UNION ALL SELECT item_id, 'max_order_qty', max_order_qty FROM core.dim_item) t",
             "jsonb_build_object('item_id', item_id, 'column', col)", "item_id",
             decide::kAbsurdQuantity, as_of)},
      {"lead_time",
       Count(reader_,
             "(SELECT supplier_id, 'avg_lead_time_days' AS col, avg_lead_time_days::numeric AS v"
             " FROM core.dim_supplier UNION ALL SELECT supplier_id, 'order ' || order_id,"
             " (actual_delivery_date - order_date)::numeric FROM core.fact_orders"
             " WHERE actual_delivery_date <= $1::date) t",
             "jsonb_build_object('supplier_id', supplier_id, 'what', col)", "supplier_id",
             decide::kMaxLeadTimeDays + 1, as_of)},
  };
  std::string json = "{", text;
  int64_t total = 0;
  static const std::map<std::string, const char*> kPer = {
      {"demand", "series"}, {"stock", "series"},      {"order_quantity", "series"},
      {"unit_value", "items"}, {"order_limits", "items"}, {"lead_time", "suppliers"}};
  static const std::map<std::string, std::string> kName = {
      {"demand", "demand rows"},        {"stock", "stock rows"},
      {"order_quantity", "order quantities"}, {"unit_value", "unit costs/prices"},
      {"order_limits", "order limits"}, {"lead_time", "lead times"}};
  for (const auto& [name, f] : found) {
    total += f.counts.Total();
    std::string c = f.counts.Json();
    c.pop_back();
    json += std::string(json.size() > 1 ? "," : "") + JsonString(name) + ":" + c +
            ",\"concerned\":" + std::to_string(f.series) + ",\"examples\":" + f.examples + "}";
    std::string t = Text(kName.at(name), f, kPer.at(name));
    if (!t.empty()) text += (text.empty() ? "" : "; ") + t;
  }
  // Relative outliers: one day far above its series' usual, alone (decide/outliers.h).
  const auto t1 = Clock::now();
  const OutlierScan outliers = ScanDemandOutliers();
  total += outliers.days;
  json += ",\"demand_outliers\":{\"days\":" + std::to_string(outliers.days) +
          ",\"concerned\":" + std::to_string(outliers.series) +
          ",\"examples\":" + outliers.examples + ",\"seconds\":" +
          JsonNumber(std::chrono::duration<double>(Clock::now() - t1).count()) + "}";
  if (outliers.days > 0)
    text += (text.empty() ? "" : "; ") + decide::OutlierText({outliers.days, outliers.series});
  const double secs = std::chrono::duration<double>(Clock::now() - t0).count();
  json += ",\"total\":" + std::to_string(total) + ",\"seconds\":" + JsonNumber(secs) + "}";
  extra_stats_.emplace_back("data_quality", json);
  if (!text.empty()) {
    text += "; read as missing";
    spdlog::warn("pipeline run={} data quality: {} ({:.2f} s)", run_id_, text, secs);
  } else {
    spdlog::info("pipeline run={} data quality: nothing set aside ({:.2f} s)", run_id_, secs);
  }
  return text;
}

}  // namespace corrente::pipeline::detail
