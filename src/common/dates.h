#pragma once
#include <ctime>
// Civil-date arithmetic (proleptic Gregorian, days since 1970-01-01) and the Brazilian
// national holiday calendar. Pure functions, thread-safe.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace corrente {

struct Ymd {
  int year;
  int month;  // 1..12
  int day;    // 1..31
  auto operator<=>(const Ymd&) const = default;
};

int64_t DaysFromCivil(Ymd d);
Ymd CivilFromDays(int64_t days);
// 0 = Sunday .. 6 = Saturday (PostgreSQL's EXTRACT(DOW)).
int Weekday(int64_t days);
// ISO 8601 week number, 1..53.
int IsoWeek(int64_t days);
std::string FormatDate(int64_t days);  // YYYY-MM-DD
std::string FormatUtc(std::time_t t);  // YYYY-MM-DDTHH:MM:SSZ
// Parses YYYY-MM-DD strictly (valid calendar date). nullopt on anything else.
std::optional<int64_t> ParseDate(std::string_view s);
// Today's date in UTC, as days since epoch.
int64_t TodayUtc();

Ymd EasterSunday(int year);  // anonymous Gregorian algorithm (Meeus/Jones/Butcher)

struct Holiday {
  int64_t day;
  std::string name;
};
// National holidays of Brazil for a year, sorted by date: the fixed dates plus Carnival
// (Monday and Tuesday, 48 and 47 days before Easter), Good Friday and Corpus Christi.
std::vector<Holiday> BrazilHolidays(int year);

}  // namespace corrente
