#include "migrate/follow.h"

#include <gtest/gtest.h>

namespace corrente::migrate {
namespace {

TEST(Follow, WaitsTheIntervalThenBacksOffToTheCap) {
  EXPECT_DOUBLE_EQ(NextWait(5, 0, 300), 5);
  EXPECT_DOUBLE_EQ(NextWait(5, 1, 300), 10);
  EXPECT_DOUBLE_EQ(NextWait(5, 3, 300), 40);
  EXPECT_DOUBLE_EQ(NextWait(5, 7, 300), 300);
  EXPECT_DOUBLE_EQ(NextWait(5, 1000, 300), 300);  // no overflow
  // A sub-second interval still backs off from one second; the cap never undercuts it.
  EXPECT_DOUBLE_EQ(NextWait(0.2, 2, 300), 4);
  EXPECT_DOUBLE_EQ(NextWait(600, 1, 300), 600);
  EXPECT_DOUBLE_EQ(NextWait(-3, 0, 300), 0);
}

}  // namespace
}  // namespace corrente::migrate
