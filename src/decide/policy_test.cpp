#include "decide/policy.h"
#include "decide/priority.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

namespace corrente::decide {
namespace {

TEST(NormalQuantile, MatchesTables) {
  EXPECT_NEAR(NormalQuantile(0.98), 2.0537489, 1e-6);
  EXPECT_NEAR(NormalQuantile(0.95), 1.6448536, 1e-6);
  EXPECT_NEAR(NormalQuantile(0.90), 1.2815516, 1e-6);
  EXPECT_NEAR(NormalQuantile(0.5), 0.0, 1e-12);
  EXPECT_NEAR(NormalQuantile(0.01), -2.3263479, 1e-6);
  EXPECT_TRUE(std::isnan(NormalQuantile(0)));
  EXPECT_TRUE(std::isnan(NormalQuantile(1)));
}

TEST(ServiceLevel, ByAbcClass) {
  EXPECT_DOUBLE_EQ(ServiceLevelForClass('A'), 0.98);
  EXPECT_DOUBLE_EQ(ServiceLevelForClass('B'), 0.95);
  EXPECT_DOUBLE_EQ(ServiceLevelForClass('C'), 0.90);
  EXPECT_DOUBLE_EQ(ServiceLevelForClass('?'), 0.90);
}

TEST(SafetyStock, HandComputed) {
  // d = 10/day, sd = 3, L = 9 days, sL = 2: variance = 9*9 + 100*4 = 481, sqrt = 21.931712, SS
  // = 36.07446.
  EXPECT_NEAR(SafetyStock(1.6448536, 10, 3, 9, 2), 1.6448536 * std::sqrt(481.0), 1e-9);
  EXPECT_NEAR(SafetyStock(1.6448536, 10, 3, 9, 2), 36.07446, 1e-4);
  // No lead-time variability: z * sd * sqrt(L) = 2 * 4 * 2 = 16.
  EXPECT_DOUBLE_EQ(SafetyStock(2, 5, 4, 4, 0), 16);
  // Constant demand and lead time: no safety stock needed.
  EXPECT_DOUBLE_EQ(SafetyStock(2.05, 7, 0, 5, 0), 0);
  // Negative z (service level below 50%) never gives negative stock.
  EXPECT_DOUBLE_EQ(SafetyStock(-1, 5, 4, 4, 1), 0);
}

TEST(ReorderPointAndOrderUpTo, HandComputed) {
  // ROP = 10 * 9 + 36.07446 = 126.07446; S = ROP + 10 * 14 = 266.07446.
  double ss = SafetyStock(1.6448536, 10, 3, 9, 2);
  double rop = ReorderPoint(10, 9, ss);
  EXPECT_NEAR(rop, 126.07446, 1e-4);
  EXPECT_NEAR(OrderUpTo(rop, 10, 14), 266.07446, 1e-4);
  EXPECT_DOUBLE_EQ(ReorderPoint(0, 9, 0), 0);
}

TEST(DaysToRupture, AgainstForecastPath) {
  std::vector<double> path = {3, 3, 3, 3, 3};
  EXPECT_EQ(DaysToRupture(10, path), 3);  // 3+3+3 = 9 <= 10, day 4 brings 12 > 10
  EXPECT_EQ(DaysToRupture(9, path), 3);   // exactly covered days are not a rupture
  EXPECT_EQ(DaysToRupture(0, path), 0);
  EXPECT_EQ(DaysToRupture(2.5, path), 0);
  EXPECT_EQ(DaysToRupture(15, path), std::nullopt);  // lasts the whole horizon
  std::vector<double> zeros(10, 0.0);
  EXPECT_EQ(DaysToRupture(0, zeros), std::nullopt);  // no demand, no rupture
  std::vector<double> uneven = {0, 0, 5, 1, 10};
  EXPECT_EQ(DaysToRupture(6, uneven), 4);
}

TEST(OrderQuantity, RespectsMinAndMax) {
  EXPECT_DOUBLE_EQ(OrderQuantity(100, 40, 0, 0), 60);
  EXPECT_DOUBLE_EQ(OrderQuantity(100, 40, 80, 0), 80);   // raised to the minimum
  EXPECT_DOUBLE_EQ(OrderQuantity(100, 40, 10, 50), 50);  // capped at the maximum
  EXPECT_DOUBLE_EQ(OrderQuantity(100, 120, 10, 50), 0);  // nothing to order
}

TEST(MeanStd, SampleStatistics) {
  std::vector<double> v = {2, 4, 4, 4, 5, 5, 7, 9};
  MeanStd ms = ComputeMeanStd(v);
  EXPECT_DOUBLE_EQ(ms.mean, 5);
  EXPECT_NEAR(ms.std, std::sqrt(32.0 / 7), 1e-12);
  EXPECT_DOUBLE_EQ(ComputeMeanStd(std::vector<double>{}).mean, 0);
  EXPECT_DOUBLE_EQ(ComputeMeanStd(std::vector<double>{3}).std, 0);
}

TEST(Priority, CriticalityAndRupture) {
  EXPECT_EQ(Priority(9, 3, 7), "CRITICAL");
  EXPECT_EQ(Priority(2, 3, 7), "HIGH");
  EXPECT_EQ(Priority(9, 10, 7), "HIGH");
  EXPECT_EQ(Priority(2, 10, 7), "MEDIUM");
  EXPECT_EQ(Priority(9, 30, 7), "MEDIUM");
  EXPECT_EQ(Priority(2, 30, 7), "LOW");
  EXPECT_EQ(Priority(2, std::nullopt, 7), "LOW");
  EXPECT_EQ(Priority(8, std::nullopt, 7), "MEDIUM");
}

TEST(Abc, EightyFifteenFive) {
  // Total 100: 50 (before 0%) A, 30 (before 50%) A, 10 (before 80%) B, 5 (before 90%) B,
  // 4 (before 95%) C, 1 C, 0 C.
  std::vector<double> rev = {10, 50, 0, 4, 30, 1, 5};
  std::vector<char> cls = AbcClasses(rev);
  EXPECT_EQ(std::string(cls.begin(), cls.end()), "BACCACB");
  EXPECT_TRUE(AbcClasses(std::vector<double>{}).empty());
  std::vector<char> none = AbcClasses(std::vector<double>{0, 0});
  EXPECT_EQ(std::string(none.begin(), none.end()), "CC");
}

TEST(TrendSlope, LinearSeries) {
  std::vector<double> v = {1, 3, 5, 7, 9};
  EXPECT_NEAR(TrendSlope(v), 2.0, 1e-12);
  EXPECT_DOUBLE_EQ(TrendSlope(std::vector<double>{4, 4, 4}), 0);
  EXPECT_DOUBLE_EQ(TrendSlope(std::vector<double>{4}), 0);
}

}  // namespace
}  // namespace corrente::decide
