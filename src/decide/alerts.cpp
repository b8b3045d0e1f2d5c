#include "decide/alerts.h"

#include <algorithm>
#include <cmath>

#include "decide/priority.h"
#include "decide/text.h"

namespace corrente::decide {
bool StockoutImminent(const SeriesState& s, double short_share) {
  const double lead_demand = std::max(0.0, s.levels.mean) * std::max(0.0, s.levels.lead);
  return s.days_to_rupture && *s.days_to_rupture <= s.levels.lead &&
         s.expected_short >= std::max(0.5, short_share * lead_demand);
}

namespace {

// Whether the stock on hand alone runs out within half the lead time (what makes a stock alert
// CRITICAL): a late order then matters now.
bool LateOrderThreatens(const SeriesState& s) {
  return s.orders.late > 0 && s.days_to_rupture && *s.days_to_rupture <= s.levels.lead / 2;
}

std::string LateOrders(const SeriesState& s, int64_t worst) {
  return std::to_string(s.orders.late) + " order(s) of supplier " + std::to_string(s.supplier) +
         " overdue, by up to " + std::to_string(worst) + " days.";
}

}  // namespace

std::vector<Alert> StockAlerts(std::span<const SeriesState> states, int64_t as_of,
                               double replay_precision) {
  const bool quoted = std::isfinite(replay_precision);
  const std::string came_true =
      quoted ? " In the latest replay, " + Fixed(replay_precision * 100, 0) +
                   "% of alerts like this came true."
             : "";
  std::vector<Alert> out;
  for (const SeriesState& s : states) {
    const PolicyLevels& l = s.levels;
    const double score = PriorityScore(s.expected_short, s.unit_price, s.criticality);
    Details base = {{"stock", s.stock},
                    {"on_order", s.orders.quantity},
                    {"safety_stock", l.ss},
                    {"lead_time_days", l.lead},
                    {"expected_units_short", s.expected_short},
                    {"priority_score", score},
                    {"days_to_rupture", s.days_to_rupture ? Detail(int64_t{*s.days_to_rupture})
                                                          : Detail(std::monostate{})}};
    const int64_t worst = as_of - s.orders.earliest_expected;
    const bool stock_alert = StockoutImminent(s);
    if (stock_alert) {
      bool critical = *s.days_to_rupture <= l.lead / 2 || s.criticality >= 7;
      out.push_back({s.item, s.site, critical ? "CRITICAL" : "WARNING", "STOCKOUT_IMMINENT",
                     score,
                     "Stock of " + Fixed(s.stock, 0) + " runs out in " +
                         std::to_string(*s.days_to_rupture) + " days, within the lead time of " +
                         Fixed(l.lead, 1) + " days; about " + Fixed(s.expected_short, 0) +
                         " units will be short even with what is on order." +
                         (s.orders.late > 0 ? " " + LateOrders(s, worst) : "") + came_true,
                     base});
      if (quoted) out.back().details.emplace_back("replay_precision", replay_precision);
      if (s.orders.late > 0) {
        out.back().details.emplace_back("late_orders", int64_t{s.orders.late});
        out.back().details.emplace_back("max_days_late", worst);
      }
    } else if (l.ss > 0 && s.orders.quantity <= 0 && s.stock < l.ss && s.days_to_rupture &&
               *s.days_to_rupture <= l.lead) {
      out.push_back({s.item, s.site, "WARNING", "BELOW_SAFETY_STOCK", score,
                     "Stock " + Fixed(s.stock, 0) + " plus " + Fixed(s.orders.quantity, 0) +
                         " on order is below the safety stock " + Fixed(l.ss, 1) +
                         " (reorder point " + Fixed(l.rop, 1) + ").",
                     base});
    }
    if (!stock_alert && LateOrderThreatens(s)) {
      int64_t least = as_of - s.orders.latest_late_expected;
      out.push_back({s.item, s.site, worst > l.lead ? "CRITICAL" : "WARNING", "SUPPLIER_DELAY",
                     score,
                     LateOrders(s, worst) + " The stock on hand runs out in " +
                         std::to_string(*s.days_to_rupture) + " days without them.",
                     {{"late_orders", int64_t{s.orders.late}},
                      {"max_days_late", worst},
                      {"min_days_late", least},
                      {"supplier_id", int64_t{s.supplier}},
                      {"priority_score", score}}});
    }
  }
  return out;
}

std::optional<Alert> DriftAlert(int32_t item, int32_t site, double recent_wape,
                                double backtest_wape, int64_t days, double actual_sum,
                                double forecast_sum) {
  if (days < 7) return std::nullopt;
  const bool worse = std::isfinite(recent_wape) && std::isfinite(backtest_wape) &&
                     recent_wape > std::max(2 * backtest_wape, backtest_wape + 30);
  const double ratio = forecast_sum > 0 ? actual_sum / forecast_sum : NAN;
  const bool shifted = std::isfinite(ratio) && std::max(actual_sum, forecast_sum) >= 10 &&
                       (ratio > 2 || ratio < 0.5);
  if (!worse && !shifted) return std::nullopt;
  std::string msg = worse ? "Forecast error jumped: WAPE " + Fixed(recent_wape, 1) +
                                "% over the last " + std::to_string(days) + " days against " +
                                Fixed(backtest_wape, 1) + "% in the backtest."
                          : "Demand moved away from the forecast: " + Fixed(actual_sum, 0) +
                                " units over the last " + std::to_string(days) + " days against " +
                                Fixed(forecast_sum, 0) + " forecast (" + Fixed(ratio, 2) + "x).";
  Details d = {{"recent_wape", std::isfinite(recent_wape) ? Detail(recent_wape) : Detail()},
               {"backtest_wape", std::isfinite(backtest_wape) ? Detail(backtest_wape) : Detail()},
               {"days", days}};
  if (std::isfinite(ratio)) {
    d.emplace_back("actual_units", actual_sum);
    d.emplace_back("forecast_units", forecast_sum);
  }
  return Alert{item, site, "WARNING", "FORECAST_DRIFT", 0, msg, d};
}

}  // namespace corrente::decide
