#include "decide/overrides.h"

#include <gtest/gtest.h>

#include <vector>

namespace corrente::decide {
namespace {

TEST(Overrides, ForecastAbsoluteAndPercentOnTheirDaysOnly) {
  std::vector<double> mean{10, 10, 10, 10}, sd{2, 2, 2, 2};
  // Path starts on day 100; an absolute 25 a day on days 101-102.
  EXPECT_EQ(ApplyForecastOverride(mean, sd, 100, {101, 102, true, 25}), 2);
  EXPECT_EQ(mean, (std::vector<double>{10, 25, 25, 10}));
  EXPECT_EQ(sd, (std::vector<double>{2, 2, 2, 2}));
  // -50% from day 102 on (beyond the path too): mean and spread halve.
  EXPECT_EQ(ApplyForecastOverride(mean, sd, 100, {102, 200, false, -50}), 2);
  EXPECT_EQ(mean, (std::vector<double>{10, 25, 12.5, 5}));
  EXPECT_EQ(sd, (std::vector<double>{2, 2, 1, 1}));
  EXPECT_EQ(ApplyForecastOverride(mean, sd, 100, {90, 99, true, 1}), 0);  // before the path
  ApplyForecastOverride(mean, sd, 100, {100, 100, false, -100});
  EXPECT_EQ(mean[0], 0);
}

TEST(Overrides, PolicyInputsAndBounds) {
  PolicyInput in;
  std::vector<double> samples{5, 9};
  in.lead_samples = samples;
  in.lead_time = 7;
  in.lead_time_std = 2;
  PolicyOverride o;
  o.service_level = 0.99;
  o.lead_time_days = 3.0;
  ApplyPolicyInputs(in, o);
  EXPECT_EQ(in.service_level, 0.99);
  EXPECT_EQ(in.lead_time, 3);
  EXPECT_EQ(in.lead_time_std, 0);
  EXPECT_TRUE(in.lead_samples.empty());
  PolicyLevels l;
  l.rop = 20;
  l.out = 60;
  PolicyOverride bounds;
  bounds.min_stock = 30.0;
  bounds.max_stock = 50.0;
  ApplyPolicyBounds(l, bounds);
  EXPECT_EQ(l.rop, 30);
  EXPECT_EQ(l.out, 50);
  PolicyOverride cap;
  cap.max_stock = 10.0;
  ApplyPolicyBounds(l, cap);  // a cap below the reorder point keeps s <= S
  EXPECT_EQ(l.out, 30);
  PolicyLevels untouched;
  untouched.rop = 5;
  untouched.out = 9;
  ApplyPolicyBounds(untouched, PolicyOverride{});
  EXPECT_EQ(untouched.rop, 5);
  EXPECT_EQ(untouched.out, 9);
}

}  // namespace
}  // namespace corrente::decide
