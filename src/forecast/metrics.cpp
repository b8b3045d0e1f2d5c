// Accuracy metrics, series cleaning and demand classification.
#include <algorithm>
#include <cmath>

#include "forecast/forecast.h"

namespace corrente::forecast {

double Mase(std::span<const double> actual, std::span<const double> forecast,
            std::span<const double> insample) {
  if (actual.empty() || actual.size() != forecast.size() || insample.size() < 2) return NAN;
  double scale = 0;
  for (size_t t = 1; t < insample.size(); ++t) scale += std::fabs(insample[t] - insample[t - 1]);
  scale /= static_cast<double>(insample.size() - 1);
  if (!(scale > 0)) return NAN;
  double mae = 0;
  for (size_t i = 0; i < actual.size(); ++i) mae += std::fabs(actual[i] - forecast[i]);
  return mae / static_cast<double>(actual.size()) / scale;
}

double Smape(std::span<const double> actual, std::span<const double> forecast) {
  if (actual.empty() || actual.size() != forecast.size()) return NAN;
  double sum = 0;
  for (size_t i = 0; i < actual.size(); ++i) {
    const double denom = std::fabs(actual[i]) + std::fabs(forecast[i]);
    if (denom > 0) sum += 200.0 * std::fabs(actual[i] - forecast[i]) / denom;
  }
  return sum / static_cast<double>(actual.size());
}

double Wape(std::span<const double> actual, std::span<const double> forecast) {
  if (actual.empty() || actual.size() != forecast.size()) return NAN;
  double err = 0, total = 0;
  for (size_t i = 0; i < actual.size(); ++i) {
    err += std::fabs(actual[i] - forecast[i]);
    total += std::fabs(actual[i]);
  }
  return total > 0 ? 100.0 * err / total : NAN;
}

double Mape(std::span<const double> actual, std::span<const double> forecast) {
  if (actual.size() != forecast.size()) return NAN;
  double sum = 0;
  size_t count = 0;
  for (size_t i = 0; i < actual.size(); ++i) {
    if (actual[i] == 0) continue;
    sum += std::fabs((actual[i] - forecast[i]) / actual[i]);
    ++count;
  }
  return count > 0 ? 100.0 * sum / static_cast<double>(count) : NAN;
}

double Bias(std::span<const double> actual, std::span<const double> forecast) {
  if (actual.empty() || actual.size() != forecast.size()) return NAN;
  double sum = 0;
  for (size_t i = 0; i < actual.size(); ++i) sum += forecast[i] - actual[i];
  return sum / static_cast<double>(actual.size());
}

std::vector<double> CleanSeries(std::span<const double> y) {
  size_t first = 0;
  while (first < y.size() && !std::isfinite(y[first])) ++first;
  std::vector<double> out;
  if (first == y.size()) return out;
  out.reserve(y.size() - first);
  size_t last_valid = first;  // index into y of the last finite value copied
  for (size_t t = first; t < y.size(); ++t) {
    if (!std::isfinite(y[t])) {
      out.push_back(NAN);  // filled below
      continue;
    }
    if (t > last_valid + 1) {
      // Linear interpolation over the interior gap (last_valid, t).
      const double a = y[last_valid], b = y[t];
      const double span = static_cast<double>(t - last_valid);
      for (size_t k = last_valid + 1; k < t; ++k) {
        out[k - first] = a + (b - a) * static_cast<double>(k - last_valid) / span;
      }
    }
    out.push_back(y[t]);
    last_valid = t;
  }
  // Trailing gap: carry the last observation forward.
  for (size_t k = last_valid + 1; k < y.size(); ++k) out[k - first] = y[last_valid];
  return out;
}

DemandProfile ClassifyDemand(std::span<const double> y) {
  DemandProfile profile;
  double sum = 0, sum_sq = 0;
  size_t nonzero = 0, total = 0;
  for (double v : y) {
    if (!std::isfinite(v)) continue;
    ++total;
    if (v == 0) continue;
    ++nonzero;
    sum += v;
    sum_sq += v * v;
  }
  if (nonzero > 0) {
    profile.adi = static_cast<double>(total) / static_cast<double>(nonzero);
    const double mean = sum / static_cast<double>(nonzero);
    const double var = std::max(0.0, sum_sq / static_cast<double>(nonzero) - mean * mean);
    profile.cv2 = mean != 0 ? var / (mean * mean) : 0.0;
  }
  const bool sporadic = profile.adi > 1.32, variable = profile.cv2 > 0.49;
  profile.demand_class =
      sporadic ? (variable ? "lumpy" : "intermittent") : (variable ? "erratic" : "smooth");
  return profile;
}

}  // namespace corrente::forecast
