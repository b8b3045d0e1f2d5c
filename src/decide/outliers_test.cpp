#include "decide/outliers.h"

#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <random>
#include <sstream>
#include <string>

namespace corrente::decide {
namespace {

// About `rate` a day (Poisson), fixed seed.
std::vector<double> Poisson(double rate, size_t n, unsigned seed = 7) {
  std::mt19937 gen(seed);
  std::poisson_distribution<int> d(rate);
  std::vector<double> y(n);
  for (double& v : y) v = d(gen);
  return y;
}

TEST(Outliers, TheLineSaysHowManyDaysInHowManySeries) {
  OutlierTally t;
  EXPECT_EQ(OutlierText(t), "");
  t.Add(0);
  t.Add(2);
  t.Add(1);
  EXPECT_EQ(t.days, 3);
  EXPECT_EQ(t.series, 2);
  EXPECT_EQ(OutlierText(t),
            "demand outliers 3 (over 10x their series' 90% quantile, alone) in 2 series");
}

TEST(Outliers, ACleanSeriesHasNone) {
  for (double rate : {0.2, 1.0, 5.0, 40.0, 2000.0})
    EXPECT_TRUE(FindOutliers(Poisson(rate, 560)).empty()) << rate;
}

TEST(Outliers, OneHugeDayOnASlowItemIsDroppedAndNothingElse) {
  std::vector<double> y = Poisson(5, 560);
  const std::vector<double> clean = y;
  y[300] = 1e6;
  y[559] = 5000;  // the last day too: the forecast's level starts there
  auto found = DropOutliers(y);
  ASSERT_EQ(found.size(), 2u);
  EXPECT_EQ(found[0].index, 300u);
  EXPECT_EQ(found[0].value, 1e6);
  EXPECT_EQ(found[1].index, 559u);
  EXPECT_EQ(found[1].value, 5000);
  // 10 x the 90% quantile of a Poisson(5)'s positive days (8 or 9).
  EXPECT_GE(found[0].threshold, 80);
  EXPECT_LE(found[0].threshold, 90);
  for (size_t t = 0; t < y.size(); ++t)
    EXPECT_EQ(y[t], t == 300 || t == 559 ? 0.0 : clean[t]) << t;
}

TEST(Outliers, TwoAdjacentTyposAreBothFound) {
  std::vector<double> y = Poisson(5, 400);
  y[200] = y[201] = 5000;
  auto found = FindOutliers(y);
  ASSERT_EQ(found.size(), 2u);
  EXPECT_EQ(found[0].index, 200u);
  EXPECT_EQ(found[1].index, 201u);
}

TEST(Outliers, PromotionsAreNotOutliers) {
  std::vector<double> y = Poisson(5, 560);
  for (size_t t = 100; t < 114; ++t) y[t] *= 4;  // two weeks at four times
  y[300] = 5 * 9;                                  // one day at nine times the mean
  for (size_t t = 400; t < 403; ++t) y[t] = 300;   // a three-day event at 60 times
  EXPECT_TRUE(FindOutliers(y).empty());
}

TEST(Outliers, IntermittentSeries) {
  // Four days in five without demand; sales of 1-3 with an occasional case of 24.
  std::mt19937 gen(11);
  std::uniform_real_distribution<double> u(0, 1);
  std::vector<double> y(560, 0.0);
  for (double& v : y) {
    if (u(gen) < 0.8) continue;
    v = u(gen) < 0.08 ? 24 : 1 + std::floor(u(gen) * 3);
  }
  EXPECT_TRUE(FindOutliers(y).empty());
  y[333] = 2400;  // the case of 24 keyed as 2,400
  auto found = FindOutliers(y);
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].index, 333u);
}

TEST(Outliers, TooFewSalesToJudge) {
  std::vector<double> y(560, 0.0);
  for (size_t t = 0; t < 11; ++t) y[t * 50] = 2;
  y[555] = 1e6;  // 12 positive days with it: the 90% quantile is 2, the day is found
  EXPECT_EQ(FindOutliers(y).size(), 1u);
  y[0] = 0;  // 11: no judgement
  EXPECT_TRUE(FindOutliers(y).empty());
  EXPECT_TRUE(std::isinf(OutlierThreshold(y)));
}

TEST(Outliers, TheFloorKeepsSmallCountsOut) {
  std::vector<double> y(200, 1.0);
  y[100] = 40;  // 40 times a one-unit day, still under the floor
  EXPECT_TRUE(FindOutliers(y).empty());
  y[100] = 60;
  EXPECT_EQ(FindOutliers(y).size(), 1u);
}

TEST(Outliers, TrendAndSeasons) {
  std::vector<double> y = Poisson(1, 1270, 3);
  for (size_t t = 0; t < y.size(); ++t) {
    const double level = 2 + 60.0 * t / y.size();                       // trend 2 -> 62
    const double week = t % 7 == 5 ? 3.0 : 1.0;                          // Saturdays x3
    const double year = t % 365 >= 330 && t % 365 < 360 ? 5.0 : 1.0;   // a peak season x5
    y[t] = std::round(level * week * year) + y[t];
  }
  EXPECT_TRUE(FindOutliers(y).empty());
}

TEST(Outliers, AStepChangeIsALevelNotOutliers) {
  std::vector<double> y = Poisson(5, 560);
  for (size_t t = 530; t < 560; ++t) y[t] = 200 + static_cast<double>(t % 3);  // new customer
  EXPECT_TRUE(FindOutliers(y).empty());
  std::vector<double> late = Poisson(5, 560);
  for (size_t t = 557; t < 560; ++t) late[t] = 200;  // three days are enough
  EXPECT_TRUE(FindOutliers(late).empty());
  // One day alone cannot be told from a typo: it is read as one.
  std::vector<double> one = Poisson(5, 560);
  one[559] = 200;
  EXPECT_EQ(FindOutliers(one).size(), 1u);
}

// Real series: the M4 Weekly competition's 359 series (train, then train + test) hold
// structural breaks and peaks but no typo; the rule must leave them alone.
TEST(Outliers, M4WeeklySeriesHaveNone) {
  size_t series = 0, points = 0, flagged = 0;
  std::vector<std::vector<double>> all;
  for (const char* file : {"Weekly-train.csv", "Weekly-test.csv"}) {
    std::ifstream in(std::string(CORRENTE_M4_DIR) + "/" + file);
    ASSERT_TRUE(in) << file;
    std::string line;
    std::getline(in, line);  // header
    size_t row = 0;
    while (std::getline(in, line)) {
      std::stringstream ss(line);
      std::string cell;
      std::getline(ss, cell, ',');  // id
      if (all.size() <= row) all.emplace_back();
      while (std::getline(ss, cell, ',')) {
        std::erase(cell, '"');  // values are quoted
        std::erase(cell, '\r');
        if (!cell.empty()) all[row].push_back(std::stod(cell));
      }
      ++row;
    }
  }
  ASSERT_EQ(all.size(), 359u);
  for (const auto& y : all) {
    ++series;
    points += y.size();
    flagged += FindOutliers(y).size();
  }
  EXPECT_EQ(series, 359u);
  EXPECT_EQ(points, 371579u);
  EXPECT_EQ(flagged, 0u);
}

}  // namespace
}  // namespace corrente::decide
