#include "decide/priority.h"

#include <algorithm>
#include <cmath>

namespace corrente::decide {

double NormalLoss(double z) {
  const double pdf = std::exp(-z * z / 2) / std::sqrt(2 * M_PI);
  const double tail = 0.5 * std::erfc(z / std::sqrt(2.0));
  return std::max(0.0, pdf - z * tail);
}

double ExpectedShortOverLead(std::span<const double> path, double daily_std, double lead_time,
                             double available) {
  if (!(lead_time > 0)) return 0;
  double mean = 0;
  const double whole = std::floor(lead_time);
  size_t k = 0;
  for (; k < path.size() && static_cast<double>(k) < whole; ++k) mean += std::max(0.0, path[k]);
  if (k < path.size() && lead_time > whole) mean += std::max(0.0, path[k]) * (lead_time - whole);
  const double sd = std::max(0.0, daily_std) * std::sqrt(lead_time);
  if (!(sd > 1e-12)) return std::max(0.0, mean - available);
  return sd * NormalLoss((available - mean) / sd);
}

double PriorityScore(double expected_units_short, double unit_value, int criticality) {
  double w = 0.5 + std::clamp(criticality, 0, 10) / 10.0;
  double s = std::max(0.0, expected_units_short) * std::max(0.0, unit_value) * w;
  return std::isfinite(s) ? s : 0.0;
}

std::string Priority(int criticality, std::optional<int> days_to_rupture, double lead_time) {
  const bool critical = criticality >= 7;
  if (!days_to_rupture) return critical ? "MEDIUM" : "LOW";
  const double dtr = *days_to_rupture;
  if (dtr <= lead_time) return critical ? "CRITICAL" : "HIGH";
  if (dtr <= 2 * lead_time) return critical ? "HIGH" : "MEDIUM";
  return critical ? "MEDIUM" : "LOW";
}

}  // namespace corrente::decide
