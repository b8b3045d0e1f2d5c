#include "server/series_fill.h"

#include <gtest/gtest.h>

#include "common/dates.h"

namespace corrente::server {
namespace {

int64_t D(const char* s) { return *ParseDate(s); }

std::string Dates(const std::vector<SeriesPoint>& v) {
  std::string out;
  for (const auto& p : v) out += FormatDate(p.bucket) + "=" + std::string(p.value) + " ";
  return out;
}

TEST(SeriesFill, BucketsAreDateTrunc) {
  // 2026-12-07 is a Monday; 0001-01-01 is a Monday too (proleptic Gregorian).
  EXPECT_EQ(FormatDate(BucketStart(D("2026-12-13"), Granularity::kWeek)), "2026-12-07");
  EXPECT_EQ(FormatDate(BucketStart(D("2026-12-07"), Granularity::kWeek)), "2026-12-07");
  EXPECT_EQ(FormatDate(BucketStart(D("2027-01-01"), Granularity::kWeek)), "2026-12-28");
  EXPECT_EQ(FormatDate(BucketStart(D("0001-01-03"), Granularity::kWeek)), "0001-01-01");
  EXPECT_EQ(FormatDate(BucketStart(D("2024-02-29"), Granularity::kMonth)), "2024-02-01");
  EXPECT_EQ(FormatDate(BucketStart(D("1969-12-31"), Granularity::kMonth)), "1969-12-01");
  EXPECT_EQ(BucketStart(D("1969-12-31"), Granularity::kDay), -1);
}

TEST(SeriesFill, EveryDayOfTheWindowWithZeroWhereNoRow) {
  std::vector<SeriesPoint> pts{{D("2026-12-01"), "5.0000"}, {D("2026-12-03"), "1.2500"}};
  EXPECT_EQ(Dates(FillBuckets(D("2026-11-30"), D("2026-12-03"), Granularity::kDay, pts)),
            "2026-11-30=0.0000 2026-12-01=5.0000 2026-12-02=0.0000 2026-12-03=1.2500 ");
  // A point outside the window is not written.
  std::vector<SeriesPoint> out{{D("2026-11-01"), "9"}, {D("2026-12-09"), "9"}};
  EXPECT_EQ(Dates(FillBuckets(D("2026-12-08"), D("2026-12-08"), Granularity::kDay, out)),
            "2026-12-08=0.0000 ");
}

TEST(SeriesFill, WeeksAndMonthsStartBeforeTheWindow) {
  // 2026-12-02 (Wednesday) .. 2026-12-15: the weeks of Nov 30, Dec 7 and Dec 14.
  std::vector<SeriesPoint> pts{{D("2026-12-07"), "3.0000"}};
  EXPECT_EQ(Dates(FillBuckets(D("2026-12-02"), D("2026-12-15"), Granularity::kWeek, pts)),
            "2026-11-30=0.0000 2026-12-07=3.0000 2026-12-14=0.0000 ");
  // Across a year end and a leap February.
  EXPECT_EQ(Dates(FillBuckets(D("2023-12-31"), D("2024-03-01"), Granularity::kMonth, {})),
            "2023-12-01=0.0000 2024-01-01=0.0000 2024-02-01=0.0000 2024-03-01=0.0000 ");
  EXPECT_EQ(FillBuckets(D("0001-01-01"), D("0010-12-31"), Granularity::kMonth, {}).size(), 120u);
}

TEST(SeriesFill, JsonAndCsvAsTheRowWriterWritesThem) {
  std::vector<SeriesPoint> v{{D("0001-01-01"), "0.0000"}, {D("2026-12-07"), "NaN"},
                             {D("9999-12-31"), "12345678901234.5678"}};
  EXPECT_EQ(SeriesJson(v),
            "[{\"full_date\":\"0001-01-01\",\"quantity\":0.0000},"
            "{\"full_date\":\"2026-12-07\",\"quantity\":null},"
            "{\"full_date\":\"9999-12-31\",\"quantity\":12345678901234.5678}]");
  EXPECT_EQ(SeriesCsv(v),
            "full_date,quantity\r\n0001-01-01,0.0000\r\n2026-12-07,NaN\r\n"
            "9999-12-31,12345678901234.5678\r\n");
  EXPECT_EQ(SeriesJson({}), "[]");
  EXPECT_EQ(ParseGranularity("week"), Granularity::kWeek);
  EXPECT_EQ(ParseGranularity("Week"), std::nullopt);
}

}  // namespace
}  // namespace corrente::server
