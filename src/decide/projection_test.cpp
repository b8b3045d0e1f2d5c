#include "decide/projection.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "decide/policy.h"

namespace corrente::decide {
namespace {

TEST(HalfWidthSq, FromTheBounds) {
  EXPECT_DOUBLE_EQ(HalfWidthSq(2.0, 8.0), 9.0);  // half width 3
  EXPECT_DOUBLE_EQ(HalfWidthSq(std::nullopt, 8.0), 0.0);
  EXPECT_DOUBLE_EQ(HalfWidthSq(5.0, std::nullopt), 0.0);
  EXPECT_DOUBLE_EQ(HalfWidthSq(6.0, 4.0), 0.0);  // inverted bounds carry no information
}

TEST(ProjectStock, ReceiptsArriveAndTheBandWidensBySummedVariances) {
  // On hand 10; forecast 4/day with half widths 3, 4, 0, 12; 6 units arrive on day 3.
  std::vector<ProjectionInput> in{{4, 9, 0}, {4, 16, 0}, {4, 0, 6}, {4, 144, 0}};
  Projection p = ProjectStock(10, in);
  ASSERT_EQ(p.days.size(), 4u);
  const double expect[] = {6, 2, 4, 0};
  const double half[] = {3, 5, 5, 13};  // sqrt(9), sqrt(25), sqrt(25), sqrt(169)
  for (size_t k = 0; k < 4; ++k) {
    EXPECT_DOUBLE_EQ(p.days[k].projected, expect[k]) << k;
    EXPECT_DOUBLE_EQ(p.days[k].lower, expect[k] - half[k]) << k;
    EXPECT_DOUBLE_EQ(p.days[k].upper, expect[k] + half[k]) << k;
  }
  EXPECT_DOUBLE_EQ(p.days[3].demand, 16);
  EXPECT_DOUBLE_EQ(p.days[3].receipts, 6);
  // Day 4 ends at exactly zero: covered, so no run-out.
  EXPECT_FALSE(p.run_out.has_value());
}

TEST(ProjectStock, RunOutIsTheFirstDayBelowZeroEvenIfAnOrderLaterRefills) {
  std::vector<ProjectionInput> in{{3, 0, 0}, {3, 0, 0}, {3, 0, 20}, {3, 0, 0}};
  Projection p = ProjectStock(5, in);
  ASSERT_TRUE(p.run_out.has_value());
  EXPECT_EQ(*p.run_out, 1);  // 5 - 6 = -1 on day 2
  EXPECT_DOUBLE_EQ(p.days[2].projected, 16);
}

TEST(ProjectStock, WithoutReceiptsRunOutIsDaysToRupture) {
  const std::vector<double> path{2.5, 0, 1.25, 7, 3, 0.5, 4};
  std::vector<ProjectionInput> in;
  for (double f : path) in.push_back({f, 1, 0});
  for (double stock : {0.0, 2.5, 3.0, 10.75, 11.0, 30.0}) {
    EXPECT_EQ(ProjectStock(stock, in).run_out, DaysToRupture(stock, path)) << stock;
  }
}

TEST(ProjectStock, NegativeForecastsCountAsZeroAndAlreadyShortStartsAtDayOne) {
  std::vector<ProjectionInput> in{{-2, 0, 0}, {1, 0, 0}};
  Projection p = ProjectStock(0, in);
  EXPECT_DOUBLE_EQ(p.days[0].projected, 0);
  EXPECT_EQ(p.run_out, 1);
  EXPECT_TRUE(ProjectStock(0, {}).days.empty());
}

}  // namespace
}  // namespace corrente::decide
