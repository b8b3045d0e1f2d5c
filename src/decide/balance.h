#pragma once
// Where an item is short and where it has surplus, per site, by the same rules as
// Recommend(): a site is short when its position (stock + on order) is at or below its reorder
// point, by what it would order to reach its order-up-to level; it has surplus when its stock
// exceeds its order-up-to level, by the excess. A short site is a REALLOCATE candidate when
// another site's surplus covers its whole need. Pure and thread-safe.
#include <optional>
#include <span>
#include <vector>

namespace corrente::decide {

struct SiteLevels {
  double stock = 0, on_order = 0;
  double reorder_point = 0, order_up_to = 0;
  double mean_demand = 0;  // units per day
};

struct SiteBalance {
  double short_units = 0, surplus_units = 0;
  std::optional<double> cover_days;  // stock / mean demand; nullopt when there is no demand
  bool reallocate = false;           // short, and another site's surplus covers it
};

std::vector<SiteBalance> Balances(std::span<const SiteLevels> sites);

}  // namespace corrente::decide
