// Corrente forecasting engine: pure models on spans of doubles.
//
// Everything in this header is a pure function: no I/O, no logging, no global state, no
// allocation shared between calls. Every function is thread-safe and may be called
// concurrently on different (or the same, read-only) inputs.
//
// Conventions shared by every model:
//  - `y` holds the observations in time order, oldest first. Models that take a span expect
//    finite values; ForecastAuto cleans NaN/inf itself (see CleanSeries).
//  - `h` is the number of steps to forecast (h >= 0). The result has exactly h values.
//  - `m` is the seasonal period (1 or less means non-seasonal).
//  - Individual models do NOT clamp their output; ForecastAuto clamps at zero.
#ifndef CORRENTE_FORECAST_FORECAST_H_
#define CORRENTE_FORECAST_FORECAST_H_

#include <cmath>
#include <span>
#include <string>
#include <vector>

namespace corrente::forecast {

struct GlobalModel;

// Options of the automatic forecaster.
struct ForecastOptions {
  int horizon = 90;          // steps ahead to forecast
  int season = 7;            // seasonal period; <= 1 disables seasonal models
  // Two or more periods (e.g. 24 and 168 for hourly data, 7 and 365 for daily): adds the
  // "mstl" candidate (Mstl below) for series with two full cycles of a second period; the
  // backtest chooses it or not like any other. Empty or one period: nothing changes.
  std::vector<int> seasons;
  bool intervals = true;     // fill lo80/hi80/lo95/hi95 (else they are left empty)
  int backtest_origins = 3;  // rolling origins used to score and select models (0: no backtest)
  // How many of the best backtested models are combined by their per-step median (for 2 that
  // is their mean). 1 picks the single best model. 2 was the measured winner on M4 Weekly
  // (MASE 2.135 against 2.206 for 1 and 2.233 for 3; see README.md).
  int combine_top = 2;
  // Global models learnt across a panel of series (global.h, set by ForecastPanel): when both
  // are set, "global" is a candidate for smooth and erratic series. The backtest uses the one
  // fitted without each series' last backtest_origins * horizon values; the forecast the other.
  const GlobalModel* global_backtest = nullptr;
  const GlobalModel* global_final = nullptr;
};

// Output of ForecastAuto.
struct ForecastResult {
  std::string model;  // e.g. "ets_AAdA", "croston_sba", "snaive", "median(ets_MAdN,theta,otm)"
  std::vector<double> mean, lo80, hi80, lo95, hi95;  // size horizon, never negative
  // Scores of the chosen model on the rolling-origin backtest (NAN when the series was too
  // short to backtest). MASE uses one-step naive scaling (m = 1); WAPE and MAPE are percent;
  // bias is mean(forecast - actual) in the units of y.
  double backtest_mase = NAN, backtest_wape = NAN, backtest_mape = NAN, backtest_bias = NAN;
  std::string demand_class;  // "smooth", "erratic", "intermittent" or "lumpy"
};

// Forecasts `y` with automatic model selection:
//  1. cleans the series (CleanSeries) and keeps its most recent
//     W = max(260, 5*season, 2*backtest_origins*horizon + 2*season) values (older history did
//     not improve accuracy on M4 Weekly and costs time); classifies the demand (ClassifyDemand);
//  2. scores the candidate models of that demand class on a rolling-origin backtest
//     (opt.backtest_origins windows of min(horizon, what fits) steps, parameters estimated on the
//     data before the first origin, mean MASE over the origins);
//  3. refits the best model (or the per-step median of the best opt.combine_top distinct ones)
//     on the window;
//  4. builds 80%/95% intervals: model-based for ETS-class models (ETS, SES, Holt, Theta, naive,
//     seasonal naive), otherwise empirical from the backtest errors.
// Never throws for any input (empty, all-NaN, all-zero, constant, very short series); a
// horizon <= 0 returns empty vectors. Thread-safe.
ForecastResult ForecastAuto(std::span<const double> y, const ForecastOptions& opt);

// Forecast of one model.
struct ModelForecast {
  std::string model;         // resolved name, e.g. "ets_MAdN", "theta", "croston"
  std::vector<double> mean;  // size h
  // Per-step standard deviation of the forecast error when the model has a model-based one;
  // empty otherwise.
  std::vector<double> sd;
};

// --- Baselines -----------------------------------------------------------------------------
// Repeats the last value. sd: sigma * sqrt(step), sigma from one-step differences.
ModelForecast Naive(std::span<const double> y, int h);
// Repeats the last full season; falls back to Naive when y is shorter than m.
ModelForecast SeasonalNaive(std::span<const double> y, int h, int m);
// Mean of the last `window` values (all values when fewer). No sd.
ModelForecast MovingAverage(std::span<const double> y, int h, int window);

// --- Exponential smoothing (state-space ETS, fitted by maximum likelihood) -----------------
// ETS(A,N,N): simple exponential smoothing with optimized alpha and initial level.
ModelForecast Ses(std::span<const double> y, int h);
// ETS(A,Ad,N): damped Holt.
ModelForecast HoltDamped(std::span<const double> y, int h);
// ETS(A,Ad,A) Holt-Winters with damped trend when 2 <= m <= 24 and y has 2 full seasons; else
// HoltDamped.
ModelForecast HoltWinters(std::span<const double> y, int h, int m);
// AutoETS: chooses error (A/M), trend (N/A/Ad) and season (N/A/M) by AICc. Multiplicative
// forms need strictly positive data; seasonal forms need 2 <= m <= 24 (as R's ets(), which
// ignores seasonality above 24) and 2 full seasons. Model name "ets_<E><T><S>".
ModelForecast AutoEts(std::span<const double> y, int h, int m);

// --- Theta ----------------------------------------------------------------------------------
// Standard Theta method (theta = 2, as R's forecast::thetaf): multiplicative classical
// decomposition when a 90% ACF test finds seasonality at lag m (needs n > 2m), SES on the
// adjusted series plus half the linear-regression slope.
ModelForecast Theta(std::span<const double> y, int h, int m);
// Optimized Theta Model (Fiorucci et al. 2016): theta, alpha and initial level minimize the
// in-sample one-step MSE. Same seasonal adjustment as Theta.
ModelForecast OptimizedTheta(std::span<const double> y, int h, int m);

// --- Intermittent demand --------------------------------------------------------------------
// Croston: SES (smoothing `alpha`) of nonzero demand sizes over SES of inter-demand intervals.
ModelForecast Croston(std::span<const double> y, int h, double alpha = 0.1);
// Syntetos-Boylan approximation: Croston times (1 - alpha/2).
ModelForecast CrostonSba(std::span<const double> y, int h, double alpha = 0.1);
// Teunter-Syntetos-Babai: demand probability updated every period (beta), size on demand
// (alpha). alpha/beta <= 0 means "choose from a grid by in-sample MSE".
ModelForecast Tsb(std::span<const double> y, int h, double alpha = 0, double beta = 0);
// ADIDA: temporal aggregation at level round(ADI), optimized SES, disaggregated evenly.
ModelForecast Adida(std::span<const double> y, int h);
// IMAPA: mean of the aggregate SES forecasts at levels 1..round(ADI) (at most 12).
ModelForecast Imapa(std::span<const double> y, int h);

// --- Multiple seasonality --------------------------------------------------------------------
// The seasonal components of y for each period with two full cycles in y (smallest first),
// each of y's length: estimated in turn from y less the other components with a centered
// moving-average trend, twice, each with mean zero over its period.
std::vector<std::vector<double>> MstlSeasonals(std::span<const double> y,
                                               std::span<const int> periods);
// MSTL-style forecast: y less its seasonal components forecast by AutoEts without a season,
// plus each component carried forward by phase. sd: AutoEts's on the adjusted series. Model
// name "mstl(<periods>)+ets_<form>".
// fit_last > 0: AutoEts fits only the adjusted series' last fit_last values (the decomposition
// still reads all of y).
ModelForecast Mstl(std::span<const double> y, int h, std::span<const int> periods,
                   size_t fit_last = 0);

// --- Demand classification (Syntetos-Boylan) ------------------------------------------------
struct DemandProfile {
  double adi = INFINITY;     // periods / nonzero periods (INFINITY when there is no demand)
  double cv2 = 0;            // squared coefficient of variation of the nonzero sizes
  std::string demand_class;  // smooth: ADI<=1.32,CV2<=0.49; erratic: ADI<=1.32,CV2>0.49;
                             // intermittent: ADI>1.32,CV2<=0.49; lumpy: ADI>1.32,CV2>0.49
};
DemandProfile ClassifyDemand(std::span<const double> y);

// --- Cleaning -------------------------------------------------------------------------------
// Missing values are NaN or +-inf. Leading missing values are dropped; interior gaps are
// linearly interpolated; trailing missing values repeat the last observed value (so the
// forecast origin stays at the end of the input). All-missing input gives an empty vector.
std::vector<double> CleanSeries(std::span<const double> y);

// --- Metrics (actual and forecast have the same size; NAN when undefined) -------------------
// MASE: MAE / mean |insample[t] - insample[t-1]| (one-step naive scaling, m = 1).
double Mase(std::span<const double> actual, std::span<const double> forecast,
            std::span<const double> insample);
// sMAPE in percent (0..200), M4 definition; a step where actual and forecast are both 0 adds 0.
double Smape(std::span<const double> actual, std::span<const double> forecast);
// WAPE in percent: sum |a - f| / sum |a|.
double Wape(std::span<const double> actual, std::span<const double> forecast);
// MAPE in percent over the steps where the actual is nonzero.
double Mape(std::span<const double> actual, std::span<const double> forecast);
// Mean of (forecast - actual): positive means over-forecasting.
double Bias(std::span<const double> actual, std::span<const double> forecast);

}  // namespace corrente::forecast

#endif  // CORRENTE_FORECAST_FORECAST_H_
