#include "server/series_fill.h"

#include "common/dates.h"

namespace corrente::server {
namespace {

constexpr std::string_view kZero = "0.0000";  // round(0, 4)

bool NotANumber(std::string_view v) { return v == "NaN" || v == "Infinity" || v == "-Infinity"; }

}  // namespace

std::optional<Granularity> ParseGranularity(std::string_view g) {
  if (g == "day") return Granularity::kDay;
  if (g == "week") return Granularity::kWeek;
  if (g == "month") return Granularity::kMonth;
  return std::nullopt;
}

int64_t BucketStart(int64_t day, Granularity g) {
  switch (g) {
    case Granularity::kDay:
      return day;
    case Granularity::kWeek:
      return day - (Weekday(day) + 6) % 7;  // back to Monday
    case Granularity::kMonth: {
      Ymd d = CivilFromDays(day);
      return DaysFromCivil({d.year, d.month, 1});
    }
  }
  return day;
}

std::vector<SeriesPoint> FillBuckets(int64_t start, int64_t end, Granularity g,
                                     const std::vector<SeriesPoint>& points) {
  std::vector<SeriesPoint> out;
  size_t next = 0;
  for (int64_t b = BucketStart(start, g); b <= end;) {
    while (next < points.size() && points[next].bucket < b) ++next;
    bool have = next < points.size() && points[next].bucket == b;
    out.push_back({b, have ? points[next].value : kZero});
    if (g == Granularity::kDay) {
      ++b;
    } else if (g == Granularity::kWeek) {
      b += 7;
    } else {
      Ymd d = CivilFromDays(b);
      b = DaysFromCivil(d.month == 12 ? Ymd{d.year + 1, 1, 1} : Ymd{d.year, d.month + 1, 1});
    }
  }
  return out;
}

std::string SeriesJson(const std::vector<SeriesPoint>& filled) {
  std::string out;
  out.reserve(filled.size() * 48 + 2);
  out += '[';
  for (size_t i = 0; i < filled.size(); ++i) {
    if (i) out += ',';
    out += "{\"full_date\":\"";
    out += FormatDate(filled[i].bucket);
    out += "\",\"quantity\":";
    out += NotANumber(filled[i].value) ? std::string_view("null") : filled[i].value;
    out += '}';
  }
  out += ']';
  return out;
}

std::string SeriesCsv(const std::vector<SeriesPoint>& filled) {
  std::string out = "full_date,quantity\r\n";
  for (const auto& p : filled) {
    out += FormatDate(p.bucket);
    out += ',';
    out += p.value;
    out += "\r\n";
  }
  return out;
}

}  // namespace corrente::server
