// Multiple seasonal decomposition (MSTL-style, with moving-average trends): each period's
// seasonal component is estimated in turn from the series less the other components, twice;
// the adjusted series is forecast by AutoETS without a season, and each component is carried
// forward by its phase.
#include <algorithm>
#include <cmath>
#include <vector>

#include "forecast/forecast.h"

namespace corrente::forecast {
namespace {

// Centered moving average of length p (2 x p for even p); NaN where it is not defined.
// Running sums: O(n) for any p (a yearly period made the direct sum the MSTL's main cost).
std::vector<double> CenteredMa(std::span<const double> y, int p) {
  const int n = static_cast<int>(y.size());
  std::vector<double> out(y.size(), NAN);
  if (p < 2 || n < p + 1) return out;
  const int half = p / 2;
  std::vector<double> prefix(y.size() + 1, 0.0);  // prefix[i] = y[0] + ... + y[i-1]
  for (int t = 0; t < n; ++t) prefix[t + 1] = prefix[t] + y[t];
  auto sum = [&](int from, int to) { return prefix[to + 1] - prefix[from]; };  // inclusive
  for (int t = half; t + half < n; ++t) {
    if (p % 2 == 1) {
      out[t] = sum(t - half, t + half) / p;
    } else {
      // 2 x p: the ends weigh half.
      out[t] = (sum(t - half + 1, t + half - 1) + 0.5 * (y[t - half] + y[t + half])) / p;
    }
  }
  return out;
}

// The periods with two full cycles in n points, sorted and distinct.
std::vector<int> UsablePeriods(size_t n, std::span<const int> periods) {
  std::vector<int> ps;
  for (int p : periods)
    if (p >= 2 && n >= 2 * static_cast<size_t>(p)) ps.push_back(p);
  std::sort(ps.begin(), ps.end());
  ps.erase(std::unique(ps.begin(), ps.end()), ps.end());
  return ps;
}

}  // namespace

std::vector<std::vector<double>> MstlSeasonals(std::span<const double> y,
                                               std::span<const int> periods) {
  const size_t n = y.size();
  const std::vector<int> ps = UsablePeriods(n, periods);
  std::vector<std::vector<double>> comp(ps.size(), std::vector<double>(n, 0.0));
  for (int iter = 0; iter < 2; ++iter) {
    for (size_t k = 0; k < ps.size(); ++k) {
      const int p = ps[k];
      std::vector<double> r(y.begin(), y.end());
      for (size_t q = 0; q < ps.size(); ++q)
        if (q != k)
          for (size_t t = 0; t < n; ++t) r[t] -= comp[q][t];
      std::vector<double> trend = CenteredMa(r, p);
      std::vector<double> sum(static_cast<size_t>(p), 0.0), cnt(static_cast<size_t>(p), 0.0);
      for (size_t t = 0; t < n; ++t) {
        if (std::isnan(trend[t])) continue;
        sum[t % p] += r[t] - trend[t];
        cnt[t % p] += 1;
      }
      std::vector<double> index(static_cast<size_t>(p), 0.0);
      double mean = 0;
      for (int j = 0; j < p; ++j) {
        index[j] = cnt[j] > 0 ? sum[j] / cnt[j] : 0;
        mean += index[j] / p;
      }
      for (double& v : index) v -= mean;
      for (size_t t = 0; t < n; ++t) comp[k][t] = index[t % p];
    }
  }
  return comp;
}

ModelForecast Mstl(std::span<const double> y, int h, std::span<const int> periods,
                   size_t fit_last) {
  const size_t n = y.size();
  const std::vector<int> ps = UsablePeriods(n, periods);
  std::vector<std::vector<double>> comp = MstlSeasonals(y, ps);
  std::vector<double> adjusted(y.begin(), y.end());
  for (const auto& c : comp)
    for (size_t t = 0; t < n; ++t) adjusted[t] -= c[t];
  std::span<const double> fit(adjusted);
  if (fit_last > 0 && fit_last < fit.size()) fit = fit.last(fit_last);
  ModelForecast f = AutoEts(fit, h, 1);
  for (size_t k = 0; k < comp.size(); ++k) {
    const size_t p = static_cast<size_t>(ps[k]);
    for (int j = 0; j < h; ++j) {
      // Day n + j has the phase of day n - p + (j mod p): the component repeats every p.
      f.mean[static_cast<size_t>(j)] += comp[k][n - p + static_cast<size_t>(j) % p];
    }
  }
  std::string name = "mstl(";
  for (size_t k = 0; k < ps.size(); ++k) name += (k ? "," : "") + std::to_string(ps[k]);
  f.model = name + ")+" + f.model;
  return f;
}

}  // namespace corrente::forecast
