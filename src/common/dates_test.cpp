#include "common/dates.h"

#include <gtest/gtest.h>

namespace corrente {
namespace {

TEST(Dates, RoundTripsAcrossCenturies) {
  for (int64_t d = -800000; d < 800000; d += 997) {
    EXPECT_EQ(DaysFromCivil(CivilFromDays(d)), d);
  }
  EXPECT_EQ(DaysFromCivil({1970, 1, 1}), 0);
  EXPECT_EQ(DaysFromCivil({2000, 1, 1}), 10957);
}

TEST(Dates, WeekdayMatchesPostgresDow) {
  EXPECT_EQ(Weekday(DaysFromCivil({1970, 1, 1})), 4);  // Thursday
  EXPECT_EQ(Weekday(DaysFromCivil({2024, 12, 25})), 3);  // Wednesday
  EXPECT_EQ(Weekday(DaysFromCivil({1969, 12, 28})), 0);  // Sunday
}

TEST(Dates, IsoWeek) {
  EXPECT_EQ(IsoWeek(DaysFromCivil({2021, 1, 3})), 53);
  EXPECT_EQ(IsoWeek(DaysFromCivil({2021, 1, 4})), 1);
  EXPECT_EQ(IsoWeek(DaysFromCivil({2024, 12, 30})), 1);
}

TEST(Dates, ParseIsStrict) {
  EXPECT_EQ(ParseDate("2024-02-29"), DaysFromCivil({2024, 2, 29}));
  EXPECT_FALSE(ParseDate("2023-02-29"));
  EXPECT_FALSE(ParseDate("2024-13-01"));
  EXPECT_FALSE(ParseDate("2024-1-01"));
  EXPECT_FALSE(ParseDate("2024-01-01'; DROP TABLE x;--"));
  EXPECT_FALSE(ParseDate(""));
  EXPECT_EQ(FormatDate(DaysFromCivil({2025, 3, 4})), "2025-03-04");
}

TEST(Holidays, EasterKnownYears) {
  EXPECT_EQ(EasterSunday(2023), (Ymd{2023, 4, 9}));
  EXPECT_EQ(EasterSunday(2024), (Ymd{2024, 3, 31}));
  EXPECT_EQ(EasterSunday(2025), (Ymd{2025, 4, 20}));
  EXPECT_EQ(EasterSunday(2026), (Ymd{2026, 4, 5}));
  EXPECT_EQ(EasterSunday(2038), (Ymd{2038, 4, 25}));
}

TEST(Holidays, BrazilMovableFeasts) {
  auto has = [](int y, Ymd d, const std::string& prefix) {
    for (const auto& h : BrazilHolidays(y))
      if (h.day == DaysFromCivil(d) && h.name.rfind(prefix, 0) == 0) return true;
    return false;
  };
  // 2024: Carnival 12-13 Feb, Good Friday 29 Mar, Corpus Christi 30 May.
  EXPECT_TRUE(has(2024, {2024, 2, 12}, "Carnaval"));
  EXPECT_TRUE(has(2024, {2024, 2, 13}, "Carnaval"));
  EXPECT_TRUE(has(2024, {2024, 3, 29}, "Sexta-feira Santa"));
  EXPECT_TRUE(has(2024, {2024, 5, 30}, "Corpus Christi"));
  // 2025: Carnival 3-4 Mar, Good Friday 18 Apr, Corpus Christi 19 Jun.
  EXPECT_TRUE(has(2025, {2025, 3, 4}, "Carnaval"));
  EXPECT_TRUE(has(2025, {2025, 4, 18}, "Sexta-feira Santa"));
  EXPECT_TRUE(has(2025, {2025, 6, 19}, "Corpus Christi"));
  EXPECT_TRUE(has(2025, {2025, 11, 20}, "Consciência Negra"));
  EXPECT_FALSE(has(2023, {2023, 11, 20}, "Consciência Negra"));
  EXPECT_TRUE(has(2023, {2023, 9, 7}, "Independência"));
  EXPECT_EQ(BrazilHolidays(2023).size(), 12u);
  EXPECT_EQ(BrazilHolidays(2025).size(), 13u);
}

}  // namespace
}  // namespace corrente
