#pragma once
// The alert rules: STOCKOUT_IMMINENT, BELOW_SAFETY_STOCK, SUPPLIER_DELAY and FORECAST_DRIFT.
// Pure and thread-safe; shared by the pipeline and the simulator (which measures how often a
// STOCKOUT_IMMINENT came true).
#include <cmath>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "decide/state.h"

namespace corrente::decide {

struct Alert {
  int32_t item = 0, site = 0;
  std::string level;     // WARNING or CRITICAL
  std::string category;  // STOCKOUT_IMMINENT, BELOW_SAFETY_STOCK, SUPPLIER_DELAY, FORECAST_DRIFT
  double score = 0;      // PriorityScore, as for recommendations
  std::string message;
  Details details;
};

// The share of the lead time's demand that must be expected short, even counting what is on
// order, before a stockout is worth an alert: smaller shortfalls stay in the recommendations
// queue (REORDER, EXPEDITE) and the morning list, which already rank them by priority. The
// simulator measures what this does to alert precision and recall (docs/pipeline.md).
inline constexpr double kMaterialShortShare = 0.2;

// At most one alert per series and category, and one stock alert per series:
//  - STOCKOUT_IMMINENT when the stock runs out within the lead time and at least
//    kMaterialShortShare of the lead time's demand (and half a unit) is expected short over
//    it even counting what is on order (ordering now cannot arrive in time). CRITICAL when it
//    runs out within half the lead time or the item is critical (>= 7). Overdue orders are
//    named in it.
//  - otherwise BELOW_SAFETY_STOCK when the stock is below the safety stock, nothing is on
//    order, and it runs out within the lead time: a smaller shortfall that ordering today may
//    not prevent. Once something is on order the planner has acted, and when the stock lasts
//    longer the REORDER recommendation is the whole answer.
//  - SUPPLIER_DELAY when open orders are overdue and the stock on hand runs out within half
//    the lead time without them, unless a STOCKOUT_IMMINENT already says so; CRITICAL when
//    overdue by more than the lead time. A late order that threatens nothing is left to the
//    EXPEDITE recommendation and the supplier KPIs.
// `replay_precision` (0..1, NAN when unknown): the share of STOCKOUT_IMMINENT alerts that came
// true in the latest replay of the published policy; it is quoted in each such alert.
std::vector<Alert> StockAlerts(std::span<const SeriesState> states, int64_t as_of,
                               double replay_precision = NAN);

// Whether the STOCKOUT_IMMINENT rule fires for one series (what the simulator replays).
bool StockoutImminent(const SeriesState& s, double short_share = kMaterialShortShare);

// FORECAST_DRIFT: the previous run's forecasts scored against the actuals since (at least 7
// days): recent WAPE above max(2x, +30 points) of that run's backtest WAPE, or a level shift,
// the actuals' sum outside [0.5x, 2x] of the forecasts' sum with at least 10 units on either
// side (WAPE alone cannot see a tenfold rise: under-forecasting caps it near 100%).
std::optional<Alert> DriftAlert(int32_t item, int32_t site, double recent_wape,
                                double backtest_wape, int64_t days, double actual_sum = NAN,
                                double forecast_sum = NAN);

}  // namespace corrente::decide
