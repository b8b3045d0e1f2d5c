#include "decide/data_quality.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

namespace corrente::decide {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

TEST(DataQuality, QuantitiesOutsideZeroToTheCeilingAreMissing) {
  EXPECT_EQ(CheckQuantity(0), ValueCheck::kOk);
  EXPECT_EQ(CheckQuantity(12.5), ValueCheck::kOk);
  EXPECT_EQ(CheckQuantity(999999999.9999), ValueCheck::kOk);
  EXPECT_EQ(CheckQuantity(NAN), ValueCheck::kNonFinite);
  EXPECT_EQ(CheckQuantity(kInf), ValueCheck::kNonFinite);
  EXPECT_EQ(CheckQuantity(-kInf), ValueCheck::kNonFinite);
  EXPECT_EQ(CheckQuantity(-0.0001), ValueCheck::kNegative);
  EXPECT_EQ(CheckQuantity(1e9), ValueCheck::kAbsurd);
  EXPECT_EQ(CheckQuantity(1e14), ValueCheck::kAbsurd);
  EXPECT_EQ(CheckQuantity(1e300), ValueCheck::kAbsurd);

  EXPECT_EQ(UsableQuantity(7.25), 7.25);
  EXPECT_EQ(UsableQuantity(NAN), 0.0);
  EXPECT_EQ(UsableQuantity(-5), 0.0);  // a return is not negative demand
  EXPECT_EQ(UsableQuantity(1e15), 0.0);
  EXPECT_EQ(UsableQuantity(kInf), 0.0);
}

TEST(DataQuality, UnitValuesAndLeadTimes) {
  EXPECT_EQ(UsableUnitValue(0), 0.0);
  EXPECT_EQ(UsableUnitValue(19.9), 19.9);
  EXPECT_EQ(UsableUnitValue(NAN), 0.0);
  EXPECT_EQ(UsableUnitValue(5e13), 0.0);
  EXPECT_EQ(CheckUnitValue(5e13), ValueCheck::kAbsurd);
  EXPECT_EQ(CheckLeadTime(0), ValueCheck::kOk);
  EXPECT_EQ(CheckLeadTime(365), ValueCheck::kOk);
  EXPECT_EQ(CheckLeadTime(366), ValueCheck::kAbsurd);
  EXPECT_EQ(CheckLeadTime(2e9), ValueCheck::kAbsurd);
  EXPECT_EQ(CheckLeadTime(-1), ValueCheck::kNegative);
  EXPECT_EQ(CheckLeadTime(NAN), ValueCheck::kNonFinite);
}

TEST(DataQuality, CountsByKind) {
  ValueCounts c;
  for (double v : std::initializer_list<double>{1.0, NAN, NAN, -3.0, 2e9, 0.0, kInf})
    c.Add(CheckQuantity(v));
  EXPECT_EQ(c.non_finite, 3);
  EXPECT_EQ(c.negative, 1);
  EXPECT_EQ(c.absurd, 1);
  EXPECT_EQ(c.Total(), 5);
  EXPECT_EQ(c.Json(), "{\"non_finite\":3,\"negative\":1,\"absurd\":1}");
}

}  // namespace
}  // namespace corrente::decide
