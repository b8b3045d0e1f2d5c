#include "common/dates.h"

#include <algorithm>
#include <chrono>
#include <cstdio>

namespace corrente {

// Howard Hinnant's algorithms.
int64_t DaysFromCivil(Ymd d) {
  int64_t y = d.year - (d.month <= 2);
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned mp = (d.month + 9) % 12;
  const unsigned doy = (153 * mp + 2) / 5 + d.day - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

Ymd CivilFromDays(int64_t z) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t y = static_cast<int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  return Ymd{static_cast<int>(y + (m <= 2)), static_cast<int>(m), static_cast<int>(d)};
}

int Weekday(int64_t days) { return static_cast<int>(((days % 7) + 7 + 4) % 7); }

int IsoWeek(int64_t days) {
  int wd = (Weekday(days) + 6) % 7;  // Monday = 0
  int64_t thursday = days - wd + 3;
  Ymd t = CivilFromDays(thursday);
  int64_t jan1 = DaysFromCivil({t.year, 1, 1});
  return static_cast<int>((thursday - jan1) / 7 + 1);
}

std::string FormatDate(int64_t days) {
  Ymd d = CivilFromDays(days);
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", d.year, d.month, d.day);
  return buf;
}

std::optional<int64_t> ParseDate(std::string_view s) {
  if (s.size() != 10 || s[4] != '-' || s[7] != '-') return std::nullopt;
  auto num = [&](size_t pos, size_t len) -> int {
    int v = 0;
    for (size_t i = pos; i < pos + len; ++i) {
      if (s[i] < '0' || s[i] > '9') return -1;
      v = v * 10 + (s[i] - '0');
    }
    return v;
  };
  int y = num(0, 4), m = num(5, 2), d = num(8, 2);
  if (y < 1 || m < 1 || m > 12 || d < 1) return std::nullopt;
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  int max_day = kDays[m - 1] + (m == 2 && leap ? 1 : 0);
  if (d > max_day) return std::nullopt;
  return DaysFromCivil({y, m, d});
}

int64_t TodayUtc() {
  auto now = std::chrono::system_clock::now();
  return std::chrono::duration_cast<std::chrono::days>(now.time_since_epoch()).count();
}

Ymd EasterSunday(int year) {
  int a = year % 19, b = year / 100, c = year % 100, d = b / 4, e = b % 4;
  int f = (b + 8) / 25, g = (b - f + 1) / 3, h = (19 * a + b - d - g + 15) % 30;
  int i = c / 4, k = c % 4, l = (32 + 2 * e + 2 * i - h - k) % 7;
  int m = (a + 11 * h + 22 * l) / 451;
  int month = (h + l - 7 * m + 114) / 31;
  int day = (h + l - 7 * m + 114) % 31 + 1;
  return {year, month, day};
}

std::vector<Holiday> BrazilHolidays(int year) {
  std::vector<Holiday> out = {
      {DaysFromCivil({year, 1, 1}), "Confraternização Universal"},
      {DaysFromCivil({year, 4, 21}), "Tiradentes"},
      {DaysFromCivil({year, 5, 1}), "Dia do Trabalho"},
      {DaysFromCivil({year, 9, 7}), "Independência do Brasil"},
      {DaysFromCivil({year, 10, 12}), "Nossa Senhora Aparecida"},
      {DaysFromCivil({year, 11, 2}), "Finados"},
      {DaysFromCivil({year, 11, 15}), "Proclamação da República"},
      {DaysFromCivil({year, 12, 25}), "Natal"},
  };
  // Dia Nacional de Zumbi e da Consciência Negra is national since 2024 (Lei 14.759/2023).
  if (year >= 2024) out.push_back({DaysFromCivil({year, 11, 20}), "Consciência Negra"});
  int64_t easter = DaysFromCivil(EasterSunday(year));
  out.push_back({easter - 48, "Carnaval (segunda-feira)"});
  out.push_back({easter - 47, "Carnaval (terça-feira)"});
  out.push_back({easter - 2, "Sexta-feira Santa"});
  out.push_back({easter + 60, "Corpus Christi"});
  std::sort(out.begin(), out.end(), [](const Holiday& a, const Holiday& b) { return a.day < b.day; });
  return out;
}

std::string FormatUtc(std::time_t t) {
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

}  // namespace corrente
