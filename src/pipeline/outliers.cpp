// Relative outliers of demand (decide/outliers.h): found once per run over the forecast's
// window, then read as missing by every stage (StreamSeries, and NotOutlierSql in the SQL that
// sums demand). A worker scans its slice's series: the rule depends on one series only, so the
// days are the ones the coordinator found.
#include "common/json.h"
#include "decide/outliers.h"
#include "pipeline/runner.h"

namespace corrente::pipeline::detail {

Runner::OutlierScan Runner::ScanDemandOutliers() {
  outlier_days_.clear();  // StreamSeries must hand over the recorded series
  std::map<Pair, std::vector<int64_t>> found;
  OutlierScan scan;
  std::string examples;
  const int64_t from = ForecastFrom();
  // Only a day above the rule's floor can be an outlier: only the series with one are read
  // (on the demo data, 601 of 5,000).
  const decide::OutlierRule rule;
  auto cand = reader_.Execute(
      "SELECT DISTINCT item_id, site_id FROM core.fact_demand_daily"
      " WHERE full_date BETWEEN $1::date AND $2::date AND quantity > $3 AND " +
          UsableSqlCond("quantity", decide::kAbsurdQuantity) + SliceFilter("item_id"),
      FormatDate(from), FormatDate(as_of_), rule.floor);
  if (cand.Rows() == 0) return scan;
  std::string items = "{", sites = "{";
  for (int i = 0; i < cand.Rows(); ++i) {
    items += (i ? "," : "") + cand.GetString(i, 0);
    sites += (i ? "," : "") + cand.GetString(i, 1);
  }
  // Trusted text: integers read above.
  const std::string only = " AND (item_id, site_id) IN (SELECT * FROM unnest('" + items +
                           "}'::int[], '" + sites + "}'::int[]))";
  StreamSeries(from, as_of_, [&](size_t idx, std::vector<double>& y) {
    const std::vector<decide::OutlierDay> days = decide::FindOutliers(y, rule);
    if (days.empty()) return;
    const Pair& p = pairs_[idx];
    ++scan.series;
    for (const decide::OutlierDay& d : days) {
      const int64_t day = from + static_cast<int64_t>(d.index);
      found[p].push_back(day);
      if (scan.days++ < 5)
        examples += std::string(examples.empty() ? "" : ",") + "{\"item_id\":" +
                    std::to_string(p.item) + ",\"site_id\":" + std::to_string(p.site) +
                    ",\"date\":" + JsonString(FormatDate(day)) + ",\"value\":" +
                    JsonNumber(d.value) + ",\"threshold\":" + JsonNumber(d.threshold) + "}";
    }
  }, only);
  scan.examples = "[" + examples + "]";
  outlier_days_ = std::move(found);
  return scan;
}

std::array<std::string, 3> Runner::OutlierParams() const {
  std::array<std::string, 3> a = {"{", "{", "{"};
  for (const auto& [p, days] : outlier_days_)
    for (int64_t day : days) {
      const bool first = a[0].size() == 1;
      a[0] += (first ? "" : ",") + std::to_string(p.item);
      a[1] += (first ? "" : ",") + std::to_string(p.site);
      a[2] += (first ? "" : ",") + FormatDate(day);
    }
  for (auto& s : a) s += "}";
  return a;
}

}  // namespace corrente::pipeline::detail
