#include "decide/policy.h"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace corrente::decide {

double NormalQuantile(double p) {
  if (!(p > 0 && p < 1)) return NAN;
  static constexpr double a[] = {-3.969683028665376e+01, 2.209460984245205e+02,
                                 -2.759285104469687e+02, 1.383577518672690e+02,
                                 -3.066479806614716e+01, 2.506628277459239e+00};
  static constexpr double b[] = {-5.447609879822406e+01, 1.615858368580409e+02,
                                 -1.556989798598866e+02, 6.680131188771972e+01,
                                 -1.328068155288572e+01};
  static constexpr double c[] = {-7.784894002430293e-03, -3.223964580411365e-01,
                                 -2.400758277161838e+00, -2.549732539343734e+00,
                                 4.374664141464968e+00,  2.938163982698783e+00};
  static constexpr double d[] = {7.784695709041462e-03, 3.224671290700398e-01,
                                 2.445134137142996e+00, 3.754408661907416e+00};
  constexpr double kLow = 0.02425;
  double x;
  if (p < kLow) {
    double q = std::sqrt(-2 * std::log(p));
    x = (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
        ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  } else if (p <= 1 - kLow) {
    double q = p - 0.5, r = q * q;
    x = (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q /
        (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
  } else {
    double q = std::sqrt(-2 * std::log(1 - p));
    x = -(((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
        ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  }
  // One Halley step against the exact CDF.
  double e = 0.5 * std::erfc(-x / std::sqrt(2.0)) - p;
  double u = e * std::sqrt(2 * M_PI) * std::exp(x * x / 2);
  return x - u / (1 + x * u / 2);
}

double ServiceLevelForClass(char abc_class) {
  switch (abc_class) {
    case 'A':
      return 0.98;
    case 'B':
      return 0.95;
    default:
      return 0.90;
  }
}

double SafetyStock(double z, double mean_demand, double std_demand, double lead_time,
                   double lead_time_std) {
  double var = lead_time * std_demand * std_demand +
               mean_demand * mean_demand * lead_time_std * lead_time_std;
  double ss = z * std::sqrt(std::max(0.0, var));
  return std::isfinite(ss) ? std::max(0.0, ss) : 0.0;
}

double ReorderPoint(double mean_demand, double lead_time, double safety_stock) {
  return std::max(0.0, mean_demand * lead_time + safety_stock);
}

double OrderUpTo(double reorder_point, double mean_demand, double review_days) {
  return std::max(0.0, reorder_point + mean_demand * review_days);
}

std::optional<int> DaysToRupture(double stock, std::span<const double> path) {
  double cum = 0;
  for (size_t k = 0; k < path.size(); ++k) {
    cum += std::max(0.0, path[k]);
    // A tiny tolerance so that rounding does not make an exactly covered day a rupture.
    if (cum > stock + 1e-9) return static_cast<int>(k);
  }
  return std::nullopt;
}

double OrderQuantity(double order_up_to, double position, double min_qty, double max_qty) {
  double q = order_up_to - position;
  if (!(q > 0)) return 0;
  if (min_qty > 0) q = std::max(q, min_qty);
  if (max_qty > 0) q = std::min(q, max_qty);
  return q;
}

MeanStd ComputeMeanStd(std::span<const double> values) {
  MeanStd r;
  if (values.empty()) return r;
  r.mean = std::accumulate(values.begin(), values.end(), 0.0) / values.size();
  if (values.size() < 2) return r;
  double ss = 0;
  for (double v : values) ss += (v - r.mean) * (v - r.mean);
  r.std = std::sqrt(ss / (values.size() - 1));
  return r;
}

std::vector<char> AbcClasses(std::span<const double> revenue) {
  std::vector<size_t> order(revenue.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return revenue[a] > revenue[b]; });
  double total = 0;
  for (double r : revenue) total += std::max(0.0, r);
  std::vector<char> cls(revenue.size(), 'C');
  double cum = 0;
  for (size_t i : order) {
    if (total <= 0 || !(revenue[i] > 0)) break;
    double before = cum / total;
    cls[i] = before < 0.80 ? 'A' : before < 0.95 ? 'B' : 'C';
    cum += revenue[i];
  }
  return cls;
}

double TrendSlope(std::span<const double> values) {
  const size_t n = values.size();
  if (n < 2) return 0;
  double mx = (n - 1) / 2.0, my = 0;
  for (double v : values) my += v;
  my /= n;
  double sxy = 0, sxx = 0;
  for (size_t i = 0; i < n; ++i) {
    sxy += (i - mx) * (values[i] - my);
    sxx += (i - mx) * (i - mx);
  }
  return sxx > 0 ? sxy / sxx : 0;
}

}  // namespace corrente::decide
