#include "decide/balance.h"

#include <gtest/gtest.h>

#include <vector>

namespace corrente::decide {
namespace {

TEST(Balances, ShortSurplusCoverAndReallocate) {
  std::vector<SiteLevels> s{
      // stock 10 + on order 5 = 15 <= ROP 20: short 40 - 15 = 25; cover 10 / 2 = 5 days.
      {10, 5, 20, 40, 2},
      // 100 above order-up-to 60: surplus 40 (covers site 0's 25); cover 25 days.
      {100, 0, 30, 60, 4},
      // position 21 > ROP 20 and stock below S: neither; no demand, no cover.
      {21, 0, 20, 40, 0},
      // position 0 <= ROP 50: short 100, but no surplus covers 100.
      {0, 0, 50, 100, 1},
  };
  auto b = Balances(s);
  ASSERT_EQ(b.size(), 4u);
  EXPECT_DOUBLE_EQ(b[0].short_units, 25);
  EXPECT_DOUBLE_EQ(b[0].surplus_units, 0);
  EXPECT_DOUBLE_EQ(*b[0].cover_days, 5);
  EXPECT_TRUE(b[0].reallocate);
  EXPECT_DOUBLE_EQ(b[1].short_units, 0);
  EXPECT_DOUBLE_EQ(b[1].surplus_units, 40);
  EXPECT_DOUBLE_EQ(*b[1].cover_days, 25);
  EXPECT_FALSE(b[1].reallocate);
  EXPECT_DOUBLE_EQ(b[2].short_units, 0);
  EXPECT_DOUBLE_EQ(b[2].surplus_units, 0);
  EXPECT_FALSE(b[2].cover_days.has_value());
  EXPECT_DOUBLE_EQ(b[3].short_units, 100);
  EXPECT_FALSE(b[3].reallocate);
}

TEST(Balances, NoOrderUpToMeansNothingToOrder) {
  // Recommend() orders nothing when S is 0 (no policy), so the site is not short either.
  std::vector<SiteLevels> s{{0, 0, 0, 0, 0}};
  EXPECT_DOUBLE_EQ(Balances(s)[0].short_units, 0);
}

}  // namespace
}  // namespace corrente::decide
