#include "decide/cycles.h"

#include <algorithm>
#include <cmath>

namespace corrente::decide {

std::vector<double> OrderCycles(std::span<const double> daily_demand, const CycleBounds& b) {
  const double lo = std::max(b.min_days, 1e-9), hi = std::max(b.max_days, lo);
  std::vector<double> out(daily_demand.size(), hi);
  std::vector<double> root;  // sqrt(d) of the series with demand, in input order
  std::vector<size_t> idx;
  for (size_t i = 0; i < daily_demand.size(); ++i) {
    const double v = daily_demand[i];
    if (std::isfinite(v) && v > 0) {
      root.push_back(std::sqrt(v));
      idx.push_back(i);
    }
  }
  if (root.empty()) return out;
  const double base = std::clamp(b.base_days, lo, hi);
  // Orders per day the fixed cycle would place across the series with demand, and those a given
  // lambda places; the latter falls as lambda grows, so bisect on it (in log space).
  const double budget = static_cast<double>(root.size()) / base;
  auto orders = [&](double lambda) {
    double s = 0;
    for (double r : root) s += 1.0 / std::clamp(lambda / r, lo, hi);
    return s;
  };
  double a = lo * *std::min_element(root.begin(), root.end());   // every cycle at lo
  double z = hi * *std::max_element(root.begin(), root.end());   // every cycle at hi
  for (int it = 0; it < 200 && z / a > 1 + 1e-12; ++it) {
    const double m = std::sqrt(a * z);
    (orders(m) > budget ? a : z) = m;
  }
  const double lambda = std::sqrt(a * z);
  for (size_t k = 0; k < root.size(); ++k) out[idx[k]] = std::clamp(lambda / root[k], lo, hi);
  return out;
}

}  // namespace corrente::decide
