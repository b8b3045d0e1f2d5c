// The replay on hand-computed cases, its conservation of units, repeatability by seed, and the
// inputs it refuses.
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <random>

#include "simulate/report.h"
#include "simulate/simulate.h"
#include "simulate/source.h"

namespace corrente::simulate {
namespace {

using decide::PolicyMethod;

SimSeries Constant(double per_day, int days, double initial, const std::vector<LeadTime>& leads) {
  SimSeries s;
  s.item = 1;
  s.site = 1;
  s.demand.assign(static_cast<size_t>(days), per_day);
  s.initial_stock = initial;
  s.leads = leads;
  return s;
}

TEST(Replay, OrdersAtTheReorderPointByHand) {
  std::vector<LeadTime> leads = {{3, INT64_MIN}};
  SimSeries s = Constant(2, 50, 10, leads);
  ReplayOptions o;
  o.start = 40;
  o.end = 50;
  // Constant demand: SS 0, s = 2 x 3 = 6, S = 6 + 2 x 14 = 34. Position 10, 8, then 6 on day
  // 42: order 28, due day 45. Stock 4, 2, 0, then 28 - 2 = 26 ... 18.
  Outcome r = Replay(s, PolicyMethod::kSpec, o);
  EXPECT_EQ(r.orders, 1);
  EXPECT_DOUBLE_EQ(r.received, 28);
  EXPECT_DOUBLE_EQ(r.lost, 0);
  EXPECT_DOUBLE_EQ(r.served, 20);
  EXPECT_DOUBLE_EQ(r.end_units, 18);
  EXPECT_EQ(r.zero_stock_days, 1);  // day 44 ends at 0
  EXPECT_EQ(r.days, 10);
}

TEST(Replay, LostSalesWhileTheOrderIsOnItsWay) {
  std::vector<LeadTime> leads = {{5, INT64_MIN}};
  SimSeries s = Constant(2, 50, 4, leads);
  ReplayOptions o;
  o.start = 40;
  o.end = 50;
  // s = 10, S = 38: day 40 orders 34 (due day 45); stock 2, 0, then 2 lost on days 42..44.
  Outcome r = Replay(s, PolicyMethod::kSpec, o);
  EXPECT_EQ(r.orders, 1);
  EXPECT_DOUBLE_EQ(r.lost, 6);
  EXPECT_EQ(r.episodes, 1);
  EXPECT_EQ(r.zero_stock_days, 4);
  EXPECT_DOUBLE_EQ(r.end_units, 34 - 10);
  // With back-orders the same 6 units are owed, then shipped on day 45.
  o.backorders = true;
  Outcome b = Replay(s, PolicyMethod::kSpec, o);
  EXPECT_DOUBLE_EQ(b.lost, 6);
  EXPECT_DOUBLE_EQ(b.served, 20);
  EXPECT_DOUBLE_EQ(b.backlog_end, 0);
}

TEST(Replay, OrdersInFlightAtTheStartArriveAndCount) {
  std::vector<LeadTime> leads = {{5, INT64_MIN}};
  SimSeries s = Constant(2, 50, 4, leads);
  s.in_flight = {{42, 30}};
  ReplayOptions o;
  o.start = 40;
  o.end = 50;
  // Position 4 + 30 on order: no order until day 47 (stock 4, 2, 0+30-2=28 on day 42 ...).
  Outcome r = Replay(s, PolicyMethod::kSpec, o);
  EXPECT_DOUBLE_EQ(r.lost, 0);
  EXPECT_DOUBLE_EQ(r.received, 30);
  EXPECT_NEAR(r.start_units + r.received - r.served, r.end_units, 1e-9);
}

TEST(Replay, UnitsAreConservedAndRunsRepeatBySeed) {
  std::mt19937 g(7);
  int64_t alerts = 0;
  std::vector<LeadTime> leads;
  for (int i = 0; i < 30; ++i) leads.push_back({double(2 + g() % 9), INT64_MIN});
  for (int k = 0; k < 20; ++k) {
    SimSeries s;
    s.item = k;
    s.site = 2;
    s.abc = "ABC"[k % 3];
    s.leads = leads;
    std::poisson_distribution<int> pd(0.3 + k * 0.7);
    std::bernoulli_distribution zero(k % 4 == 0 ? 0.7 : 0.0);
    for (int t = 0; t < 400; ++t) s.demand.push_back(zero(g) ? 0 : pd(g));
    for (bool back : {false, true})
      for (auto m : {PolicyMethod::kSpec, PolicyMethod::kNormal, PolicyMethod::kEmpirical}) {
        ReplayOptions o;
        o.start = 200;
        o.end = 400;
        o.backorders = back;
        o.seed = 42;
        Outcome r = Replay(s, m, o);
        EXPECT_NEAR(r.start_units + r.received - r.served, r.end_units, 1e-6) << k;
        if (back) {
          EXPECT_NEAR(r.served + r.backlog_end, r.demand, 1e-6) << k;
        } else {
          EXPECT_NEAR(r.served + r.lost, r.demand, 1e-6) << k;
        }
        Outcome again = Replay(s, m, o);
        EXPECT_EQ(again.lost, r.lost);
        EXPECT_EQ(again.orders, r.orders);
        EXPECT_EQ(again.on_hand_days, r.on_hand_days);
        // Every alert onset opens at least one alert-day; no more alert-days than days.
        EXPECT_GE(r.alert_days, r.alerts);
        EXPECT_LE(r.alert_days, r.days);
        EXPECT_LE(r.alerts_true, r.alerts);
        alerts += r.alerts;
        // A higher materiality bar raises no alert the lower one does not.
        o.alert_short_share = 0.6;
        Outcome strict = Replay(s, m, o);
        EXPECT_LE(strict.alert_days, r.alert_days) << k;
        EXPECT_EQ(strict.lost, r.lost);  // alerts never change what happens
      }
  }
  EXPECT_GT(alerts, 0);  // the alert measures were exercised
}

TEST(Simulate, SameDemandAndLeadTimesForEveryPolicyAndEveryThreadCount) {
  std::vector<LeadTime> leads = {{4, INT64_MIN}, {9, INT64_MIN}, {6, INT64_MIN}};
  Dataset d;
  std::mt19937 g(3);
  for (int k = 0; k < 30; ++k) {
    SimSeries s;
    s.item = k;
    s.site = 1;
    s.leads = leads;
    std::poisson_distribution<int> pd(1 + k % 5);
    for (int t = 0; t < 300; ++t) s.demand.push_back(pd(g));
    d.series.push_back(s);
  }
  SimulationOptions o;
  o.replay.start = 150;
  o.replay.end = 300;
  o.sweep = {0.9, 0.99};
  o.jobs = 1;
  auto one = Simulate(d, o);
  o.jobs = 3;
  auto three = Simulate(d, o);
  ASSERT_EQ(one.size(), 9u);
  for (size_t i = 0; i < one.size(); ++i) {
    EXPECT_DOUBLE_EQ(one[i].total.demand, three[i].total.demand);
    EXPECT_DOUBLE_EQ(one[i].total.lost, three[i].total.lost);
    EXPECT_DOUBLE_EQ(one[i].total.demand, one[0].total.demand);
  }
  // A higher service level never holds less stock.
  EXPECT_GT(AverageUnits(one[8].total), AverageUnits(one[5].total));
  EXPECT_NE(TextTable(one).find("empirical@0.99"), std::string::npos);
  EXPECT_NE(Svg(one).find("<polyline"), std::string::npos);
  EXPECT_EQ(Json(one).front(), '[');
}

std::string TempFile(const std::string& text) {
  char name[] = "/tmp/corrente-sim-XXXXXX";
  int fd = mkstemp(name);
  close(fd);
  std::ofstream(name) << text;
  return name;
}

TEST(Source, CsvInputsAndTheirErrors) {
  std::string ok = "id,v1,v2\n";
  std::string row_a = "a", row_b = "b";
  for (int t = 0; t < 80; ++t) row_a += "," + std::to_string(t % 3), row_b += ",5";
  std::string path = TempFile(ok + row_a + "\n" + row_b + "\nshort,1,2,3\n");
  CsvSourceOptions o;
  o.demand_path = path;
  o.lead_time = 4;
  Dataset d = LoadFromCsv(o);
  ASSERT_EQ(d.series.size(), 2u);  // "short" cannot leave 28 days of history
  EXPECT_EQ(d.series[0].label, "a");
  EXPECT_EQ(d.series[0].end - d.series[0].start, 40);
  o.lead_time = -1;
  EXPECT_THROW(LoadFromCsv(o), std::invalid_argument);
  o.lead_time.reset();
  EXPECT_THROW(LoadFromCsv(o), std::invalid_argument);  // no lead time at all
  o.lead_times_path = TempFile("3, 4\nfive\n");
  try {
    LoadFromCsv(o);
    FAIL();
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("'five'"), std::string::npos) << e.what();
  }
  o.lead_times_path = TempFile("3\n4 6\n");
  EXPECT_EQ(LoadFromCsv(o).leads.at(0).size(), 3u);
  o.demand_path = TempFile("id\nx,1,2\n");
  try {
    LoadFromCsv(o);
    FAIL();
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("no usable series"), std::string::npos) << e.what();
  }
  o.demand_path = "/nonexistent/demand.csv";
  EXPECT_THROW(LoadFromCsv(o), std::invalid_argument);
}

// A typo of 1e6 on a slow series is read as zero, as the pipeline reads it: the same demand
// and ABC class as a zero that day (kept, it would make the series class A), and counted.
TEST(Source, CsvOutliersReadAsZeroBeforeTheClasses) {
  auto file = [](const std::string& typo) {
    std::string text = "id\n", slow = "slow";
    for (int t = 0; t < 80; ++t) slow += "," + (t == 70 ? typo : std::to_string(4 + t % 3));
    text += slow + "\n";
    for (const char* id : {"f1", "f2", "f3"}) {
      text += id;
      for (int t = 0; t < 80; ++t) text += ",50";
      text += "\n";
    }
    return TempFile(text);
  };
  CsvSourceOptions o;
  o.lead_time = 2;
  o.demand_path = file("0");
  const Dataset zero = LoadFromCsv(o);
  EXPECT_EQ(zero.outliers.days, 0);
  o.demand_path = file("1000000");
  const Dataset typo = LoadFromCsv(o);
  EXPECT_EQ(typo.outliers.days, 1);
  EXPECT_EQ(typo.outliers.series, 1);
  ASSERT_EQ(typo.series.size(), 4u);
  EXPECT_EQ(typo.series[0].demand, zero.series[0].demand);
  for (size_t i = 0; i < 4; ++i) EXPECT_EQ(typo.series[i].abc, zero.series[i].abc) << i;
  EXPECT_EQ(zero.series[0].abc, 'C');
  o.keep_outliers = true;
  const Dataset kept = LoadFromCsv(o);
  EXPECT_EQ(kept.outliers.days, 0);
  EXPECT_EQ(kept.series[0].demand[70], 1e6);
  EXPECT_EQ(kept.series[0].abc, 'A');
}

}  // namespace
}  // namespace corrente::simulate
