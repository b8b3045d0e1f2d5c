// Internal building blocks of the forecasting engine. Not part of the public API; used by the
// model files, ForecastAuto and the unit tests. Everything is pure and thread-safe.
#ifndef CORRENTE_FORECAST_INTERNAL_H_
#define CORRENTE_FORECAST_INTERNAL_H_

#include <functional>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "forecast/forecast.h"

namespace corrente::forecast::internal {

// A model with parameters that are estimated once (Fit) and then reused to forecast from any
// later origin (Predict on a longer prefix of the same series). This is what makes the
// rolling-origin backtest cheap: one estimation per candidate, then only filtering.
class Model {
 public:
  virtual ~Model() = default;
  // Forecasts h steps after the end of `y`. `y` starts with the data given to the fit (it may
  // be longer). Must not modify the model, so it is safe to call concurrently.
  virtual ModelForecast Predict(std::span<const double> y, int h) const = 0;
};

// Fits the candidate `name` on y. Known names: naive, snaive, ma, ses, holt_damped, ets,
// theta, otm, croston, croston_sba, tsb, adida, imapa. Returns null for an unknown name or when
// the model does not qualify for y (e.g. snaive without 2 full seasons).
std::unique_ptr<Model> FitModel(const std::string& name, std::span<const double> y, int m);

// Fits the standard (optimize=false, theta=2) or optimized Theta model; null for empty y.
std::unique_ptr<Model> FitThetaModel(std::span<const double> y, int m, bool optimize);

// ---- Nelder-Mead --------------------------------------------------------------------------
struct NelderMeadResult {
  std::vector<double> x;
  double value = 0;
  int evaluations = 0;
};
// Minimizes f from x0 with initial simplex steps `step`. Stops when the spread of the simplex
// values is below rel_tol * (|f_best| + |f_worst|) + 1e-12, or after max_evals.
NelderMeadResult NelderMead(const std::function<double(std::span<const double>)>& f,
                            std::vector<double> x0, std::vector<double> step, int max_evals,
                            double rel_tol = 1e-8);

// ---- ETS ------------------------------------------------------------------------------------
enum class Component { kNone = 0, kAdd = 1, kMul = 2 };

struct EtsForm {
  Component error = Component::kAdd;
  Component trend = Component::kNone;  // kMul is not used (as R's default)
  Component season = Component::kNone;
  bool damped = false;
};
std::string EtsFormName(const EtsForm& form);  // e.g. "MAdN"
// Inverse of EtsFormName; false for a malformed name.
bool ParseEtsForm(const std::string& name, EtsForm* form);

struct EtsFit {
  EtsForm form;
  int m = 1;
  double alpha = 0.5, beta = 0, gamma = 0, phi = 1;
  double l0 = 0, b0 = 0;
  std::vector<double> s0;  // seasonal index for cycle positions 0..m-1 of the first season
  double lik = INFINITY;   // n*log(SSE) (+ 2*sum log|yhat| for multiplicative error)
  double aicc = INFINITY;
  double sigma2 = 0;  // variance of the one-step (absolute) residuals
  int n = 0;
  bool ok = false;
};

// Fits one ETS form on y by maximum likelihood (Nelder-Mead). Seasonal initial states come from
// a heuristic decomposition of the first seasons and are not optimized. ok=false when the form
// does not qualify (too little data, non-positive data for multiplicative forms).
// `start`, when given, is an earlier fit of the same form on a prefix of y: the search starts
// there (warm start). Seasonal initial states are recomputed either way.
EtsFit FitEts(std::span<const double> y, const EtsForm& form, int m, const EtsFit* start = nullptr);
// Fits every qualifying form (see AutoEts in forecast.h) and returns them; the caller picks the
// minimum AICc.
std::vector<EtsFit> FitEtsFamily(std::span<const double> y, int m);
// Filters y with the fitted parameters and forecasts h steps (mean and model-based sd).
ModelForecast EtsPredict(const EtsFit& fit, std::span<const double> y, int h);

// A Model that forecasts with a fixed ETS fit.
class EtsModel : public Model {
 public:
  explicit EtsModel(EtsFit fit) : fit_(std::move(fit)) {}
  ModelForecast Predict(std::span<const double> y, int h) const override {
    return EtsPredict(fit_, y, h);
  }
  const EtsFit& fit() const { return fit_; }

 private:
  EtsFit fit_;
};
const EtsFit* FindForm(const std::vector<EtsFit>& family, const std::string& form);
const EtsFit* BestAicc(const std::vector<EtsFit>& family);

// ---- Helpers ----------------------------------------------------------------------------------
// Optimized SES (alpha by golden section on the one-step SSE, level started at y[0]). Returns
// the final level; `alpha_out` receives alpha when not null.
double SesOptimizedLevel(std::span<const double> y, double* alpha_out = nullptr);
// Multiplicative seasonal indices (m values, mean 1) by classical decomposition when y is
// positive, n > 2m and a 90% ACF test at lag m finds seasonality; empty otherwise.
std::vector<double> SeasonalIndices(std::span<const double> y, int m);
double Quantile(std::vector<double> v, double p);

// The p-quantile (0 < p < 1) of a count distribution with this mean and variance: Poisson
// when variance <= mean, else negative binomial (the usual model of intermittent demand
// sizes and occurrences together). The least n with P(X <= n) >= p; 0 for a mean <= 0.
// Means too large for the recurrence fall back to the rounded normal quantile.
double CountQuantile(double mean, double variance, double p);

}  // namespace corrente::forecast::internal

#endif  // CORRENTE_FORECAST_INTERNAL_H_
