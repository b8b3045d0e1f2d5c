// A global (pooled) model: one ridge regression learnt across many series, offered to each
// series' automatic forecast as one more candidate.
//
// Local models see one series; a panel of related series holds shapes (seasonal profiles,
// how trends bend) that no single history shows. The global model learns them from windows of
// every series: log1p of `lags` values less the log of their level (1 + the mean of the last
// min(horizon, lags)) predict the same for each of the next `horizon` values, directly (one
// output per step). log1p keeps count series with zero days; windows with a negative value
// are left out.
#ifndef CORRENTE_FORECAST_GLOBAL_H_
#define CORRENTE_FORECAST_GLOBAL_H_

#include <cstddef>
#include <span>
#include <string>
#include <vector>

#include "forecast/forecast.h"

namespace corrente::forecast {

struct GlobalModel {
  int lags = 0, horizon = 0;
  size_t windows = 0;         // training windows used
  std::vector<double> coef;   // (lags + 1) x horizon, column-major; last row: the intercept
  bool ok() const { return windows > 0 && !coef.empty(); }
};

// Lags for a season and horizon: max(season, 2 * horizon), within 8..400.
int GlobalLags(int season, int horizon);

// Ridge fit on windows of each series with its last `cut` values left out, newest windows
// first, strided so that at most `max_windows` enter. Not ok when no window qualifies.
GlobalModel FitGlobal(std::span<const std::vector<double>> series, int lags, int horizon,
                      size_t cut, size_t max_windows = 30000, double ridge = 1.0);

// The first h (<= model.horizon) steps after y's end; empty when one of y's last `lags` values
// is negative or the model is not ok.
std::vector<double> PredictGlobal(const GlobalModel& model, std::span<const double> y, int h);

// The two global models a panel's forecasts use: `backtest` fitted without each series' last
// backtest_origins * horizon values (so no backtest target was seen), `final_model` on all.
struct GlobalModels {
  GlobalModel backtest, final_model;
  bool ok() const { return backtest.ok() && final_model.ok(); }
  // Offers both to ForecastAuto through `opt` when ok.
  void Attach(ForecastOptions& opt) const {
    if (!ok()) return;
    opt.global_backtest = &backtest;
    opt.global_final = &final_model;
  }
};

// Fits both on `series` (cleaned: no missing values) for opt's season, horizon and backtest
// origins; neither is ok with fewer than kMinPanel series or a horizon below 1.
GlobalModels FitGlobalModels(std::span<const std::vector<double>> series,
                             const ForecastOptions& opt);

struct PanelReport {
  size_t windows = 0;  // training windows of the global model (0: not fitted)
  size_t used = 0;     // series whose forecast uses it
};

// Forecasts every series with ForecastAuto on `jobs` threads. With `global`, the global models
// (FitGlobalModels) are fitted first and "global" competes in every series' backtest like any
// other candidate: it is chosen or combined only where it scores among the best. Deterministic
// for any `jobs`.
std::vector<ForecastResult> ForecastPanel(std::span<const std::vector<double>> series,
                                          const ForecastOptions& opt, int jobs, bool global,
                                          PanelReport* report = nullptr);

inline constexpr size_t kMinPanel = 20;

}  // namespace corrente::forecast

#endif  // CORRENTE_FORECAST_GLOBAL_H_
