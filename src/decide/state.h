#pragma once
// What the decision rules see of one item x site on the morning they run: plain data, filled
// by the pipeline from PostgreSQL and by the simulator from its replay.
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "decide/levels.h"

namespace corrente::decide {

struct OpenOrders {
  double quantity = 0;
  int64_t earliest_expected = INT64_MAX;     // days since 1970
  int64_t latest_late_expected = INT64_MIN;  // the most overdue order's expected date
  int late = 0;                              // orders past their expected date
};

struct SeriesState {
  int32_t item = 0, site = 0;
  char abc = 'C';
  int criticality = 0;  // 0..10
  double unit_cost = 0, unit_price = 0, min_qty = 0, max_qty = 0;
  int supplier = 0;
  std::string demand_class;  // smooth, erratic, intermittent, lumpy (or empty)
  PolicyLevels levels;
  double stock = 0;
  OpenOrders orders;
  // Days the stock lasts against the forecast path (nullopt: beyond the horizon).
  std::optional<int> days_to_rupture;
  // Expected units short over the lead time if nothing is ordered now.
  double expected_short = 0;
};

// A value in a rule's `details` (rendered as JSON by the pipeline).
using Detail = std::variant<std::monostate, double, int64_t, std::string>;
using Details = std::vector<std::pair<std::string, Detail>>;

}  // namespace corrente::decide
