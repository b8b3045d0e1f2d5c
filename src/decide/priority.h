#pragma once
// How urgent an action is: one number to sort recommendations and alerts by, and its label.
// Pure and thread-safe.
#include <optional>
#include <span>
#include <string>

namespace corrente::decide {

// Expected units short over the lead time if nothing more is ordered: the mean over the
// demand path's first `lead_time` days, with the forecast's own spread, of
// max(0, demand - stock - on_order_arriving). `path` is the daily forecast mean (path[0] is
// tomorrow) and `daily_std` the daily demand's standard deviation; the lead-time demand is
// taken as normal with mean sum(path[0..L)) and std daily_std*sqrt(L), and the expected
// shortage is std * G((available - mean) / std), G the standard normal loss function.
double ExpectedShortOverLead(std::span<const double> path, double daily_std, double lead_time,
                             double available);

// Standard normal loss function G(z) = phi(z) - z * (1 - Phi(z)).
double NormalLoss(double z);

// Priority score: expected units short x unit value x criticality weight (0.5 + crit/10,
// so criticality 0..10 weighs 0.5..1.5). In money at risk: R$ of sales likely lost.
double PriorityScore(double expected_units_short, double unit_value, int criticality);

// The label kept for the existing API and dashboard: CRITICAL when the rupture comes within
// the lead time and the item is critical (criticality >= 7), HIGH when within the lead time or
// (critical and within twice the lead time), MEDIUM within twice the lead time or for
// critical items, else LOW. No rupture in sight (nullopt) is LOW, or MEDIUM for critical items.
std::string Priority(int criticality, std::optional<int> days_to_rupture, double lead_time);

}  // namespace corrente::decide
