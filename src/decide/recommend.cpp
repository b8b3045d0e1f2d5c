#include "decide/recommend.h"

#include <cmath>
#include <map>

#include "common/dates.h"
#include "decide/policy.h"
#include "decide/priority.h"
#include "decide/text.h"

namespace corrente::decide {
namespace {

Details Base(const SeriesState& s) {
  const PolicyLevels& l = s.levels;
  return {{"stock", s.stock},
          {"on_order", s.orders.quantity},
          {"reorder_point", l.rop},
          {"safety_stock", l.ss},
          {"order_up_to", l.out},
          {"avg_daily_demand", l.mean},
          {"lead_time_days", l.lead},
          {"policy_method", std::string(PolicyMethodName(l.method))},
          {"expected_units_short", s.expected_short},
          {"days_to_rupture",
           s.days_to_rupture ? Detail(int64_t{*s.days_to_rupture}) : Detail(std::monostate{})}};
}

}  // namespace

bool ShouldOrder(double position, const PolicyLevels& levels) {
  return levels.out > 0 && position <= levels.rop && levels.out - position > 1e-9;
}

std::vector<Recommendation> Recommend(std::span<const SeriesState> states,
                                      const RecommendOptions& opt) {
  std::vector<Recommendation> recs;
  const int64_t tomorrow = opt.as_of + 1;
  std::map<int32_t, std::vector<size_t>> by_item;
  for (size_t i = 0; i < states.size(); ++i) by_item[states[i].item].push_back(i);
  std::vector<double> excess_used(states.size(), 0.0);
  for (size_t i = 0; i < states.size(); ++i) {
    const SeriesState& s = states[i];
    const PolicyLevels& l = s.levels;
    const std::string prio = Priority(s.criticality, s.days_to_rupture, l.lead);
    const double score = PriorityScore(s.expected_short, s.unit_price, s.criticality);
    const std::string dtr_text =
        s.days_to_rupture ? std::to_string(*s.days_to_rupture) + " days" : "more than the horizon";
    const double position = s.stock + s.orders.quantity;
    const double coverage = l.mean > 0 ? s.stock / l.mean : (s.stock > 0 ? INFINITY : 0);
    auto add = [&](std::string type, std::string priority, double sc, std::string msg, double q,
                   Details extra) {
      Recommendation r;
      r.item = s.item;
      r.site = s.site;
      r.type = std::move(type);
      r.priority = std::move(priority);
      r.score = sc;
      r.message = std::move(msg);
      r.action_date = tomorrow;
      r.quantity = std::max(0.0, q);
      r.details = Base(s);
      r.details.emplace_back("priority_score", sc);
      for (auto& e : extra) r.details.push_back(std::move(e));
      recs.push_back(std::move(r));
    };
    if (ShouldOrder(position, l)) {
      const double need = OrderQuantity(l.out, position, 0, 0);
      size_t donor = SIZE_MAX;
      double best = 0;
      for (size_t j : by_item[s.item]) {
        if (j == i) continue;
        double ex = states[j].stock - states[j].levels.out - excess_used[j];
        if (ex >= need && ex > best) best = ex, donor = j;
      }
      if (donor != SIZE_MAX && need > 0) {
        excess_used[donor] += need;
        add("REALLOCATE", prio, score,
            "Move " + Fixed(need, 0) + " units from site " + std::to_string(states[donor].site) +
                " (excess " + Fixed(best, 0) + ") to site " + std::to_string(s.site) +
                ": position " + Fixed(position, 0) + " is at or below the reorder point " +
                Fixed(l.rop, 1) + ", stock lasts " + dtr_text + ".",
            std::ceil(need),
            {{"from_site_id", int64_t{states[donor].site}}, {"donor_excess", best}});
      } else {
        double q = std::ceil(OrderQuantity(l.out, position, s.min_qty, s.max_qty));
        add("REORDER", prio, score,
            "Order " + Fixed(q, 0) + " units: position " + Fixed(position, 0) + " (stock " +
                Fixed(s.stock, 0) + " + on order " + Fixed(s.orders.quantity, 0) +
                ") is at or below the reorder point " + Fixed(l.rop, 1) + " (safety stock " +
                Fixed(l.ss, 1) + "); stock lasts " + dtr_text + ", lead time " + Fixed(l.lead, 1) +
                " days.",
            q, {{"min_order_qty", s.min_qty}, {"max_order_qty", s.max_qty}});
      }
    }
    const OpenOrders& ord = s.orders;
    if (ord.quantity > 0) {
      const bool late = ord.late > 0;
      const bool after_rupture = s.days_to_rupture && ord.earliest_expected != INT64_MAX &&
                                 ord.earliest_expected > opt.as_of + *s.days_to_rupture;
      if (late || after_rupture) {
        std::string why = late ? std::to_string(ord.late) + " open order(s) overdue since " +
                                     FormatDate(ord.latest_late_expected)
                               : "the next delivery (" + FormatDate(ord.earliest_expected) +
                                     ") arrives after the stock runs out in " + dtr_text;
        bool critical = late && s.days_to_rupture && *s.days_to_rupture <= l.lead;
        add("EXPEDITE", critical ? "CRITICAL" : prio, score,
            "Expedite " + Fixed(ord.quantity, 0) + " units on order: " + why + ".", ord.quantity,
            {{"late_orders", int64_t{ord.late}},
             {"next_expected", ord.earliest_expected == INT64_MAX
                                   ? Detail(std::monostate{})
                                   : Detail(FormatDate(ord.earliest_expected))}});
      }
    }
    const bool slow =
        s.abc == 'C' || s.demand_class == "intermittent" || s.demand_class == "lumpy";
    // Money tied up above the order-up-to level, a year's holding cost at 25%.
    const double excess = std::max(0.0, s.stock - l.out);
    const double hold_score = PriorityScore(excess * 0.25, s.unit_cost, s.criticality);
    const std::string cover_text =
        std::isfinite(coverage) ? Fixed(coverage, 0) + " days" : std::string("indefinitely");
    if (s.stock > 0 && coverage > opt.promo_days && slow) {
      add("PROMO", "LOW", hold_score,
          "Promote slow mover: stock " + Fixed(s.stock, 0) + " covers " + cover_text + " at " +
              Fixed(l.mean, 2) + " units/day; " + Fixed(excess, 0) +
              " units above the order-up-to level.",
          std::floor(excess), {{"coverage_days", std::isfinite(coverage) ? Detail(coverage) : Detail()}});
    } else if (s.stock > 0 && coverage > opt.hold_days) {
      add("HOLD", "LOW", hold_score,
          "Hold orders: stock " + Fixed(s.stock, 0) + " covers " + cover_text + " at " +
              Fixed(l.mean, 2) + " units/day (limit " + Fixed(opt.hold_days, 0) + " days).",
          0, {{"coverage_days", std::isfinite(coverage) ? Detail(coverage) : Detail()}});
    }
  }
  return recs;
}

}  // namespace corrente::decide
