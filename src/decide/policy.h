#pragma once
// Inventory-policy math shared by the pipeline and the simulator: pure functions, no I/O, thread-safe.
// Everything here is unit-tested against hand-computed values (policy_test.cpp).
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace corrente::decide {

// Standard normal quantile (inverse CDF), Acklam's rational approximation refined by one
// Halley step (|error| < 1e-12). `p` must lie in (0, 1); returns NAN otherwise.
double NormalQuantile(double p);

// Target cycle service level of an ABC class: A 0.98, B 0.95, C (and anything else) 0.90.
double ServiceLevelForClass(char abc_class);

// SS = z * sqrt(L * sigma_d^2 + d^2 * sigma_L^2): demand per day (mean d, std sigma_d) and lead
// time in days (mean L, std sigma_L). Never negative.
double SafetyStock(double z, double mean_demand, double std_demand, double lead_time,
                   double lead_time_std);
// ROP = d * L + SS.
double ReorderPoint(double mean_demand, double lead_time, double safety_stock);
// Order-up-to level S = ROP + d * review_days (covers demand until the next review).
double OrderUpTo(double reorder_point, double mean_demand, double review_days);

// Days the stock covers against a forecast path (path[0] is tomorrow): the number of whole
// days k such that the cumulative forecast of days 1..k does not exceed `stock`. nullopt when
// the stock outlasts the whole path (no rupture within the horizon). 0 when the stock is
// already exhausted and tomorrow has positive demand.
std::optional<int> DaysToRupture(double stock, std::span<const double> path);

// Quantity to order so the position reaches `order_up_to`, respecting the item's minimum and
// maximum order quantity (0 or less means no limit). 0 when the position is at or above it.
double OrderQuantity(double order_up_to, double position, double min_qty, double max_qty);

// Mean and sample standard deviation (n - 1) of `values`; {0, 0} when empty, std 0 for n = 1.
struct MeanStd {
  double mean = 0, std = 0;
};
MeanStd ComputeMeanStd(std::span<const double> values);

// ABC classes by revenue: sorted by revenue descending, items whose cumulative share *before*
// them is < 80% are A, < 95% B, the rest C (so the item crossing a threshold joins the higher
// class). Items with zero revenue are C. Returns one class per input, in input order.
std::vector<char> AbcClasses(std::span<const double> revenue);

// Ordinary least-squares slope of values against 0..n-1 (0 when n < 2).
double TrendSlope(std::span<const double> values);

}  // namespace corrente::decide
