// Intermittent-demand models: Croston, SBA, TSB, ADIDA, IMAPA.
#include <algorithm>
#include <cmath>

#include "forecast/internal.h"

namespace corrente::forecast {
namespace {

ModelForecast Flat(std::string name, int h, double value) {
  ModelForecast out;
  out.model = std::move(name);
  out.mean.assign(static_cast<size_t>(std::max(0, h)), value);
  return out;
}

double CrostonRate(std::span<const double> y, double alpha) {
  bool seen = false;
  double size = 0, interval = 0;
  std::ptrdiff_t last = -1;
  for (size_t t = 0; t < y.size(); ++t) {
    if (y[t] == 0) continue;
    const double gap = static_cast<double>(static_cast<std::ptrdiff_t>(t) - last);
    if (!seen) {
      size = y[t];
      interval = gap;
      seen = true;
    } else {
      size += alpha * (y[t] - size);
      interval += alpha * (gap - interval);
    }
    last = static_cast<std::ptrdiff_t>(t);
  }
  return seen ? size / interval : 0.0;
}

double MeanInterval(std::span<const double> y) {
  const auto nonzero = std::count_if(y.begin(), y.end(), [](double v) { return v != 0; });
  return nonzero == 0 ? 1.0 : static_cast<double>(y.size()) / static_cast<double>(nonzero);
}

// SES forecast per period of y aggregated into non-overlapping buckets of `level` periods,
// aligned on the end of y.
double AggregateSesRate(std::span<const double> y, size_t level) {
  const size_t buckets = y.size() / level;
  if (buckets == 0) return y.empty() ? 0.0 : y.back();
  std::vector<double> agg(buckets, 0.0);
  const size_t start = y.size() - buckets * level;
  for (size_t b = 0; b < buckets; ++b) {
    for (size_t k = 0; k < level; ++k) agg[b] += y[start + b * level + k];
  }
  return internal::SesOptimizedLevel(agg) / static_cast<double>(level);
}

}  // namespace

ModelForecast Croston(std::span<const double> y, int h, double alpha) {
  return Flat("croston", h, CrostonRate(y, alpha));
}

ModelForecast CrostonSba(std::span<const double> y, int h, double alpha) {
  return Flat("croston_sba", h, CrostonRate(y, alpha) * (1 - alpha / 2));
}

ModelForecast Tsb(std::span<const double> y, int h, double alpha, double beta) {
  if (y.empty()) return Flat("tsb", h, 0.0);
  const auto nonzero = std::count_if(y.begin(), y.end(), [](double v) { return v != 0; });
  if (nonzero == 0) return Flat("tsb", h, 0.0);
  double size0 = 0;
  for (double v : y) size0 += v != 0 ? v / static_cast<double>(nonzero) : 0.0;
  const double prob0 = static_cast<double>(nonzero) / static_cast<double>(y.size());
  auto run = [&](double a, double b, double* sse) {
    double prob = prob0, size = size0, err = 0;
    for (double v : y) {
      const double e = v - prob * size;
      err += e * e;
      prob += b * ((v != 0 ? 1.0 : 0.0) - prob);
      if (v != 0) size += a * (v - size);
    }
    if (sse != nullptr) *sse = err;
    return prob * size;
  };
  if (alpha <= 0 || beta <= 0) {
    // Grid search of both smoothing constants by in-sample one-step MSE.
    static constexpr double kGrid[] = {0.02, 0.05, 0.1, 0.2, 0.3, 0.5};
    double best = INFINITY;
    for (double a : kGrid) {
      for (double b : kGrid) {
        double sse = 0;
        run(a, b, &sse);
        if (sse < best) {
          best = sse;
          alpha = a;
          beta = b;
        }
      }
    }
  }
  return Flat("tsb", h, run(alpha, beta, nullptr));
}

ModelForecast Adida(std::span<const double> y, int h) {
  if (y.empty()) return Flat("adida", h, 0.0);
  const size_t level = static_cast<size_t>(std::max(1.0, std::round(MeanInterval(y))));
  return Flat("adida", h, std::max(0.0, AggregateSesRate(y, level)));
}

ModelForecast Imapa(std::span<const double> y, int h) {
  if (y.empty()) return Flat("imapa", h, 0.0);
  const size_t max_level =
      std::min<size_t>(12, static_cast<size_t>(std::max(1.0, std::round(MeanInterval(y)))));
  double sum = 0;
  for (size_t level = 1; level <= max_level; ++level) sum += AggregateSesRate(y, level);
  return Flat("imapa", h, std::max(0.0, sum / static_cast<double>(max_level)));
}

}  // namespace corrente::forecast
