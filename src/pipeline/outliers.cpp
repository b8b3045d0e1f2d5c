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
  StreamSeries(from, as_of_, [&](size_t idx, std::vector<double>& y) {
    const std::vector<decide::OutlierDay> days = decide::FindOutliers(y);
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
  });
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
