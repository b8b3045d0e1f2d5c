#pragma once
// The replay: history played again as if Corrente had run every morning under a policy.
// Pure (no database, no I/O) and thread-safe: Replay() of different series may run at once.
//
// Each day t of [start, end), in order:
//  1. review: the policy's levels are recomputed every `refit_every` days from demand before t
//     (and lead times delivered before t) only; when the position (on hand + on order -
//     backlog) is at or below the reorder point, an order brings it up to the order-up-to
//     level. Its lead time is the next draw of the series' own seeded stream from its
//     supplier's recorded lead times, so every policy sees the same k-th lead time;
//  2. receipts: orders due on day t arrive (a lead time of 0 arrives the same day);
//  3. demand is served from stock; what stock cannot serve is lost, or back-ordered;
//  4. the STOCKOUT_IMMINENT rule (decide/alerts.h) is evaluated on the evening state, with
//     the policy's mean demand as the forecast path; each onset is checked against what would
//     have happened with no new order (precision), and each stockout episode against the
//     alerts active in the lead time before it (recall).
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "decide/alerts.h"
#include "decide/levels.h"

namespace corrente::simulate {

struct LeadTime {
  double days = 0;
  int64_t known_from = INT64_MIN;  // index of the day it was known (delivered); may be < 0
};

struct SimSeries {
  int32_t item = 0, site = 0;
  std::string label;  // for CSV input: the series id
  char abc = 'C';
  int criticality = 0;
  double unit_cost = 1, unit_price = 1;
  double min_qty = 0, max_qty = 0;
  std::vector<double> demand;  // daily, oldest first
  double initial_stock = -1;   // on hand before day `start`; < 0: the spec rule's order-up-to
  std::span<const LeadTime> leads;  // the supplier's recorded lead times, oldest first
  int start = -1, end = -1;         // >= 0: this series' own replayed days (CSV input)
  // Orders placed before the period that arrive during it: (day index, units).
  std::vector<std::pair<int, double>> in_flight;
};

struct ReplayOptions {
  int start = 0, end = 0;  // days replayed: [start, end) as indexes into demand
  int refit_every = 7;
  bool backorders = false;
  uint64_t seed = 1;
  double review_days = 14;
  double default_lead = 7;        // when a series has no recorded lead time
  double lead_time_scale = 1.0;   // what-if: every drawn lead time times this
  double alert_short_share = decide::kMaterialShortShare;  // STOCKOUT_IMMINENT's bar
  double service_override = 0;    // > 0: this service level for every class (the sweep)
  double service_scale_a = 0, service_scale_b = 0, service_scale_c = 0;  // > 0: per class
};

struct Outcome {
  double demand = 0, served = 0, lost = 0, backlog_end = 0;
  double start_units = 0, received = 0, end_units = 0;
  double on_hand_days = 0;     // sum over days of the evening on-hand units
  double on_hand_value = 0;    // the same in money (unit cost)
  double served_cost = 0;      // cost of goods served (for turns)
  int64_t days = 0, zero_stock_days = 0, orders = 0;
  int64_t alerts = 0, alerts_true = 0;       // STOCKOUT_IMMINENT onsets, and those that came true
  int64_t episodes = 0, episodes_warned = 0;  // stockout episodes, and those warned of in time
  int64_t alert_days = 0;  // series-days with a STOCKOUT_IMMINENT alert open
  void Add(const Outcome& o);
};

// One series under one policy method. The service level is the class's (cycle service for
// spec and normal, fill rate for empirical) unless overridden.
Outcome Replay(const SimSeries& s, decide::PolicyMethod method, const ReplayOptions& opt);

// The service level a method targets for a class under these options.
double ServiceFor(decide::PolicyMethod method, char abc, const ReplayOptions& opt);

}  // namespace corrente::simulate
