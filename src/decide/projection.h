#pragma once
// Projected stock of one item x site (or of several summed): on hand, plus open orders on the
// day they are expected, minus the forecast, day by day across the horizon, with an 80% band.
// Pure and thread-safe.
//
// The band. A day's forecast carries its own 80% interval [lower, upper]; the projection
// subtracts a *cumulative* sum of forecasts, and the band of a sum is not the sum of the bands
// (errors partly cancel). We take each day's half width (upper - lower) / 2 as z80 standard
// deviations, treat the days (and sites, when summed) as independent, and add variances: the
// band on day k is projected_k +- sqrt(sum_{j<=k} half_width_j^2). Asymmetric intervals (a
// lower bound clipped at zero) are treated as symmetric of the same total width. The decide
// rules' forecast policy adds daily variances over the lead time the same way (levels.h).
#include <optional>
#include <span>
#include <vector>

namespace corrente::decide {

// z of a central 80% interval (the standard normal's 90th percentile).
inline constexpr double kZ80 = 1.2815515655446004;

struct ProjectionInput {
  double forecast = 0;       // expected demand of the day (negative values count as 0)
  double half_width_sq = 0;  // squared half width of the day's 80% interval (summed over series)
  double receipts = 0;       // open orders expected that day
};

struct ProjectedDay {
  double demand = 0;            // cumulative forecast through this day
  double receipts = 0;          // cumulative receipts through this day
  double projected = 0;         // on_hand + receipts - demand (negative: units short)
  double lower = 0, upper = 0;  // the 80% band of `projected`
};

struct Projection {
  std::vector<ProjectedDay> days;
  // Index of the first day whose projected stock is below zero (nullopt: never within the
  // horizon). Without receipts this is DaysToRupture(on_hand, forecasts).
  std::optional<int> run_out;
};

// The squared half width of one day's interval, 0 when either bound is missing.
double HalfWidthSq(std::optional<double> lower, std::optional<double> upper);

Projection ProjectStock(double on_hand, std::span<const ProjectionInput> days);

}  // namespace corrente::decide
