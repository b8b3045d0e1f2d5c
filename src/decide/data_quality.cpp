#include "decide/data_quality.h"

#include <cmath>

namespace corrente::decide {

namespace {
ValueCheck Check(double v, double ceiling, bool ceiling_included) {
  if (!std::isfinite(v)) return ValueCheck::kNonFinite;
  if (v < 0) return ValueCheck::kNegative;
  if (ceiling_included ? v > ceiling : v >= ceiling) return ValueCheck::kAbsurd;
  return ValueCheck::kOk;
}
}  // namespace

ValueCheck CheckQuantity(double q) { return Check(q, kAbsurdQuantity, false); }
ValueCheck CheckUnitValue(double v) { return Check(v, kAbsurdUnitValue, false); }
ValueCheck CheckLeadTime(double days) { return Check(days, kMaxLeadTimeDays, true); }

double UsableQuantity(double q) { return CheckQuantity(q) == ValueCheck::kOk ? q : 0.0; }
double UsableUnitValue(double v) { return CheckUnitValue(v) == ValueCheck::kOk ? v : 0.0; }

void ValueCounts::Add(ValueCheck c) {
  switch (c) {
    case ValueCheck::kOk: break;
    case ValueCheck::kNonFinite: ++non_finite; break;
    case ValueCheck::kNegative: ++negative; break;
    case ValueCheck::kAbsurd: ++absurd; break;
  }
}

std::string ValueCounts::Json() const {
  return "{\"non_finite\":" + std::to_string(non_finite) +
         ",\"negative\":" + std::to_string(negative) + ",\"absurd\":" + std::to_string(absurd) +
         "}";
}

}  // namespace corrente::decide
