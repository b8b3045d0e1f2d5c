// Quantiles of a count distribution for intermittent demand (declared in internal.h).
#include <algorithm>
#include <cmath>

#include "forecast/internal.h"

namespace corrente::forecast::internal {
namespace {

// Standard normal quantile by bisection on erfc: only for the rare large-mean fallback.
double NormalQuantileBisect(double p) {
  double lo = -40, hi = 40;
  for (int i = 0; i < 100; ++i) {
    const double mid = (lo + hi) / 2;
    (0.5 * std::erfc(-mid / std::sqrt(2.0)) < p ? lo : hi) = mid;
  }
  return (lo + hi) / 2;
}

}  // namespace

double CountQuantile(double mean, double variance, double p) {
  if (!(mean > 0) || !std::isfinite(mean) || !(p > 0)) return 0;
  if (p >= 1) return INFINITY;
  const double var = std::max(variance, mean);
  // Poisson when the data are not over-dispersed, else negative binomial with size k and
  // success probability q: mean = k(1-q)/q, var = mean/q.
  const bool poisson = var <= mean * (1 + 1e-9);
  const double q = poisson ? 0 : mean / var;
  const double k = poisson ? 0 : mean * mean / (var - mean);
  // pmf(0), then the recurrence pmf(n+1) = pmf(n) * ratio(n); summed in log space for pmf(0)
  // so that large means do not underflow to a zero first term.
  double log_p0 = poisson ? -mean : k * std::log(q);
  double pmf = std::exp(log_p0), cdf = pmf;
  // Far in the tail of a large mean, pmf(0) underflows: fall back to the normal quantile.
  if (pmf < 1e-280) return std::max(0.0, std::round(mean + std::sqrt(var) * NormalQuantileBisect(p)));
  double n = 0;
  const double limit = mean + 50 * std::sqrt(var) + 50;
  while (cdf < p && n < limit) {
    const double ratio = poisson ? mean / (n + 1) : (n + k) / (n + 1) * (1 - q);
    pmf *= ratio;
    n += 1;
    cdf += pmf;
  }
  return n;
}

}  // namespace corrente::forecast::internal
