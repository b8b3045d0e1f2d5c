#include "forecast/global.h"

#include <Eigen/Dense>
#include <algorithm>
#include <atomic>
#include <cmath>
#include <thread>

namespace corrente::forecast {
namespace {

// The window's level: 1 + the mean of its last min(horizon, lags) values (the log1p scale);
// 0 when a value of the window is negative (the window then does not qualify).
double Level(std::span<const double> w, int horizon) {
  for (double v : w)
    if (!(v >= 0) || !std::isfinite(v)) return 0;
  const size_t k = std::min(w.size(), static_cast<size_t>(std::max(1, horizon)));
  double s = 0;
  for (size_t i = w.size() - k; i < w.size(); ++i) s += w[i];
  return s / static_cast<double>(k) + 1.0;
}

}  // namespace

int GlobalLags(int season, int horizon) {
  return std::clamp(std::max(season, 2 * horizon), 8, 400);
}

GlobalModel FitGlobal(std::span<const std::vector<double>> series, int lags, int horizon,
                      size_t cut, size_t max_windows, double ridge) {
  GlobalModel model;
  model.lags = lags;
  model.horizon = horizon;
  if (lags < 1 || horizon < 1) return model;
  const size_t span = static_cast<size_t>(lags + horizon);
  size_t total = 0;
  for (const auto& y : series)
    if (y.size() >= cut + span) total += y.size() - cut - span + 1;
  if (total == 0) return model;
  const size_t stride = std::max<size_t>(1, (total + max_windows - 1) / std::max<size_t>(1, max_windows));
  const Eigen::Index p = lags + 1;
  Eigen::MatrixXd xtx = Eigen::MatrixXd::Zero(p, p);
  Eigen::MatrixXd xty = Eigen::MatrixXd::Zero(p, horizon);
  // Rows are gathered in blocks so the products run as matrix products.
  constexpr Eigen::Index kBlock = 4096;
  Eigen::MatrixXd xb(kBlock, p), yb(kBlock, horizon);
  Eigen::Index rows = 0;
  auto flush = [&] {
    if (rows == 0) return;
    xtx.noalias() += xb.topRows(rows).transpose() * xb.topRows(rows);
    xty.noalias() += xb.topRows(rows).transpose() * yb.topRows(rows);
    rows = 0;
  };
  std::vector<double> logs;
  for (const auto& y : series) {
    if (y.size() < cut + span) continue;
    // log1p once per value; NaN marks a negative value.
    logs.resize(y.size());
    for (size_t t = 0; t < y.size(); ++t) logs[t] = y[t] >= 0 ? std::log1p(y[t]) : NAN;
    const size_t end = y.size() - cut;  // windows end (target included) at or before end
    for (size_t stop = end; stop >= span; stop -= stride) {
      const size_t start = stop - span;
      const double level = Level(std::span<const double>(y.data() + start, static_cast<size_t>(lags)), horizon);
      bool ok = level > 0;
      for (size_t j = start + static_cast<size_t>(lags); ok && j < stop; ++j) ok = y[j] >= 0;
      if (ok) {
        const double log_level = std::log(level);
        for (int j = 0; j < lags; ++j) xb(rows, j) = logs[start + static_cast<size_t>(j)] - log_level;
        xb(rows, lags) = 1.0;
        for (int j = 0; j < horizon; ++j)
          yb(rows, j) = logs[start + static_cast<size_t>(lags + j)] - log_level;
        ++model.windows;
        if (++rows == kBlock) flush();
      }
      if (stop < span + stride) break;
    }
  }
  flush();
  if (model.windows == 0) return model;
  for (Eigen::Index i = 0; i < lags; ++i) xtx(i, i) += ridge;  // the intercept is not shrunk
  const Eigen::MatrixXd coef = xtx.ldlt().solve(xty);
  if (!coef.allFinite()) {
    model.windows = 0;
    return model;
  }
  model.coef.assign(coef.data(), coef.data() + coef.size());
  return model;
}

std::vector<double> PredictGlobal(const GlobalModel& model, std::span<const double> y, int h) {
  if (!model.ok() || h < 1 || h > model.horizon || y.size() < static_cast<size_t>(model.lags))
    return {};
  const std::span<const double> w = y.last(static_cast<size_t>(model.lags));
  const double level = Level(w, model.horizon);
  if (!(level > 0)) return {};
  const size_t p = static_cast<size_t>(model.lags) + 1;
  const double log_level = std::log(level);
  std::vector<double> x(p - 1);
  for (size_t i = 0; i + 1 < p; ++i) x[i] = std::log1p(w[i]) - log_level;
  std::vector<double> out(static_cast<size_t>(h));
  for (size_t j = 0; j < out.size(); ++j) {
    const double* c = model.coef.data() + j * p;
    double s = c[p - 1];
    for (size_t i = 0; i + 1 < p; ++i) s += c[i] * x[i];
    out[j] = level * std::exp(std::clamp(s, -20.0, 20.0)) - 1.0;
  }
  return out;
}

GlobalModels FitGlobalModels(std::span<const std::vector<double>> series,
                             const ForecastOptions& opt) {
  GlobalModels g;
  const int h = opt.horizon;
  if (h < 1 || series.size() < kMinPanel) return g;
  const int lags = GlobalLags(opt.season, h);
  const size_t cut = static_cast<size_t>(std::max(0, opt.backtest_origins)) * static_cast<size_t>(h);
  g.backtest = FitGlobal(series, lags, h, cut);
  g.final_model = FitGlobal(series, lags, h, 0);
  return g;
}

std::vector<ForecastResult> ForecastPanel(std::span<const std::vector<double>> series,
                                          const ForecastOptions& opt, int jobs, bool global,
                                          PanelReport* report) {
  PanelReport local_report;
  PanelReport& rep = report ? *report : local_report;
  rep = PanelReport{};
  ForecastOptions options = opt;
  GlobalModels models;
  if (global && series.size() >= kMinPanel) {
    std::vector<std::vector<double>> clean(series.size());
    for (size_t i = 0; i < series.size(); ++i) clean[i] = CleanSeries(series[i]);
    models = FitGlobalModels(clean, opt);
    models.Attach(options);
    if (models.ok()) rep.windows = models.final_model.windows;
  }
  std::vector<ForecastResult> out(series.size());
  std::atomic<size_t> next{0};
  const size_t workers = std::clamp<size_t>(static_cast<size_t>(std::max(1, jobs)), 1,
                                            std::max<size_t>(1, series.size()));
  {
    std::vector<std::jthread> threads;
    for (size_t w = 0; w < workers; ++w) {
      threads.emplace_back([&] {
        for (size_t i = next++; i < series.size(); i = next++) out[i] = ForecastAuto(series[i], options);
      });
    }
  }
  for (const ForecastResult& r : out) rep.used += r.model.find("global") != std::string::npos;
  return out;
}

}  // namespace corrente::forecast
