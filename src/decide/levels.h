#pragma once
// Policy levels of one item x site: the reorder point s and the order-up-to level S that the
// daily review uses (order S - position when the position is at or below s). Three methods,
// pure and thread-safe, shared by the pipeline and the simulator:
//  - Spec: the specification's rule. Mean and std over the trailing 30 days, SS = z*std*sqrt(L),
//    s = mean*L + SS, S = s + mean*review. z from the cycle service level.
//  - Normal: what the pipeline published before the simulator: trailing 90 days and lead-time
//    variability, SS = z*sqrt(L*std^2 + mean^2*std_L^2).
//  - Empirical: a fill-rate target on the bootstrapped distribution of demand over the lead time
//    plus one review day: every window of the recent history summed over every recorded lead
//    time. s is the least level whose expected shortage per cycle is at most (1 - fill) of the
//    cycle's demand. No normal approximation, so intermittent and skewed demand get what they
//    need. Falls back to Normal when the history is too short.
//  - Forecast: from the forecast distribution: demand over the lead time is the sum of the
//    forecast path over L days, its variance the sum of the daily forecast variances plus
//    (mean daily demand x std_L)^2; s = that mean + z x its std (cycle service), S = s + the
//    path's next review_days. Follows trend and season as the model sees them. Falls back to
//    Normal when no forecast is given.
#include <span>
#include <string>

namespace corrente::decide {

enum class PolicyMethod { kSpec, kNormal, kEmpirical, kForecast };

// "spec", "normal", "empirical", "forecast"; Parse throws std::invalid_argument naming a bad one.
const char* PolicyMethodName(PolicyMethod m);
PolicyMethod ParsePolicyMethod(const std::string& name);

struct PolicyInput {
  std::span<const double> history;       // daily demand, oldest first, ending yesterday
  double lead_time = 7;                  // mean lead time (days)
  double lead_time_std = 0;              // its standard deviation
  std::span<const double> lead_samples;  // the supplier's recorded lead times; may be empty
  double service_level = 0.95;           // cycle service (spec, normal) or fill rate (empirical)
  double review_days = 14;               // S = s + mean * review_days
  // The forecast from tomorrow on (forecast method only): daily means and standard deviations.
  std::span<const double> forecast_mean, forecast_sd;
};

struct PolicyLevels {
  double mean = 0, std = 0;        // daily demand over the window the method used
  double lead = 0, lead_std = 0;   // lead time used
  double service = 0;              // the target the levels were set for
  double ss = 0, rop = 0, out = 0;  // safety stock, reorder point s, order-up-to S
  PolicyMethod method = PolicyMethod::kNormal;
};

PolicyLevels ComputeLevels(PolicyMethod method, const PolicyInput& in);

// Target fill rate of an ABC class for the empirical method: half the unfilled share the
// specification allows (A < 2%, B < 5%, C < 10%), so that noise stays inside the target.
double FillRateForClass(char abc_class);

// Expected units short over a period whose demand has these samples, starting with `position`
// units: mean of max(0, d - position). 0 for no samples.
double ExpectedShortage(std::span<const double> sorted_samples, double position);

}  // namespace corrente::decide
