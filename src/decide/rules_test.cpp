// The recommendation and alert rules on hand-built states: every type and category fires when
// it should, and only then.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "decide/alerts.h"
#include "decide/priority.h"
#include "decide/recommend.h"

namespace corrente::decide {
namespace {

SeriesState Make(int32_t item, int32_t site, double stock, double mean, double rop, double out) {
  SeriesState s;
  s.item = item;
  s.site = site;
  s.stock = stock;
  s.levels.mean = mean;
  s.levels.rop = rop;
  s.levels.out = out;
  s.levels.ss = rop / 2;
  s.levels.lead = 7;
  s.unit_price = 10;
  s.unit_cost = 6;
  s.abc = 'A';
  return s;
}

std::vector<std::string> Types(const std::vector<Recommendation>& r) {
  std::vector<std::string> t;
  for (auto& x : r) t.push_back(x.type + "@" + std::to_string(x.site));
  return t;
}

TEST(Recommend, ReorderUpToTheLevelWithinMinAndMax) {
  SeriesState s = Make(1, 1, 20, 5, 40, 100);
  s.orders.quantity = 10;
  s.min_qty = 80;
  auto r = Recommend(std::span(&s, 1), {.as_of = 100});
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].type, "REORDER");
  EXPECT_EQ(r[0].quantity, 80);  // need 70, raised to the minimum
  EXPECT_EQ(r[0].action_date, 101);
  s.min_qty = 0;
  s.max_qty = 50;
  EXPECT_EQ(Recommend(std::span(&s, 1), {.as_of = 100})[0].quantity, 50);
  s.stock = 31;  // position 41 > rop 40: nothing
  EXPECT_TRUE(Recommend(std::span(&s, 1), {.as_of = 100}).empty());
  s.stock = 30;  // position 40 = rop: at or below orders
  EXPECT_EQ(Recommend(std::span(&s, 1), {.as_of = 100}).size(), 1u);
}

TEST(Recommend, ReallocateFromASiteWithExcessOnce) {
  std::vector<SeriesState> s = {Make(1, 1, 0, 5, 40, 100), Make(1, 2, 300, 5, 40, 100),
                                Make(1, 3, 0, 5, 40, 100)};
  auto r = Recommend(s, {.as_of = 10});
  // Site 1 needs 100 and site 2 has 200 above its level: REALLOCATE. Site 3 then needs 100 of
  // the remaining 100: REALLOCATE too. Site 2 covers 60 days: below hold_days, nothing.
  EXPECT_EQ(Types(r), (std::vector<std::string>{"REALLOCATE@1", "REALLOCATE@3"}));
  EXPECT_EQ(r[0].quantity, 100);
  s[1].stock = 250;  // 150 excess: only one site can be served
  EXPECT_EQ(Types(Recommend(s, {.as_of = 10})),
            (std::vector<std::string>{"REALLOCATE@1", "REORDER@3"}));
}

TEST(Recommend, ExpediteLateOrHopelessOrders) {
  SeriesState s = Make(1, 1, 50, 5, 10, 60);
  s.orders = {.quantity = 30, .earliest_expected = 95, .latest_late_expected = 95, .late = 1};
  s.days_to_rupture = 10;
  auto r = Recommend(std::span(&s, 1), {.as_of = 100});
  ASSERT_EQ(Types(r), std::vector<std::string>{"EXPEDITE@1"});
  EXPECT_NE(r[0].message.find("overdue since 1970-04-06"), std::string::npos) << r[0].message;
  s.orders = {.quantity = 30, .earliest_expected = 115, .late = 0};  // after day 110's rupture
  EXPECT_EQ(Types(Recommend(std::span(&s, 1), {.as_of = 100})),
            std::vector<std::string>{"EXPEDITE@1"});
  s.orders.earliest_expected = 105;  // before it: fine
  EXPECT_TRUE(Recommend(std::span(&s, 1), {.as_of = 100}).empty());
}

TEST(Recommend, HoldAndPromo) {
  SeriesState s = Make(1, 1, 1300, 10, 40, 100);  // 130 days of cover, class A: HOLD
  auto r = Recommend(std::span(&s, 1), {.as_of = 1});
  ASSERT_EQ(Types(r), std::vector<std::string>{"HOLD@1"});
  EXPECT_GT(r[0].score, 0);
  s.stock = 1900;  // 190 days
  s.abc = 'C';     // a slow mover: PROMO of the excess over the level
  r = Recommend(std::span(&s, 1), {.as_of = 1});
  ASSERT_EQ(Types(r), std::vector<std::string>{"PROMO@1"});
  EXPECT_EQ(r[0].quantity, 1800);
}

TEST(Alerts, StockoutOnlyWhenShortEvenWithOrders) {
  SeriesState s = Make(1, 1, 10, 5, 40, 100);
  s.days_to_rupture = 2;
  s.expected_short = 20;
  auto a = StockAlerts(std::span(&s, 1), 100);
  ASSERT_EQ(a.size(), 1u);
  EXPECT_EQ(a[0].category, "STOCKOUT_IMMINENT");
  EXPECT_EQ(a[0].level, "CRITICAL");  // within half the lead time
  EXPECT_DOUBLE_EQ(a[0].score, PriorityScore(20, 10, 0));
  auto q = StockAlerts(std::span(&s, 1), 100, 0.84);
  EXPECT_NE(q[0].message.find("84% of alerts like this came true"), std::string::npos) << q[0].message;
  s.expected_short = 0.1;  // covered by what is on order: no stockout alert
  s.orders.quantity = 100;
  EXPECT_TRUE(StockAlerts(std::span(&s, 1), 100).empty());
  s.orders.quantity = 0;  // but stock + nothing on order is below the safety stock of 20
  a = StockAlerts(std::span(&s, 1), 100);
  ASSERT_EQ(a.size(), 1u);
  EXPECT_EQ(a[0].category, "BELOW_SAFETY_STOCK");
  s.orders.quantity = 5;  // something is on order: the planner has acted
  EXPECT_TRUE(StockAlerts(std::span(&s, 1), 100).empty());
  s.orders.quantity = 0;
  s.days_to_rupture = 8;  // lasts beyond the lead time: REORDER today is the whole answer
  EXPECT_TRUE(StockAlerts(std::span(&s, 1), 100).empty());
}

TEST(Alerts, OnlyMaterialShortfalls) {
  // Lead-time demand 5 x 7 = 35: 20% of it is 7 units.
  SeriesState s = Make(1, 1, 30, 5, 40, 100);
  s.days_to_rupture = 6;
  s.expected_short = 6.9;
  s.orders.quantity = 40;  // stock + on order above the safety stock: nothing at all
  EXPECT_TRUE(StockAlerts(std::span(&s, 1), 100).empty());
  s.expected_short = 7;
  auto a = StockAlerts(std::span(&s, 1), 100);
  ASSERT_EQ(a.size(), 1u);
  EXPECT_EQ(a[0].category, "STOCKOUT_IMMINENT");
  EXPECT_EQ(a[0].level, "WARNING");  // 6 days: not within half the lead time
  s.levels.mean = 0.01;  // a slow mover: half a unit is the floor
  s.expected_short = 0.4;
  EXPECT_TRUE(StockAlerts(std::span(&s, 1), 100).empty());
}

TEST(Alerts, SupplierDelayAndDrift) {
  SeriesState s = Make(1, 1, 500, 5, 40, 100);
  s.orders = {.quantity = 30, .earliest_expected = 90, .latest_late_expected = 98, .late = 2};
  // Stock lasts beyond the lead time: the late orders threaten nothing (EXPEDITE covers them).
  EXPECT_TRUE(StockAlerts(std::span(&s, 1), 100).empty());
  s.stock = 30;
  s.days_to_rupture = 3;  // runs out within half the lead time without them
  s.expected_short = 1;
  auto a = StockAlerts(std::span(&s, 1), 100);
  ASSERT_EQ(a.size(), 1u);
  EXPECT_EQ(a[0].category, "SUPPLIER_DELAY");
  EXPECT_EQ(a[0].level, "CRITICAL");  // 10 days late against a 7-day lead time
  EXPECT_NE(a[0].message.find("runs out in 3 days without them"), std::string::npos);
  s.expected_short = 20;  // short even with them: one stock alert that names the late orders
  a = StockAlerts(std::span(&s, 1), 100);
  ASSERT_EQ(a.size(), 1u);
  EXPECT_EQ(a[0].category, "STOCKOUT_IMMINENT");
  EXPECT_NE(a[0].message.find("2 order(s) of supplier 0 overdue, by up to 10 days"),
            std::string::npos) << a[0].message;
  EXPECT_TRUE(DriftAlert(1, 1, 90, 40, 10).has_value());
  EXPECT_FALSE(DriftAlert(1, 1, 60, 40, 10).has_value());  // not +30 points
  EXPECT_FALSE(DriftAlert(1, 1, 90, 40, 6).has_value());   // too few days
  // Ten times the forecast: WAPE only reaches 90%, the level shift is caught.
  EXPECT_FALSE(DriftAlert(1, 1, 90, 52, 14).has_value());
  auto shift = DriftAlert(1, 1, 90, 52, 14, 2010, 200);
  ASSERT_TRUE(shift.has_value());
  EXPECT_NE(shift->message.find("2010 units"), std::string::npos) << shift->message;
  EXPECT_FALSE(DriftAlert(1, 1, 90, 52, 14, 3, 1).has_value());  // too few units to tell
  EXPECT_FALSE(DriftAlert(1, 1, 20, 52, 14, 150, 100).has_value());  // 1.5x: no
}

TEST(Priority, ExpectedShortAndScore) {
  std::vector<double> path(10, 2.0);
  // Deterministic demand: 14 over 7 days against 10 available.
  EXPECT_NEAR(ExpectedShortOverLead(path, 0, 7, 10), 4, 1e-12);
  EXPECT_NEAR(ExpectedShortOverLead(path, 0, 7.5, 10), 5, 1e-12);
  // With spread: sd * G(z); at available = mean, G(0) = 1/sqrt(2 pi).
  EXPECT_NEAR(ExpectedShortOverLead(path, 1, 4, 8), 2 / std::sqrt(2 * M_PI), 1e-9);
  EXPECT_NEAR(NormalLoss(1), 0.0833154, 1e-6);
  EXPECT_DOUBLE_EQ(PriorityScore(10, 5, 10), 75);
  EXPECT_DOUBLE_EQ(PriorityScore(10, 5, 0), 25);
  EXPECT_DOUBLE_EQ(PriorityScore(-1, 5, 0), 0);
}

}  // namespace
}  // namespace corrente::decide
