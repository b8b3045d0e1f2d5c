#include "server/forecast_page.h"

#include <gtest/gtest.h>

namespace corrente::server {
namespace {

constexpr std::string_view kTail =
    ",\"overridden\":false,\"override_id\":null,\"override_author\":null,\"override_state\":null,"
    "\"confidence_level\":80.00,\"model_tag\":\"ets \\\"A\\\"\",\"computed_at\":\"2026-12-06T22:45:03.5Z\"}";

std::string Row(std::string_view date, std::string_view h, std::string_view y, std::string_view lo,
                std::string_view up, std::string_view lo95, std::string_view up95) {
  return std::string("{\"full_date\":\"") + std::string(date) + "\",\"item_id\":7,\"site_id\":12" +
         ",\"horizon_days\":" + std::string(h) + ",\"yhat\":" + std::string(y) +
         ",\"yhat_lower\":" + std::string(lo) + ",\"yhat_upper\":" + std::string(up) +
         ",\"yhat_lower_95\":" + std::string(lo95) + ",\"yhat_upper_95\":" + std::string(up95) +
         ",\"yhat_statistical\":" + std::string(y) + std::string(kTail);
}

TEST(ForecastPage, WritesEachRowWithItsIdsAndTheSharedEnding) {
  std::string out = "prefix:";
  ASSERT_TRUE(AppendForecastPage(out,
                                 "2026-12-06,1,7.2179,0.0000,18.8585,null,26.9914;"
                                 "2026-12-07,2,-1e-05,null,12.5,1.5E+20,3",
                                 kTail, 7, 12, 2));
  EXPECT_EQ(out, "prefix:[" + Row("2026-12-06", "1", "7.2179", "0.0000", "18.8585", "null", "26.9914") +
                     "," + Row("2026-12-07", "2", "-1e-05", "null", "12.5", "1.5E+20", "3") + "]");
}

TEST(ForecastPage, OneRow) {
  std::string out;
  ASSERT_TRUE(AppendForecastPage(out, "2026-01-01,1,0,0,0,0,0", kTail, 7, 12, 1));
  EXPECT_EQ(out, "[" + Row("2026-01-01", "1", "0", "0", "0", "0", "0") + "]");
}

TEST(ForecastPage, RefusesAnythingButRowsOfSevenPlainFields) {
  for (const char* bad : {"",                                  // no row
                          "2026-01-01,1,0,0,0,0",              // six fields
                          "2026-01-01,1,0,0,0,0,0,0",          // eight
                          "2026-01-01,1,0,0,0,0,",             // an empty field
                          "2026-01-01,1,0,0,0,0,0;",           // an empty row after
                          "2026-01-01,1,\"x\",0,0,0,0",        // a quote
                          "2026-01-01,1,0}],0,0,0,0",          // JSON structure
                          "2026-01-01,1,nul,0,0,0,0",          // not quite null
                          "2026-01-01,1,0 ,0,0,0,0"}) {        // a space
    std::string out = "kept";
    EXPECT_FALSE(AppendForecastPage(out, bad, kTail, 7, 12, 1)) << bad;
    EXPECT_EQ(out, "kept") << bad;
  }
}

TEST(ForecastPage, RefusesARowCountOtherThanThePages) {
  std::string out = "kept";
  const std::string_view two = "2026-01-01,1,0,0,0,0,0;2026-01-02,2,0,0,0,0,0";
  EXPECT_FALSE(AppendForecastPage(out, two, kTail, 7, 12, 3));
  EXPECT_FALSE(AppendForecastPage(out, two, kTail, 7, 12, 1));
  EXPECT_FALSE(AppendForecastPage(out, two, kTail, 7, 12, 0));
  EXPECT_EQ(out, "kept");
  EXPECT_TRUE(AppendForecastPage(out, two, kTail, 7, 12, 2));
}

TEST(ForecastPage, FiniteJsonFindsABareNaNOrInfinityOutsideStrings) {
  EXPECT_TRUE(FiniteJson(R"("run_id":3,"accuracy":{"mape":0.5,"bias":null,"model_tag":"NaN"})"));
  EXPECT_TRUE(FiniteJson(R"("model_tag":"a \" NaN Infinity \\")"));
  EXPECT_TRUE(FiniteJson(R"("a":1e+20,"b":-0.0001,"c":true,"d":false)"));
  EXPECT_FALSE(FiniteJson(R"("run_id":3,"accuracy":{"mape":NaN,"wape":0.5})"));
  EXPECT_FALSE(FiniteJson(R"("bias":-Infinity)"));
  // The string ends after an escaped backslash.
  EXPECT_FALSE(FiniteJson(R"("t":"a \\",x:Infinity)"));
}

}  // namespace
}  // namespace corrente::server
