#include "decide/balance.h"

#include <algorithm>

#include "decide/policy.h"
#include "decide/recommend.h"

namespace corrente::decide {

std::vector<SiteBalance> Balances(std::span<const SiteLevels> sites) {
  std::vector<SiteBalance> out(sites.size());
  for (size_t i = 0; i < sites.size(); ++i) {
    const SiteLevels& s = sites[i];
    PolicyLevels l;
    l.rop = s.reorder_point;
    l.out = s.order_up_to;
    const double position = s.stock + s.on_order;
    if (ShouldOrder(position, l)) out[i].short_units = OrderQuantity(l.out, position, 0, 0);
    out[i].surplus_units = std::max(0.0, s.stock - s.order_up_to);
    if (s.mean_demand > 0) out[i].cover_days = s.stock / s.mean_demand;
  }
  for (size_t i = 0; i < sites.size(); ++i) {
    if (out[i].short_units <= 0) continue;
    for (size_t j = 0; j < sites.size(); ++j)
      if (j != i && out[j].surplus_units >= out[i].short_units) out[i].reallocate = true;
  }
  return out;
}

}  // namespace corrente::decide
