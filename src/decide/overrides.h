#pragma once
// Planners' approved overrides (the delta of Mirror + Delta) applied to what the rules see:
// the forecast path and the policy levels. Pure and thread-safe; the pipeline loads the
// approved rows and calls these, the published forecasts (the mirror) stay as computed.
#include <cstdint>
#include <optional>
#include <span>

#include "decide/levels.h"

namespace corrente::decide {

struct ForecastOverride {
  int64_t from = 0, to = 0;  // days since 1970, inclusive
  bool absolute = true;      // true: `value` units a day; false: `value` per cent change
  double value = 0;
};

// Applies `o` to the path whose first day is `first_day`: ABSOLUTE sets the mean of the days it
// covers (the spread stays, as the planner states a level, not a certainty); PERCENT scales mean
// and spread. Returns how many days changed.
int ApplyForecastOverride(std::span<double> mean, std::span<double> sd, int64_t first_day,
                          const ForecastOverride& o);

struct PolicyOverride {
  std::optional<double> service_level, min_stock, max_stock, lead_time_days;
};

// Before the levels are computed: the service level and lead time the planner set (a stated
// lead time has no spread, and replaces the recorded samples).
void ApplyPolicyInputs(PolicyInput& in, const PolicyOverride& o);
// After: the reorder point raised to min_stock, the order-up-to level capped at max_stock, and
// s <= S kept (a cap below the floor keeps the floor: the constraint forbids it anyway).
void ApplyPolicyBounds(PolicyLevels& l, const PolicyOverride& o);

}  // namespace corrente::decide
