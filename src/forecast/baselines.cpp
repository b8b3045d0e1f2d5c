// Baselines (naive, seasonal naive, moving average) and shared numeric helpers.
#include <algorithm>
#include <cmath>
#include <numeric>

#include "forecast/internal.h"

namespace corrente::forecast {

ModelForecast Naive(std::span<const double> y, int h) {
  ModelForecast out;
  out.model = "naive";
  const size_t steps = static_cast<size_t>(std::max(0, h));
  out.mean.assign(steps, y.empty() ? 0.0 : y.back());
  if (y.size() >= 2) {
    double ss = 0;
    for (size_t t = 1; t < y.size(); ++t) ss += (y[t] - y[t - 1]) * (y[t] - y[t - 1]);
    const double sigma = std::sqrt(ss / static_cast<double>(y.size() - 1));
    out.sd.resize(steps);
    for (size_t i = 0; i < steps; ++i) out.sd[i] = sigma * std::sqrt(static_cast<double>(i + 1));
  }
  return out;
}

ModelForecast SeasonalNaive(std::span<const double> y, int h, int m) {
  if (m < 2 || y.size() < static_cast<size_t>(m)) {
    ModelForecast out = Naive(y, h);
    return out;
  }
  ModelForecast out;
  out.model = "snaive";
  const size_t steps = static_cast<size_t>(std::max(0, h));
  const size_t n = y.size(), period = static_cast<size_t>(m);
  out.mean.resize(steps);
  for (size_t i = 0; i < steps; ++i) out.mean[i] = y[n - period + (i % period)];
  if (n > period) {
    double ss = 0;
    for (size_t t = period; t < n; ++t) ss += (y[t] - y[t - period]) * (y[t] - y[t - period]);
    const double sigma = std::sqrt(ss / static_cast<double>(n - period));
    out.sd.resize(steps);
    for (size_t i = 0; i < steps; ++i)
      out.sd[i] = sigma * std::sqrt(static_cast<double>(i / period + 1));
  }
  return out;
}

ModelForecast MovingAverage(std::span<const double> y, int h, int window) {
  ModelForecast out;
  out.model = "ma";
  const size_t w = std::min(y.size(), static_cast<size_t>(std::max(1, window)));
  const double mean =
      w == 0 ? 0.0 : std::accumulate(y.end() - static_cast<std::ptrdiff_t>(w), y.end(), 0.0) / w;
  out.mean.assign(static_cast<size_t>(std::max(0, h)), mean);
  return out;
}

}  // namespace corrente::forecast

namespace corrente::forecast::internal {

namespace {
double SesSse(std::span<const double> y, double alpha, double* level) {
  double l = y[0], sse = 0;
  for (size_t t = 1; t < y.size(); ++t) {
    const double e = y[t] - l;
    sse += e * e;
    l += alpha * e;
  }
  if (level != nullptr) *level = l;
  return sse;
}
}  // namespace

double SesOptimizedLevel(std::span<const double> y, double* alpha_out) {
  if (y.empty()) return 0.0;
  // Golden-section search of alpha on [0.01, 0.99]; the SSE is smooth and nearly unimodal.
  const double g = (std::sqrt(5.0) - 1) / 2;
  double a = 0.01, b = 0.99;
  double c = b - g * (b - a), d = a + g * (b - a);
  double fc = SesSse(y, c, nullptr), fd = SesSse(y, d, nullptr);
  for (int it = 0; it < 30; ++it) {
    if (fc < fd) {
      b = d;
      d = c;
      fd = fc;
      c = b - g * (b - a);
      fc = SesSse(y, c, nullptr);
    } else {
      a = c;
      c = d;
      fc = fd;
      d = a + g * (b - a);
      fd = SesSse(y, d, nullptr);
    }
  }
  const double alpha = (a + b) / 2;
  double level = 0;
  SesSse(y, alpha, &level);
  if (alpha_out != nullptr) *alpha_out = alpha;
  return level;
}

std::vector<double> SeasonalIndices(std::span<const double> y, int m) {
  const size_t n = y.size();
  if (m < 2 || n <= 2 * static_cast<size_t>(m)) return {};
  if (std::any_of(y.begin(), y.end(), [](double v) { return v <= 0; })) return {};
  const double mean = std::accumulate(y.begin(), y.end(), 0.0) / static_cast<double>(n);
  double denom = 0;
  for (double v : y) denom += (v - mean) * (v - mean);
  if (denom <= 0) return {};
  // 90% test on the autocorrelation at lag m, as R's thetaf.
  const size_t period = static_cast<size_t>(m);
  std::vector<double> r(period + 1, 0.0);
  for (size_t k = 1; k <= period; ++k) {
    double acc = 0;
    for (size_t t = 0; t + k < n; ++t) acc += (y[t] - mean) * (y[t + k] - mean);
    r[k] = acc / denom;
  }
  double sum_sq = 0;
  for (size_t k = 1; k < period; ++k) sum_sq += r[k] * r[k];
  const double stat = std::sqrt((1 + 2 * sum_sq) / static_cast<double>(n));
  if (!(std::fabs(r[period]) / stat > 1.6448536269514722)) return {};

  // Classical multiplicative decomposition: centred moving average, then mean ratios.
  const size_t half = period / 2;
  std::vector<double> ratio_sum(period, 0.0), ratio_count(period, 0.0);
  std::vector<double> prefix(n + 1, 0.0);
  for (size_t t = 0; t < n; ++t) prefix[t + 1] = prefix[t] + y[t];
  for (size_t t = half; t + half < n; ++t) {
    double trend;
    if (period % 2 == 0) {
      // 2 x m moving average.
      trend = (prefix[t + half] - prefix[t - half + 1] + 0.5 * (y[t - half] + y[t + half])) /
              static_cast<double>(period);
    } else {
      trend = (prefix[t + half + 1] - prefix[t - half]) / static_cast<double>(period);
    }
    ratio_sum[t % period] += y[t] / trend;
    ratio_count[t % period] += 1;
  }
  std::vector<double> si(period, 1.0);
  double total = 0;
  for (size_t i = 0; i < period; ++i) {
    si[i] = ratio_count[i] > 0 ? ratio_sum[i] / ratio_count[i] : 1.0;
    total += si[i];
  }
  for (double& v : si) v *= static_cast<double>(period) / total;
  return si;
}

double Quantile(std::vector<double> v, double p) {
  if (v.empty()) return NAN;
  std::sort(v.begin(), v.end());
  const double pos = p * static_cast<double>(v.size() - 1);
  const size_t lo = static_cast<size_t>(std::floor(pos));
  const size_t hi = std::min(lo + 1, v.size() - 1);
  return v[lo] + (pos - static_cast<double>(lo)) * (v[hi] - v[lo]);
}

}  // namespace corrente::forecast::internal
