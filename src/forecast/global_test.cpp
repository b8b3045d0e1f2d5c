#include "forecast/global.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

namespace corrente::forecast {
namespace {

// A panel sharing one seasonal shape (period 12) at different scales and growth rates, with a
// small deterministic wobble so the least-squares system is well posed.
std::vector<std::vector<double>> Panel(size_t count, size_t length) {
  std::vector<std::vector<double>> out;
  for (size_t s = 0; s < count; ++s) {
    std::vector<double> y;
    const double scale = 10.0 + 7.0 * static_cast<double>(s), growth = 1.0 + 0.001 * (s % 5);
    for (size_t t = 0; t < length; ++t) {
      const double season = 1.0 + 0.4 * std::sin(2 * M_PI * static_cast<double>(t) / 12.0);
      const double wobble = 1.0 + 0.01 * std::sin(0.7 * static_cast<double>(t * (s + 1)));
      y.push_back(scale * std::pow(growth, static_cast<double>(t)) * season * wobble);
    }
    out.push_back(std::move(y));
  }
  return out;
}

TEST(Global, LearnsTheSharedShape) {
  const auto panel = Panel(30, 200);
  const GlobalModel model = FitGlobal(panel, 24, 6, 0);
  ASSERT_TRUE(model.ok());
  EXPECT_EQ(model.coef.size(), 25u * 6u);
  // A new series of the same family, at a scale the panel never had.
  std::vector<double> y;
  for (size_t t = 0; t < 106; ++t)
    y.push_back(1000.0 * (1.0 + 0.4 * std::sin(2 * M_PI * static_cast<double>(t) / 12.0)));
  const std::vector<double> f = PredictGlobal(model, std::span<const double>(y).first(100), 6);
  ASSERT_EQ(f.size(), 6u);
  for (size_t j = 0; j < 6; ++j) EXPECT_NEAR(f[j] / y[100 + j], 1.0, 0.03) << "step " << j;
}

TEST(Global, CutValuesNeverEnterTheFit) {
  auto panel = Panel(25, 150);
  const GlobalModel before = FitGlobal(panel, 24, 6, 18);
  for (auto& y : panel)
    for (size_t t = y.size() - 18; t < y.size(); ++t) y[t] *= 50;  // change only the cut tail
  const GlobalModel after = FitGlobal(panel, 24, 6, 18);
  ASSERT_TRUE(before.ok());
  EXPECT_EQ(before.windows, after.windows);
  EXPECT_EQ(before.coef, after.coef);
}

TEST(Global, CountsWithZerosQualifyNegativesDoNot) {
  auto panel = Panel(25, 150);
  const GlobalModel model = FitGlobal(panel, 24, 6, 0);
  std::vector<double> y = panel[0];
  y[y.size() - 3] = 0;
  EXPECT_EQ(PredictGlobal(model, y, 6).size(), 6u);  // log1p: a zero day is a value
  y[y.size() - 3] = -1;
  EXPECT_TRUE(PredictGlobal(model, y, 6).empty());
  EXPECT_TRUE(PredictGlobal(model, panel[0], 7).empty());  // beyond the model's horizon
  EXPECT_EQ(PredictGlobal(model, panel[0], 3).size(), 3u);
  // A panel of intermittent counts (a sale every fifth day) fits, and forecasts near its rate.
  std::vector<std::vector<double>> sparse(30, std::vector<double>(200, 0.0));
  for (auto& s : sparse)
    for (size_t t = 0; t < s.size(); t += 5) s[t] = 5;
  const GlobalModel counts = FitGlobal(sparse, 24, 5, 0);
  ASSERT_TRUE(counts.ok());
  const std::vector<double> f = PredictGlobal(counts, sparse[0], 5);
  ASSERT_EQ(f.size(), 5u);
  double total = 0;
  for (double v : f) {
    EXPECT_GE(v, -1e-9);
    total += v;
  }
  EXPECT_NEAR(total, 5.0, 1.0);  // one sale of 5 in the next five days
  // Negative values never enter.
  std::vector<std::vector<double>> negative(30, std::vector<double>(100, -1.0));
  EXPECT_FALSE(FitGlobal(negative, 24, 6, 0).ok());
  EXPECT_EQ(GlobalLags(52, 13), 52);
  EXPECT_EQ(GlobalLags(7, 90), 180);
  EXPECT_EQ(GlobalLags(1, 1), 8);
}

TEST(Global, PanelIsDeterministicAndOptional) {
  const auto panel = Panel(kMinPanel + 5, 180);
  ForecastOptions opt;
  opt.horizon = 6;
  opt.season = 12;
  PanelReport one, two, off;
  const auto a = ForecastPanel(panel, opt, 1, true, &one);
  const auto b = ForecastPanel(panel, opt, 2, true, &two);
  const auto c = ForecastPanel(panel, opt, 2, false, &off);
  ASSERT_EQ(a.size(), panel.size());
  EXPECT_GT(one.windows, 0u);
  EXPECT_GT(one.used, 0u);  // on a panel made of one shape, the global model earns its place
  EXPECT_EQ(one.used, two.used);
  EXPECT_EQ(off.windows, 0u);
  EXPECT_EQ(off.used, 0u);
  for (size_t i = 0; i < panel.size(); ++i) {
    EXPECT_EQ(a[i].model, b[i].model);
    EXPECT_EQ(a[i].mean, b[i].mean);
    const ForecastResult alone = ForecastAuto(panel[i], opt);
    EXPECT_EQ(c[i].mean, alone.mean);
    EXPECT_EQ(c[i].model.find("global"), std::string::npos);
  }
  // Too few series: no global model.
  PanelReport small;
  ForecastPanel(std::span(panel).first(kMinPanel - 1), opt, 1, true, &small);
  EXPECT_EQ(small.windows, 0u);
}

}  // namespace
}  // namespace corrente::forecast
