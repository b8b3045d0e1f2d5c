#include "decide/overrides.h"

#include <algorithm>

namespace corrente::decide {

int ApplyForecastOverride(std::span<double> mean, std::span<double> sd, int64_t first_day,
                          const ForecastOverride& o) {
  int changed = 0;
  for (size_t k = 0; k < mean.size(); ++k) {
    const int64_t day = first_day + static_cast<int64_t>(k);
    if (day < o.from || day > o.to) continue;
    if (o.absolute) {
      mean[k] = std::max(0.0, o.value);
    } else {
      const double f = std::max(0.0, 1 + o.value / 100);
      mean[k] *= f;
      if (k < sd.size()) sd[k] *= f;
    }
    ++changed;
  }
  return changed;
}

void ApplyPolicyInputs(PolicyInput& in, const PolicyOverride& o) {
  if (o.service_level) in.service_level = *o.service_level;
  if (o.lead_time_days) {
    in.lead_time = *o.lead_time_days;
    in.lead_time_std = 0;
    in.lead_samples = {};
  }
}

void ApplyPolicyBounds(PolicyLevels& l, const PolicyOverride& o) {
  if (o.max_stock) l.out = std::min(l.out, *o.max_stock);
  if (o.min_stock) l.rop = std::max(l.rop, *o.min_stock);
  l.out = std::max(l.out, l.rop);
}

}  // namespace corrente::decide
