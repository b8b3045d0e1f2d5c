// The forecast stage's global models (forecast/global.h). They are fitted on a sample of the
// run's demand that does not depend on how a run is split among workers: the kGlobalSample
// item x site pairs with the smallest hash of (item, site), over the days the forecaster reads.
// So a run computes the same forecasts on one process or on many.
#include "decide/outliers.h"
#include "forecast/global.h"
#include "pg/copy.h"
#include "pipeline/runner.h"

namespace corrente::pipeline::detail {
namespace {
constexpr int kGlobalSample = 2000;
}  // namespace

const Runner::GlobalFit& Runner::FitGlobalModels(int64_t from,
                                                    const forecast::ForecastOptions& fopt) {
  if (global_ && global_->from == from) return *global_;
  GlobalFit g;
  g.from = from;
  const size_t len = static_cast<size_t>(std::max<int64_t>(0, as_of_ - from + 1));
  const std::string days = " BETWEEN " + SqlDate(from) + " AND " + SqlDate(as_of_);
  // Trusted text only: dates come from FormatDate, the limit is a constant.
  pg::CopyReader rd(
      reader_,
      "COPY (WITH p AS (SELECT DISTINCT item_id, site_id FROM core.fact_demand_daily"
      "  WHERE full_date" + days + "),"
      " s AS (SELECT item_id, site_id FROM p"
      "  ORDER BY hashint8(item_id::bigint * 1000003 + site_id), item_id, site_id LIMIT " +
          std::to_string(kGlobalSample) + ")"
      " SELECT d.item_id, d.site_id, d.full_date, d.quantity::float8"
      " FROM core.fact_demand_daily d JOIN s ON s.item_id = d.item_id AND s.site_id = d.site_id"
      " WHERE d.full_date" + days + " ORDER BY 1, 2, 3) TO STDOUT (FORMAT binary)");
  std::vector<std::vector<double>> sample;
  Pair cur{0, 0};
  while (rd.Next()) {
    const Pair p{rd.Int32(0), rd.Int32(1)};
    if (sample.empty() || !(p == cur)) {
      sample.emplace_back(len, 0.0);
      cur = p;
    }
    const int64_t idx = rd.Date(2) - from;
    if (idx >= 0 && idx < static_cast<int64_t>(len))
      sample.back()[static_cast<size_t>(idx)] += decide::UsableQuantity(rd.Float8(3));
  }
  // The days ScanDemandOutliers reads as missing: the same rule on the same window (a
  // worker's scan covers its slice only, the sample every slice).
  for (auto& y : sample) decide::DropOutliers(y);
  g.series = sample.size();
  g.models = forecast::FitGlobalModels(sample, fopt);
  global_ = std::move(g);
  return *global_;
}

}  // namespace corrente::pipeline::detail
