#include "decide/outliers.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <sstream>

namespace corrente::decide {

double OutlierThreshold(std::span<const double> y, const OutlierRule& rule) {
  std::vector<double> pos;
  for (double v : y)
    if (v > 0) pos.push_back(v);
  if (pos.empty() || pos.size() < rule.min_positive_days)
    return std::numeric_limits<double>::infinity();
  // Linear interpolation between order statistics (R's type 7).
  const double h = rule.quantile * static_cast<double>(pos.size() - 1);
  const auto lo = static_cast<size_t>(std::floor(h));
  std::nth_element(pos.begin(), pos.begin() + static_cast<std::ptrdiff_t>(lo), pos.end());
  double q = pos[lo];
  if (lo + 1 < pos.size()) {
    const double next = *std::min_element(pos.begin() + static_cast<std::ptrdiff_t>(lo) + 1, pos.end());
    q += (h - static_cast<double>(lo)) * (next - q);
  }
  return std::max(rule.multiple * q, rule.floor);
}

std::vector<OutlierDay> FindOutliers(std::span<const double> y, const OutlierRule& rule) {
  std::vector<OutlierDay> out;
  double threshold = std::numeric_limits<double>::infinity();
  bool computed = false;
  const auto n = static_cast<std::ptrdiff_t>(y.size());
  for (std::ptrdiff_t t = 0; t < n; ++t) {
    // Cheap pre-check: nothing above the floor is ever flagged.
    if (!(y[t] > rule.floor)) continue;
    if (!computed) threshold = OutlierThreshold(y, rule), computed = true;
    if (!(y[t] > threshold)) continue;
    double first = 0, second = 0;  // the two highest neighbours
    for (std::ptrdiff_t k = std::max<std::ptrdiff_t>(0, t - rule.window);
         k <= std::min(n - 1, t + rule.window); ++k) {
      if (k == t) continue;
      if (y[k] > first) second = first, first = y[k];
      else if (y[k] > second) second = y[k];
    }
    if (y[t] > rule.multiple * second) out.push_back({static_cast<size_t>(t), y[t], threshold});
  }
  return out;
}

std::vector<OutlierDay> DropOutliers(std::span<double> y, const OutlierRule& rule) {
  std::vector<OutlierDay> out = FindOutliers(y, rule);
  for (const OutlierDay& o : out) y[o.index] = 0;
  return out;
}

std::string OutlierText(const OutlierTally& tally, const OutlierRule& rule) {
  if (tally.days == 0) return "";
  std::ostringstream o;
  o << "demand outliers " << tally.days << " (over " << rule.multiple << "x their series' "
    << rule.quantile * 100 << "% quantile, alone) in " << tally.series << " series";
  return o.str();
}

}  // namespace corrente::decide
