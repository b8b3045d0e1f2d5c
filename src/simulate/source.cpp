#include "simulate/source.h"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <map>
#include <sstream>
#include <stdexcept>

#include "common/dates.h"
#include "common/series_csv.h"
#include "decide/data_quality.h"
#include "decide/outliers.h"
#include "decide/policy.h"
#include "pg/copy.h"

namespace corrente::simulate {
namespace {

constexpr int kMinHistory = 28;

uint64_t Hash(uint64_t seed, int32_t item, int32_t site) {
  uint64_t x = seed * 0x9e3779b97f4a7c15ULL + static_cast<uint32_t>(item) * 0xbf58476d1ce4e5b9ULL +
               static_cast<uint32_t>(site);
  x ^= x >> 31;
  x *= 0x94d049bb133111ebULL;
  return x ^ (x >> 29);
}

void PointLeads(Dataset& d, const std::map<int32_t, int>& supplier_of_item) {
  for (auto& s : d.series) {
    auto it = supplier_of_item.find(s.item);
    auto l = it != supplier_of_item.end() ? d.leads.find(it->second) : d.leads.end();
    if (l != d.leads.end()) s.leads = l->second;
  }
}

}  // namespace

Dataset LoadFromDatabase(pg::Connection& conn, const DbSourceOptions& opt) {
  Dataset d;
  d.source = "database";
  auto range = conn.ExecScript(
      "SELECT (SELECT full_date FROM core.fact_demand_daily ORDER BY full_date LIMIT 1)"
      " - DATE '1970-01-01', (SELECT full_date FROM core.fact_demand_daily ORDER BY full_date"
      " DESC LIMIT 1) - DATE '1970-01-01'");
  if (range.IsNull(0, 0)) throw std::invalid_argument("the database has no demand history");
  const int64_t data_first = range.GetInt(0, 0), data_last = range.GetInt(0, 1);
  const int64_t to = opt.to.value_or(data_last);
  const int64_t from = opt.from.value_or(std::max(data_first + kMinHistory, to - 364));
  if (from > to)
    throw std::invalid_argument("empty period: --from " + FormatDate(from) + " is after --to " +
                                FormatDate(to));
  if (from - kMinHistory < data_first || to > data_last)
    throw std::invalid_argument(
        "the period " + FormatDate(from) + " .. " + FormatDate(to) + " is longer than the data (" +
        FormatDate(data_first) + " .. " + FormatDate(data_last) + ", and the first " +
        std::to_string(kMinHistory) + " days are history for the policies)");
  const int64_t first = std::max(data_first, from - opt.history_days);
  d.first_day = first;
  d.start = static_cast<int>(from - first);
  d.end = static_cast<int>(to - first + 1);
  const size_t len = static_cast<size_t>(d.end);

  // Items and their suppliers.
  std::map<int32_t, int> supplier_of;
  std::map<int32_t, SimSeries> item_info;
  auto items = conn.ExecScript(
      "SELECT item_id, coalesce(abc_class, 'C'), coalesce(criticality, 0),"
      " coalesce(unit_cost, 0)::float8, coalesce(unit_price, 0)::float8,"
      " coalesce(min_order_qty, 0)::float8, coalesce(max_order_qty, 0)::float8,"
      " coalesce(supplier_id, 0) FROM core.dim_item WHERE active");
  for (int i = 0; i < items.Rows(); ++i) {
    SimSeries s;
    s.item = static_cast<int32_t>(items.GetInt(i, 0));
    std::string abc = items.GetString(i, 1);
    s.abc = abc.empty() ? 'C' : abc[0];
    s.criticality = static_cast<int>(items.GetInt(i, 2));
    // NaN, negative and absurd values read as the pipeline reads them (decide/data_quality.h).
    s.unit_cost = decide::UsableUnitValue(items.GetDouble(i, 3));
    const double price = decide::UsableUnitValue(items.GetDouble(i, 4));
    s.unit_price = price > 0 ? price : s.unit_cost;
    s.min_qty = decide::UsableQuantity(items.GetDouble(i, 5));
    s.max_qty = decide::UsableQuantity(items.GetDouble(i, 6));
    supplier_of[s.item] = static_cast<int>(items.GetInt(i, 7));
    item_info[s.item] = s;
  }
  // Lead times as recorded, each known from its delivery day.
  auto leads = conn.Execute(
      "SELECT supplier_id, (actual_delivery_date - order_date)::float8,"
      " actual_delivery_date - DATE '1970-01-01' FROM core.fact_orders"
      " WHERE actual_delivery_date IS NOT NULL AND actual_delivery_date >= order_date"
      " AND actual_delivery_date <= $1::date ORDER BY actual_delivery_date, order_id",
      FormatDate(to));
  for (int i = 0; i < leads.Rows(); ++i)
    if (decide::CheckLeadTime(leads.GetDouble(i, 1)) == decide::ValueCheck::kOk)
      d.leads[static_cast<int>(leads.GetInt(i, 0))].push_back(
          {leads.GetDouble(i, 1), leads.GetInt(i, 2) - first});
  // The series: pairs of active items and sites with demand in the period or stock before it.
  auto pairs = conn.Execute(
      "SELECT p.item_id, p.site_id, inv.current_stock::float8 FROM ("
      " SELECT DISTINCT item_id, site_id FROM core.fact_demand_daily"
      "  WHERE full_date BETWEEN $1::date AND $2::date"
      " UNION SELECT item_id, site_id FROM core.fact_inventory_daily WHERE full_date = $1::date - 1) p"
      " JOIN core.dim_item i ON i.item_id = p.item_id AND i.active"
      " JOIN core.dim_site s ON s.site_id = p.site_id AND s.active"
      " LEFT JOIN core.fact_inventory_daily inv ON inv.item_id = p.item_id"
      "  AND inv.site_id = p.site_id AND inv.full_date = $1::date - 1"
      " ORDER BY 1, 2",
      FormatDate(from), FormatDate(to));
  std::vector<std::pair<uint64_t, size_t>> order;
  for (int i = 0; i < pairs.Rows(); ++i) {
    SimSeries s = item_info[static_cast<int32_t>(pairs.GetInt(i, 0))];
    s.site = static_cast<int32_t>(pairs.GetInt(i, 1));
    s.initial_stock = pairs.IsNull(i, 2) ? -1 : decide::UsableQuantity(pairs.GetDouble(i, 2));
    s.demand.assign(len, 0.0);
    order.push_back({Hash(opt.seed, s.item, s.site), d.series.size()});
    d.series.push_back(std::move(s));
  }
  if (opt.sample > 0 && static_cast<size_t>(opt.sample) < d.series.size()) {
    std::sort(order.begin(), order.end());
    std::vector<SimSeries> kept;
    std::vector<size_t> idx;
    for (int i = 0; i < opt.sample; ++i) idx.push_back(order[static_cast<size_t>(i)].second);
    std::sort(idx.begin(), idx.end());
    for (size_t i : idx) kept.push_back(std::move(d.series[i]));
    d.series = std::move(kept);
  }
  if (d.series.empty()) throw std::invalid_argument("no item x site has demand in the period");
  std::map<std::pair<int32_t, int32_t>, size_t> where;
  for (size_t i = 0; i < d.series.size(); ++i) where[{d.series[i].item, d.series[i].site}] = i;
  // Demand, streamed (dates are trusted text from FormatDate).
  pg::CopyReader rd(conn,
                    "COPY (SELECT item_id, site_id, full_date, quantity::float8 FROM"
                    " core.fact_demand_daily WHERE full_date BETWEEN '" + FormatDate(first) +
                        "'::date AND '" + FormatDate(to) + "'::date) TO STDOUT (FORMAT binary)");
  while (rd.Next()) {
    auto w = where.find({rd.Int32(0), rd.Int32(1)});
    if (w == where.end()) continue;
    int64_t k = rd.Date(2) - first;
    if (k >= 0 && k < static_cast<int64_t>(len))
      d.series[w->second].demand[static_cast<size_t>(k)] += decide::UsableQuantity(rd.Float8(3));
  }
  // Orders placed before the period and delivered during it are on their way on day one.
  auto open = conn.Execute(
      "SELECT item_id, site_id, actual_delivery_date - DATE '1970-01-01', quantity::float8"
      " FROM core.fact_orders WHERE order_date < $1::date AND actual_delivery_date >= $1::date"
      " AND actual_delivery_date <= $2::date",
      FormatDate(from), FormatDate(to));
  for (int i = 0; i < open.Rows(); ++i) {
    auto w = where.find({static_cast<int32_t>(open.GetInt(i, 0)), static_cast<int32_t>(open.GetInt(i, 1))});
    if (w == where.end()) continue;
    d.series[w->second].in_flight.push_back(
        {static_cast<int>(open.GetInt(i, 2) - first), decide::UsableQuantity(open.GetDouble(i, 3))});
  }
  PointLeads(d, supplier_of);
  if (!opt.keep_outliers)
    for (SimSeries& s : d.series) d.outliers.Add(decide::DropOutliers(s.demand).size());
  return d;
}

Dataset LoadFromCsv(const CsvSourceOptions& opt) {
  Dataset d;
  d.source = opt.demand_path;
  std::vector<Series> raw;
  std::string error;
  if (!ReadSeries(opt.demand_path, &raw, &error)) throw std::invalid_argument(error);
  std::vector<double> lead_days;
  if (opt.lead_time) {
    if (!(*opt.lead_time >= 0)) throw std::invalid_argument("--lead-time must be 0 or more days");
    lead_days.push_back(*opt.lead_time);
  }
  if (!opt.lead_times_path.empty()) {
    std::ifstream in(opt.lead_times_path);
    if (!in) throw std::invalid_argument("cannot open '" + opt.lead_times_path + "'");
    std::string tok, line;
    int n = 0;
    while (std::getline(in, line)) {
      std::replace(line.begin(), line.end(), ',', ' ');
      std::istringstream ss(line);
      while (ss >> tok) {
        ++n;
        char* endp = nullptr;
        double v = std::strtod(tok.c_str(), &endp);
        if (*endp != '\0' || !std::isfinite(v) || v < 0)
          throw std::invalid_argument(opt.lead_times_path + ": lead time #" + std::to_string(n) +
                                      " '" + tok + "' is not a number of days >= 0");
        lead_days.push_back(v);
      }
    }
    if (lead_days.empty()) throw std::invalid_argument(opt.lead_times_path + " holds no lead time");
  }
  if (lead_days.empty()) throw std::invalid_argument("give --lead-time DAYS or --lead-times FILE");
  for (double l : lead_days) d.leads[0].push_back({l, INT64_MIN});
  // Series end aligned: each is replayed over its own last days.
  size_t skipped = 0;
  std::vector<double> revenue;
  for (auto& r : raw) {
    std::vector<double> y;
    for (double v : r.values) y.push_back(std::isfinite(v) ? std::max(0.0, v) : 0.0);
    int replay = opt.replay_days > 0 ? opt.replay_days
                                     : std::min(365, static_cast<int>(y.size()) / 2);
    if (static_cast<int>(y.size()) - replay < kMinHistory || replay < 1) {
      ++skipped;
      continue;
    }
    if (!opt.keep_outliers) d.outliers.Add(decide::DropOutliers(y).size());  // before ABC
    SimSeries s;
    s.label = r.id;
    s.item = static_cast<int32_t>(d.series.size() + 1);
    s.site = 1;
    s.end = static_cast<int>(y.size());
    s.start = s.end - replay;
    s.demand = std::move(y);
    d.series.push_back(std::move(s));
    revenue.push_back(0);
    for (double v : d.series.back().demand) revenue.back() += v;
  }
  if (d.series.empty())
    throw std::invalid_argument(opt.demand_path + ": no usable series (" + std::to_string(skipped) +
                                " too short: each needs " + std::to_string(kMinHistory) +
                                " days of history before the replayed days)");
  auto cls = decide::AbcClasses(revenue);
  for (size_t i = 0; i < d.series.size(); ++i) {
    d.series[i].abc = cls[i];
    d.series[i].leads = d.leads[0];
  }
  return d;
}

}  // namespace corrente::simulate
