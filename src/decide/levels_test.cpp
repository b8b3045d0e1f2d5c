#include "decide/levels.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "decide/policy.h"

namespace corrente::decide {
namespace {

TEST(Levels, SpecRuleByHand) {
  // 40 days: the first 10 are ignored (trailing 30), then 15 x 4 and 15 x 6: mean 5, std 1.017.
  std::vector<double> y(10, 100.0);
  for (int i = 0; i < 15; ++i) y.push_back(4), y.push_back(6);
  PolicyInput in;
  in.history = y;
  in.lead_time = 4;
  in.lead_time_std = 3;  // ignored by the spec rule
  in.service_level = 0.95;
  in.review_days = 7;
  PolicyLevels l = ComputeLevels(PolicyMethod::kSpec, in);
  double sd = std::sqrt(30.0 / 29.0);
  EXPECT_NEAR(l.mean, 5, 1e-12);
  EXPECT_NEAR(l.std, sd, 1e-12);
  EXPECT_NEAR(l.ss, 1.6448536269514722 * sd * 2, 1e-9);
  EXPECT_NEAR(l.rop, 20 + l.ss, 1e-9);
  EXPECT_NEAR(l.out, l.rop + 35, 1e-9);
  EXPECT_EQ(l.method, PolicyMethod::kSpec);
}

TEST(Levels, NormalAddsLeadTimeVariability) {
  std::vector<double> y(90, 10.0);
  PolicyInput in;
  in.history = y;
  in.lead_time = 9;
  in.lead_time_std = 2;
  in.service_level = 0.98;
  PolicyLevels l = ComputeLevels(PolicyMethod::kNormal, in);
  // std of demand 0: SS = z * mean * std_L.
  EXPECT_NEAR(l.ss, NormalQuantile(0.98) * 10 * 2, 1e-9);
  EXPECT_NEAR(l.rop, 90 + l.ss, 1e-9);
}

TEST(Levels, EmpiricalOnConstantDemandNeedsExactlyTheLeadTimeDemand) {
  std::vector<double> y(100, 3.0);
  PolicyInput in;
  in.history = y;
  in.lead_time = 5;
  in.service_level = 0.99;
  in.review_days = 7;
  PolicyLevels l = ComputeLevels(PolicyMethod::kEmpirical, in);
  EXPECT_EQ(l.method, PolicyMethod::kEmpirical);
  EXPECT_NEAR(l.rop, 18, 1e-9);  // 3 a day over 5 lead days + 1 review day
  EXPECT_NEAR(l.ss, 0, 1e-9);
  EXPECT_NEAR(l.out, 18 + 21, 1e-9);
}

TEST(Levels, EmpiricalMeetsItsFillRateOnTheSamples) {
  // Intermittent: a demand of 8 every 4th day (the last 28 days are at the window's level,
  // so the level scaling leaves the samples as they are).
  std::vector<double> y;
  for (int i = 0; i < 180; ++i) y.push_back(i % 4 == 0 ? 8 : 0);
  std::vector<double> leads = {3, 3, 4, 6};
  PolicyInput in;
  in.history = y;
  in.lead_samples = leads;
  in.service_level = 0.95;
  in.review_days = 10;
  PolicyLevels l = ComputeLevels(PolicyMethod::kEmpirical, in);
  EXPECT_NEAR(l.mean, 2, 1e-9);
  EXPECT_NEAR(l.lead, 4, 1e-9);
  // Rebuild the samples and check the defining inequality at s, and that a bit less fails.
  std::vector<double> s;
  for (double L : leads)
    for (size_t t = 0; t + L + 1 <= y.size(); ++t) {
      double sum = 0;
      for (size_t k = 0; k < L + 1; ++k) sum += y[t + k];
      s.push_back(sum);
    }
  std::sort(s.begin(), s.end());
  double allowed = 0.05 * 2 * 10;
  EXPECT_LE(ExpectedShortage(s, l.rop), allowed + 1e-9);
  EXPECT_GT(ExpectedShortage(s, l.rop - 0.5), allowed);
}

TEST(Levels, EmpiricalFallsBackToNormalOnShortHistory) {
  std::vector<double> y(10, 1.0);
  PolicyInput in;
  in.history = y;
  EXPECT_EQ(ComputeLevels(PolicyMethod::kEmpirical, in).method, PolicyMethod::kNormal);
}

TEST(Levels, ExpectedShortageByHand) {
  std::vector<double> s = {0, 2, 4, 10};
  EXPECT_NEAR(ExpectedShortage(s, 3), (1 + 7) / 4.0, 1e-12);
  EXPECT_NEAR(ExpectedShortage(s, 10), 0, 1e-12);
  EXPECT_NEAR(ExpectedShortage(s, -1), (1 + 3 + 5 + 11) / 4.0, 1e-12);
}

TEST(Levels, ForecastMethodByHand) {
  std::vector<double> hist(60, 1.0);
  std::vector<double> mean = {2, 2, 4, 4, 6, 6, 6, 6};
  std::vector<double> sd = {1, 1, 2, 2, 2, 2, 2, 2};
  PolicyInput in;
  in.history = hist;
  in.forecast_mean = mean;
  in.forecast_sd = sd;
  in.lead_time = 4;
  in.lead_time_std = 0;
  in.service_level = 0.95;
  in.review_days = 3;
  PolicyLevels l = ComputeLevels(PolicyMethod::kForecast, in);
  EXPECT_EQ(l.method, PolicyMethod::kForecast);
  // Lead-time demand 2+2+4+4 = 12, variance 1+1+4+4 = 10; S adds days 5-7: 6+6+6.
  EXPECT_NEAR(l.rop, 12 + NormalQuantile(0.95) * std::sqrt(10.0), 1e-9);
  EXPECT_NEAR(l.out, l.rop + 18, 1e-9);
  EXPECT_NEAR(l.mean, 3, 1e-12);
  // A fractional lead time counts half a day; past the path its last day repeats.
  in.lead_time = 2.5;
  EXPECT_NEAR(ComputeLevels(PolicyMethod::kForecast, in).rop,
              2 + 2 + 2 + NormalQuantile(0.95) * std::sqrt(1 + 1 + 2.0), 1e-9);
  in.lead_time = 10;
  in.review_days = 0;
  EXPECT_NEAR(ComputeLevels(PolicyMethod::kForecast, in).rop,
              36 + 2 * 6 + NormalQuantile(0.95) * std::sqrt(26 + 2 * 4.0), 1e-9);
  // Without a forecast: the normal method.
  in.forecast_mean = {};
  EXPECT_EQ(ComputeLevels(PolicyMethod::kForecast, in).method, PolicyMethod::kNormal);
}

TEST(Levels, ParsesMethodNames) {
  EXPECT_EQ(ParsePolicyMethod("empirical"), PolicyMethod::kEmpirical);
  EXPECT_THROW(ParsePolicyMethod("magic"), std::invalid_argument);
}

}  // namespace
}  // namespace corrente::decide
