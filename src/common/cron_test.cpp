#include "common/cron.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <ctime>
#include <stdexcept>

namespace corrente {
namespace {

// Local times in UTC for the test (restored after).
class CronTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const char* tz = std::getenv("TZ");
    saved_ = tz ? tz : "";
    had_ = tz != nullptr;
    setenv("TZ", "UTC", 1);
    tzset();
  }
  void TearDown() override {
    if (had_) setenv("TZ", saved_.c_str(), 1); else unsetenv("TZ");
    tzset();
  }
  static std::time_t At(int y, int mo, int d, int h, int mi) {
    std::tm tm{};
    tm.tm_year = y - 1900; tm.tm_mon = mo - 1; tm.tm_mday = d; tm.tm_hour = h; tm.tm_min = mi;
    return timegm(&tm);
  }
  std::string saved_;
  bool had_ = false;
};

TEST_F(CronTest, NightlyAtTwo) {
  Cron c = Cron::Parse("0 2 * * *");
  EXPECT_EQ(c.Next(At(2026, 12, 6, 1, 30)), At(2026, 12, 6, 2, 0));
  EXPECT_EQ(c.Next(At(2026, 12, 6, 2, 0)), At(2026, 12, 7, 2, 0));  // strictly after
  EXPECT_EQ(c.Next(At(2026, 12, 31, 3, 0)), At(2027, 1, 1, 2, 0));
}

TEST_F(CronTest, StepsRangesListsAndWeekdays) {
  EXPECT_EQ(Cron::Parse("*/15 * * * *").Next(At(2026, 12, 6, 10, 7)), At(2026, 12, 6, 10, 15));
  EXPECT_EQ(Cron::Parse("30 8-10/2 * * *").Next(At(2026, 12, 6, 9, 0)), At(2026, 12, 6, 10, 30));
  // 2026-12-06 is a Sunday: weekdays only (1-5) -> Monday 07 at 06:00; 7 is Sunday too.
  EXPECT_EQ(Cron::Parse("0 6 * * 1-5").Next(At(2026, 12, 6, 0, 0)), At(2026, 12, 7, 6, 0));
  EXPECT_EQ(Cron::Parse("0 6 * * 7").Next(At(2026, 12, 1, 0, 0)), At(2026, 12, 6, 6, 0));
  EXPECT_EQ(Cron::Parse("0 0 1,15 * *").Next(At(2026, 12, 2, 0, 0)), At(2026, 12, 15, 0, 0));
  // Both day fields restricted: either matches (the 13th, or a Friday).
  EXPECT_EQ(Cron::Parse("0 0 13 * 5").Next(At(2026, 12, 6, 0, 0)), At(2026, 12, 11, 0, 0));
  EXPECT_EQ(Cron::Parse("0 0 29 2 *").Next(At(2026, 3, 1, 0, 0)), At(2028, 2, 29, 0, 0));
}

TEST_F(CronTest, BadExpressionsNameTheField) {
  for (const char* bad : {"", "* * * *", "60 * * * *", "* 24 * * *", "* * 0 * *", "* * * 13 *",
                          "* * * * 8", "*/0 * * * *", "a * * * *", "5-1 * * * *", "* * * * * *"}) {
    EXPECT_THROW(Cron::Parse(bad), std::invalid_argument) << bad;
  }
  try {
    Cron::Parse("0 25 * * *");
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("hour"), std::string::npos) << e.what();
  }
  EXPECT_FALSE(Cron::Parse("0 0 31 2 *").Next(At(2026, 1, 1, 0, 0)).has_value());  // never
}

}  // namespace
}  // namespace corrente
