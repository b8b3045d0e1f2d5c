#include "decide/levels.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <stdexcept>
#include <vector>

#include "decide/policy.h"

namespace corrente::decide {
namespace {

constexpr int kSpecWindow = 30;
constexpr int kNormalWindow = 90;
constexpr int kEmpiricalWindow = 182;   // recent half year: follows level changes
constexpr int kEmpiricalMinHistory = 28;
constexpr size_t kRecentLevelDays = 28;

std::span<const double> Last(std::span<const double> v, size_t n) {
  return v.last(std::min(n, v.size()));
}

}  // namespace

const char* PolicyMethodName(PolicyMethod m) {
  switch (m) {
    case PolicyMethod::kSpec:
      return "spec";
    case PolicyMethod::kNormal:
      return "normal";
    case PolicyMethod::kEmpirical:
      return "empirical";
    case PolicyMethod::kForecast:
      return "forecast";
  }
  return "?";
}

PolicyMethod ParsePolicyMethod(const std::string& name) {
  if (name == "spec") return PolicyMethod::kSpec;
  if (name == "normal") return PolicyMethod::kNormal;
  if (name == "empirical") return PolicyMethod::kEmpirical;
  if (name == "forecast") return PolicyMethod::kForecast;
  throw std::invalid_argument("unknown policy '" + name + "' (spec, normal, empirical, forecast)");
}

double FillRateForClass(char abc_class) {
  switch (abc_class) {
    case 'A':
      return 0.99;
    case 'B':
      return 0.975;
    default:
      return 0.95;
  }
}

double ExpectedShortage(std::span<const double> sorted, double position) {
  if (sorted.empty()) return 0;
  auto it = std::upper_bound(sorted.begin(), sorted.end(), position);
  double s = 0;
  for (; it != sorted.end(); ++it) s += *it - position;
  return s / static_cast<double>(sorted.size());
}

PolicyLevels ComputeLevels(PolicyMethod method, const PolicyInput& in) {
  PolicyLevels r;
  r.method = method;
  r.lead = std::max(0.0, in.lead_time);
  r.service = in.service_level;
  const double z = NormalQuantile(std::clamp(in.service_level, 0.5, 0.9999));
  if (method == PolicyMethod::kSpec) {
    MeanStd ms = ComputeMeanStd(Last(in.history, kSpecWindow));
    r.mean = ms.mean;
    r.std = ms.std;
    r.ss = SafetyStock(z, r.mean, r.std, r.lead, 0);
    r.rop = ReorderPoint(r.mean, r.lead, r.ss);
    r.out = OrderUpTo(r.rop, r.mean, in.review_days);
    return r;
  }
  if (method == PolicyMethod::kEmpirical &&
      static_cast<int>(in.history.size()) >= kEmpiricalMinHistory) {
    auto w = Last(in.history, kEmpiricalWindow);
    MeanStd ms = ComputeMeanStd(w);
    r.mean = ms.mean;
    r.std = ms.std;
    // Lead times: the recorded ones, else the mean (+- its std when known).
    std::vector<int> leads;
    for (double l : in.lead_samples)
      if (std::isfinite(l) && l >= 0) leads.push_back(static_cast<int>(std::lround(l)));
    if (leads.empty()) {
      int l = static_cast<int>(std::lround(r.lead));
      leads = {l};
      if (in.lead_time_std > 0) {
        int d = static_cast<int>(std::lround(in.lead_time_std));
        leads = {std::max(0, l - d), l, l + d};
      }
    }
    std::vector<double> prefix(w.size() + 1, 0.0);
    for (size_t i = 0; i < w.size(); ++i) prefix[i + 1] = prefix[i] + std::max(0.0, w[i]);
    // Demand over the lead time plus the one day between reviews, every window of the recent
    // history for every lead time; a lead time longer than the window uses the whole window
    // scaled up.
    std::vector<double> samples;
    double lead_sum = 0;
    for (int l : leads) {
      lead_sum += l;
      size_t span = static_cast<size_t>(l) + 1;
      if (span <= w.size()) {
        for (size_t t = 0; t + span <= w.size(); ++t) samples.push_back(prefix[t + span] - prefix[t]);
      } else {
        samples.push_back(prefix.back() * static_cast<double>(span) / static_cast<double>(w.size()));
      }
    }
    r.lead = lead_sum / static_cast<double>(leads.size());
    double m = 0;
    for (int l : leads) m += (l - r.lead) * (l - r.lead);
    r.lead_std = leads.size() > 1 ? std::sqrt(m / static_cast<double>(leads.size() - 1)) : 0;
    // The window's level moves with trend and season: scale the samples to the last 28 days'
    // level when those days hold enough demand to measure it (at least 10 units).
    auto recent = Last(in.history, kRecentLevelDays);
    double recent_sum = 0;
    for (double v : recent) recent_sum += std::max(0.0, v);
    if (recent_sum >= 10 && r.mean > 0) {
      double ratio = std::clamp(recent_sum / static_cast<double>(recent.size()) / r.mean, 0.5, 2.0);
      for (double& v : samples) v *= ratio;
      r.mean *= ratio;
    }
    std::sort(samples.begin(), samples.end());
    // Each cycle sells about mean * review units; at most (1 - fill) of them may be short.
    const double cycle = std::max(r.mean * in.review_days, 1e-9);
    const double allowed = (1 - in.service_level) * cycle;
    // ExpectedShortage falls as s rises: bisect over the sample values, then interpolate.
    size_t lo = 0, hi = samples.size();
    while (lo < hi) {
      size_t mid = (lo + hi) / 2;
      if (ExpectedShortage(samples, samples[mid]) <= allowed)
        hi = mid;
      else
        lo = mid + 1;
    }
    double s = lo < samples.size() ? samples[lo] : (samples.empty() ? 0 : samples.back());
    if (lo > 0 && lo < samples.size()) {
      // Between samples[lo-1] (too little) and samples[lo] (enough) the shortage is linear.
      double a = samples[lo - 1], b = samples[lo];
      double ea = ExpectedShortage(samples, a), eb = ExpectedShortage(samples, b);
      if (ea > eb) s = a + (b - a) * (ea - allowed) / (ea - eb);
    }
    r.rop = std::max(0.0, s);
    r.ss = std::max(0.0, r.rop - r.mean * (r.lead + 1));
    r.out = OrderUpTo(r.rop, r.mean, in.review_days);
    return r;
  }
  if (method == PolicyMethod::kForecast && !in.forecast_mean.empty()) {
    // Sum of the path over [from, from + days), a fractional last day counting in part.
    auto sum = [](std::span<const double> v, double from, double days, bool squares) {
      double s = 0;
      for (size_t i = 0; i < v.size(); ++i) {
        const double lo = std::max(from, static_cast<double>(i));
        const double hi = std::min(from + days, static_cast<double>(i) + 1);
        if (hi <= lo) continue;
        const double x = std::max(0.0, std::isfinite(v[i]) ? v[i] : 0.0);
        s += (squares ? x * x : x) * (hi - lo);
      }
      // Past the path's end, its last day repeats.
      const double beyond = from + days - static_cast<double>(v.size());
      if (beyond > 0) {
        const double x = std::max(0.0, v.back());
        s += (squares ? x * x : x) * std::min(beyond, days);
      }
      return s;
    };
    const double lead_mean = sum(in.forecast_mean, 0, r.lead, false);
    r.mean = r.lead > 0 ? lead_mean / r.lead : (in.forecast_mean.empty() ? 0 : in.forecast_mean[0]);
    r.lead_std = in.lead_time_std;
    const double var = (in.forecast_sd.empty() ? 0 : sum(in.forecast_sd, 0, r.lead, true)) +
                       r.mean * r.mean * r.lead_std * r.lead_std;
    r.std = r.lead > 0 ? std::sqrt(var / r.lead) : 0;
    r.ss = std::isfinite(z) ? std::max(0.0, z * std::sqrt(std::max(0.0, var))) : 0;
    r.rop = std::max(0.0, lead_mean + r.ss);
    r.out = r.rop + sum(in.forecast_mean, r.lead, in.review_days, false);
    return r;
  }
  r.method = PolicyMethod::kNormal;
  MeanStd ms = ComputeMeanStd(Last(in.history, kNormalWindow));
  r.mean = ms.mean;
  r.std = ms.std;
  r.lead_std = in.lead_time_std;
  r.ss = SafetyStock(z, r.mean, r.std, r.lead, r.lead_std);
  r.rop = ReorderPoint(r.mean, r.lead, r.ss);
  r.out = OrderUpTo(r.rop, r.mean, in.review_days);
  return r;
}

}  // namespace corrente::decide
