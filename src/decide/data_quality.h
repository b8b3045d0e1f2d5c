#pragma once
// What the pipeline does with values a legacy store should never have held: NaN (PostgreSQL's
// NUMERIC admits it, and `NaN >= 0` passes the schema's CHECKs), negative quantities (the
// schema refuses them; a server without the CHECK may not) and absurd magnitudes. One bad row
// must neither stop the run nor poison other series, so each such value is read as missing,
// exactly as if its row were absent, and counted. Pure functions, thread-safe.
#include <cstdint>
#include <string>

namespace corrente::decide {

// Above this a quantity (units of one item at one site on one day, a stock snapshot, an open
// order) is a data error, not a fact: a billion units. NUMERIC(18,4) holds up to 1e14.
inline constexpr double kAbsurdQuantity = 1e9;
// Above this a unit cost or price (money per unit) is a data error.
inline constexpr double kAbsurdUnitValue = 1e9;
// A supplier lead time beyond a year (days) is a data error; a delivered order's is dropped,
// a supplier's average falls back to the default.
inline constexpr double kMaxLeadTimeDays = 365;

// Derived numbers (forecasts, money at risk) are capped here when written: usable inputs can
// still multiply past what NUMERIC(18,4) holds (< 1e14), e.g. 5e8 units x 5e8 per unit.
inline constexpr double kMaxPublished = 1e13;

enum class ValueCheck { kOk, kNonFinite, kNegative, kAbsurd };

// The check of one quantity against [0, kAbsurdQuantity).
ValueCheck CheckQuantity(double q);
// The check of one unit cost or price against [0, kAbsurdUnitValue).
ValueCheck CheckUnitValue(double v);
// The check of one lead time in days against [0, kMaxLeadTimeDays].
ValueCheck CheckLeadTime(double days);

// The value to compute with: `v` when its check is kOk, else 0 (missing: a missing demand
// row is zero demand, a missing price or cost is 0, a missing order quantity is nothing on
// order).
double UsableQuantity(double q);
double UsableUnitValue(double v);

// Counts of what was set aside, by kind.
struct ValueCounts {
  int64_t non_finite = 0, negative = 0, absurd = 0;
  void Add(ValueCheck c);
  int64_t Total() const { return non_finite + negative + absurd; }
  // {"non_finite":1,"negative":0,"absurd":2}
  std::string Json() const;
};

}  // namespace corrente::decide
