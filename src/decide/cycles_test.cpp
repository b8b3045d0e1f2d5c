#include "decide/cycles.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

namespace corrente::decide {
namespace {

double OrdersPerDay(const std::vector<double>& t) {
  double s = 0;
  for (double x : t) s += 1.0 / x;
  return s;
}

TEST(OrderCycles, EqualValuesKeepTheBaseCycle) {
  std::vector<double> v(5, 42.0);
  for (double t : OrderCycles(v)) EXPECT_NEAR(t, 14.0, 1e-9);
}

TEST(OrderCycles, HandComputedUnclamped) {
  // v = 1 and 16: T = lambda / 1 and lambda / 4; 1/T1 + 1/T2 = 2/14 -> 5 / lambda = 1/7,
  // lambda = 35: T = 35 and 8.75.
  std::vector<double> v{1, 16};
  auto t = OrderCycles(v);
  EXPECT_NEAR(t[0], 35.0, 1e-9);
  EXPECT_NEAR(t[1], 8.75, 1e-9);
  EXPECT_NEAR(OrdersPerDay(t), 2.0 / 14, 1e-12);
}

TEST(OrderCycles, KeepsTheOrderBudgetWithClamps) {
  // A wide spread: the cheapest hit max_days, the dearest min_days; the count still holds.
  std::vector<double> v{1e-4, 0.01, 1, 3, 50, 900, 1e5};
  CycleBounds b{14, 3, 56};
  auto t = OrderCycles(v, b);
  EXPECT_NEAR(OrdersPerDay(t), 7.0 / 14, 1e-9);
  EXPECT_DOUBLE_EQ(t.front(), 56.0);
  EXPECT_DOUBLE_EQ(t.back(), 3.0);
  for (size_t i = 1; i < t.size(); ++i) EXPECT_LE(t[i], t[i - 1]);  // dearer: shorter cycle
}

TEST(OrderCycles, LowersCycleStockAtTheSameOrderCount) {
  std::vector<double> v{0.5, 2, 8, 30, 120};
  auto t = OrderCycles(v);
  double fixed = 0, shared = 0;
  for (size_t i = 0; i < v.size(); ++i) {
    fixed += v[i] * 14 / 2;
    shared += v[i] * t[i] / 2;
  }
  EXPECT_LT(shared, fixed * 0.8);
  EXPECT_NEAR(OrdersPerDay(t), 5.0 / 14, 1e-9);
}

TEST(OrderCycles, NoDemandGetsTheLongestCycle) {
  std::vector<double> v{0, -3, NAN, 10};
  auto t = OrderCycles(v);
  EXPECT_DOUBLE_EQ(t[0], 56.0);
  EXPECT_DOUBLE_EQ(t[1], 56.0);
  EXPECT_DOUBLE_EQ(t[2], 56.0);
  EXPECT_NEAR(t[3], 14.0, 1e-9);  // alone with demand: the base cycle
  EXPECT_TRUE(OrderCycles(std::vector<double>{}).empty());
}

}  // namespace
}  // namespace corrente::decide
