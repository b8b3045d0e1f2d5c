#pragma once
// Order cycles: how many days of demand each order covers (the order-up-to level is the reorder
// point plus that many days). One fixed cycle for every series spends stock where it buys the
// least: a fast mover holds as many days of cycle stock as a slow one, and those are many units.
//
// OrderCycles keeps the total number of orders of a fixed `base_days` cycle and shares them out
// to minimise the average cycle stock: series i with daily demand d_i holds about d_i * T_i / 2
// units of cycle stock and places 1 / T_i orders a day, so minimising sum d_i T_i / 2 subject to
// sum 1 / T_i = n / base_days gives T_i = lambda / sqrt(d_i): the economic order quantity with a
// shared order budget instead of a per-order cost nobody knows. The units saved pay for safety
// stock where it prevents stockouts. Weighting d_i by unit cost instead minimises cycle-stock
// value (the simulator showed it holds more units for it; docs/pipeline.md). Cycles are clamped
// to [min_days, max_days] and lambda is solved with the clamps in place, so the budget holds.
// Series with no demand get max_days. Pure and thread-safe.
#include <span>
#include <vector>

namespace corrente::decide {

struct CycleBounds {
  double base_days = 14;  // the fixed cycle whose order count is kept
  double min_days = 3;
  double max_days = 56;
};

// One cycle (days) per input, in input order, from each series' mean daily demand (or any
// positive weight). Empty input gives an empty result.
std::vector<double> OrderCycles(std::span<const double> daily_demand, const CycleBounds& b = {});

}  // namespace corrente::decide
