#pragma once
// The recommendation rules: REORDER, REALLOCATE, EXPEDITE, HOLD and PROMO, from the morning's
// state of every item x site. Pure and thread-safe; shared by the pipeline (which stores them)
// and the simulator (which acts on them).
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "decide/state.h"

namespace corrente::decide {

struct RecommendOptions {
  int64_t as_of = 0;        // the last day of history (days since 1970); actions are for as_of+1
  double hold_days = 120;   // HOLD when stock covers more than this many days
  double promo_days = 180;  // PROMO for slow movers covering more than this many days
};

struct Recommendation {
  int32_t item = 0, site = 0;
  std::string type;      // REORDER, REALLOCATE, EXPEDITE, HOLD, PROMO
  std::string priority;  // LOW, MEDIUM, HIGH, CRITICAL
  double score = 0;      // PriorityScore: money at risk; sorts the queue
  std::string message;
  int64_t action_date = 0;
  double quantity = 0;
  Details details;
};

// The position is stock + on order. A series whose position is at or below its reorder point
// gets REALLOCATE (another site of the item holds, above its own order-up-to level, enough
// excess to cover the need; donors are used once) or else REORDER up to its order-up-to level
// within the item's min/max order quantity. Open orders that are overdue, or arrive after the
// stock runs out, give EXPEDITE. Stock covering more than promo_days of a slow mover (class C,
// intermittent or lumpy) gives PROMO; otherwise more than hold_days gives HOLD.
std::vector<Recommendation> Recommend(std::span<const SeriesState> states,
                                      const RecommendOptions& opt);

// Whether the daily review orders: position at or below s, and something to order.
bool ShouldOrder(double position, const PolicyLevels& levels);

}  // namespace corrente::decide
