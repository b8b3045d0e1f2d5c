#include "decide/projection.h"

#include <algorithm>
#include <cmath>

namespace corrente::decide {

double HalfWidthSq(std::optional<double> lower, std::optional<double> upper) {
  if (!lower || !upper || !(*upper >= *lower)) return 0;
  const double h = (*upper - *lower) / 2;
  return h * h;
}

Projection ProjectStock(double on_hand, std::span<const ProjectionInput> days) {
  Projection p;
  p.days.reserve(days.size());
  double demand = 0, receipts = 0, var = 0;
  for (size_t k = 0; k < days.size(); ++k) {
    demand += std::max(0.0, days[k].forecast);
    receipts += days[k].receipts;
    var += std::max(0.0, days[k].half_width_sq);
    ProjectedDay d;
    d.demand = demand;
    d.receipts = receipts;
    d.projected = on_hand + receipts - demand;
    const double half = std::sqrt(var);
    d.lower = d.projected - half;
    d.upper = d.projected + half;
    // The same tolerance as DaysToRupture: an exactly covered day is not a run-out.
    if (!p.run_out && d.projected < -1e-9) p.run_out = static_cast<int>(k);
    p.days.push_back(d);
  }
  return p;
}

}  // namespace corrente::decide
