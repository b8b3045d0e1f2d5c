// Theta method: standard (theta = 2, as R's thetaf) and optimized (Fiorucci et al. 2016).
//
// State-space form used for both. With l_t the SES level of the (seasonally adjusted) series
// and B_t the least-squares slope of its first t values, the theta-line combination gives
//   yhat_t(h) = l_t + (1 - 1/theta) * B_t * ((h - 1) + (1 - (1 - alpha)^(t+1)) / alpha).
// (Derived from Y = Z(theta)/theta + (1 - 1/theta) * LRL with the theta line smoothed from
// theta*l_0 + (1 - theta)*A_t; with theta = 2 it is thetaf's drift term.)
#include <algorithm>
#include <cmath>

#include "forecast/internal.h"

namespace corrente::forecast::internal {
namespace {

struct ThetaParams {
  double alpha = 0.5, theta = 2, l0 = 0;
};

// 1 / (k*Sxx - Sx^2) for the least-squares slope over t = 1..k (k >= 2), i.e.
// 12 / (k^2 (k^2 - 1)). Precomputed once per fit: the filter runs hundreds of times.
std::vector<double> SlopeDenominators(size_t n) {
  std::vector<double> inv(n + 1, 0.0);
  for (size_t k = 2; k <= n; ++k) {
    const double kk = static_cast<double>(k) * static_cast<double>(k);
    inv[k] = 12.0 / (kk * (kk - 1));
  }
  return inv;
}

// One-step-ahead filter. Returns the SSE; final level and slope through the pointers.
// `inv_den` comes from SlopeDenominators(x.size()).
double ThetaFilter(std::span<const double> x, const ThetaParams& p,
                   const std::vector<double>& inv_den, double* level, double* slope) {
  double l = p.l0, sse = 0, sy = 0, sty = 0, q_pow = 1 - p.alpha;
  const double weight = (1 - 1 / p.theta) / p.alpha;
  double b = 0;
  for (size_t t = 0; t < x.size(); ++t) {
    const double mu = l + weight * b * (1 - q_pow);
    const double e = x[t] - mu;
    sse += e * e;
    l = p.alpha * x[t] + (1 - p.alpha) * l;
    q_pow *= 1 - p.alpha;
    const double k = static_cast<double>(t + 1);
    sy += x[t];
    sty += k * x[t];
    if (t >= 1) b = (k * sty - k * (k + 1) / 2 * sy) * inv_den[t + 1];
  }
  if (level != nullptr) *level = l;
  if (slope != nullptr) *slope = b;
  return sse;
}

class ThetaModel : public Model {
 public:
  ThetaModel(std::string name, std::vector<double> si, ThetaParams params, double sigma2)
      : name_(std::move(name)), si_(std::move(si)), params_(params), sigma2_(sigma2) {}

  ModelForecast Predict(std::span<const double> y, int h) const override {
    std::vector<double> x = Adjust(y);
    double level = 0, slope = 0;
    ThetaFilter(x, params_, SlopeDenominators(x.size()), &level, &slope);
    ModelForecast out;
    out.model = name_;
    const size_t steps = static_cast<size_t>(std::max(0, h));
    out.mean.resize(steps);
    out.sd.resize(steps);
    const double n = static_cast<double>(x.size());
    const double a = params_.alpha, weight = 1 - 1 / params_.theta;
    const double tail = (1 - std::pow(1 - a, n + 1)) / a;
    for (size_t i = 0; i < steps; ++i) {
      const double season = si_.empty() ? 1.0 : si_[(x.size() + i) % si_.size()];
      out.mean[i] = (level + weight * slope * (static_cast<double>(i) + tail)) * season;
      // SES prediction-interval form, as thetaf.
      out.sd[i] = std::sqrt(sigma2_ * (1 + a * a * static_cast<double>(i))) * season;
    }
    return out;
  }

 private:
  std::vector<double> Adjust(std::span<const double> y) const {
    std::vector<double> x(y.begin(), y.end());
    if (!si_.empty()) {
      for (size_t t = 0; t < x.size(); ++t) x[t] /= si_[t % si_.size()];
    }
    return x;
  }

  std::string name_;
  std::vector<double> si_;
  ThetaParams params_;
  double sigma2_;
};

}  // namespace

std::unique_ptr<Model> FitThetaModel(std::span<const double> y, int m, bool optimize) {
  if (y.empty()) return nullptr;
  std::vector<double> si = SeasonalIndices(y, m);
  std::vector<double> x(y.begin(), y.end());
  if (!si.empty()) {
    for (size_t t = 0; t < x.size(); ++t) x[t] /= si[t % si.size()];
  }
  const double n = static_cast<double>(x.size());
  const std::vector<double> inv_den = SlopeDenominators(x.size());
  ThetaParams params;
  double sigma2 = 0;
  if (!optimize) {
    // thetaf: SES (ETS(A,N,N) by likelihood) on the adjusted series, theta = 2.
    EtsFit ses = FitEts(x, EtsForm{}, 1);
    if (ses.ok) {
      params.alpha = std::max(ses.alpha, 1e-4);
      params.l0 = ses.l0;
      sigma2 = ses.sigma2;
    } else {
      SesOptimizedLevel(x, &params.alpha);
      params.l0 = x[0];
    }
    params.theta = 2;
    if (!ses.ok) sigma2 = ThetaFilter(x, params, inv_den, nullptr, nullptr) / std::max(1.0, n - 2);
  } else {
    double scale = 0;
    for (size_t t = 1; t < x.size(); ++t) scale += std::fabs(x[t] - x[t - 1]);
    scale = std::max({scale / std::max(1.0, n - 1), 1e-3 * std::fabs(x[0]), 1e-8});
    const double l_init = x[0];
    auto decode = [&](std::span<const double> v) {
      ThetaParams p;
      p.alpha = 0.001 + 0.998 / (1 + std::exp(-v[0]));
      p.theta = 1 + 9 / (1 + std::exp(-v[1]));  // theta in [1, 10]
      p.l0 = l_init + scale * v[2];
      return p;
    };
    auto objective = [&](std::span<const double> v) {
      return ThetaFilter(x, decode(v), inv_den, nullptr, nullptr);
    };
    // Start at the standard theta (theta = 2) with alpha = 0.5.
    NelderMeadResult opt =
        NelderMead(objective, {0.0, std::log(1.0 / 8.0), 0.0}, {1.5, 1.5, 0.5}, 300, 1e-6);
    params = decode(opt.x);
    sigma2 = opt.value / std::max(1.0, n - 3);
  }
  return std::make_unique<ThetaModel>(optimize ? "otm" : "theta", std::move(si), params, sigma2);
}

}  // namespace corrente::forecast::internal

namespace corrente::forecast {

ModelForecast Theta(std::span<const double> y, int h, int m) {
  auto model = internal::FitThetaModel(y, m, /*optimize=*/false);
  if (model == nullptr) return Naive(y, h);
  return model->Predict(y, h);
}

ModelForecast OptimizedTheta(std::span<const double> y, int h, int m) {
  auto model = internal::FitThetaModel(y, m, /*optimize=*/true);
  if (model == nullptr) return Naive(y, h);
  return model->Predict(y, h);
}

}  // namespace corrente::forecast
