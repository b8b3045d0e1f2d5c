#include "seed/generator.h"

#include <gtest/gtest.h>

#include <map>

#include "common/dates.h"

namespace corrente::seed {
namespace {

SeedOptions Small() {
  SeedOptions o;
  o.items = 60;
  o.sites = 4;
  o.suppliers = 8;
  o.days = 730;
  o.end_day = DaysFromCivil({2025, 6, 30});
  return o;
}

TEST(Generator, DeterministicBySeedWhateverTheThreads) {
  auto o = Small();
  o.threads = 1;
  Dataset a = Generate(o);
  o.threads = 3;
  Dataset b = Generate(o);
  ASSERT_EQ(a.demand.size(), b.demand.size());
  ASSERT_EQ(a.orders.size(), b.orders.size());
  for (size_t i = 0; i < a.demand.size(); i += 97) {
    EXPECT_EQ(a.demand[i].day, b.demand[i].day);
    EXPECT_EQ(a.demand[i].quantity, b.demand[i].quantity);
  }
  o.seed = 7;
  Dataset c = Generate(o);
  EXPECT_NE(a.demand.size(), c.demand.size());
}

TEST(Generator, ShapeAndRanges) {
  auto o = Small();
  Dataset d = Generate(o);
  EXPECT_EQ(d.last_day - d.first_day + 1, o.days);
  EXPECT_EQ(d.items.size(), 60u);
  EXPECT_EQ(d.sites.size(), 4u);
  EXPECT_EQ(d.regions.size(), 5u);
  EXPECT_EQ(d.inventory.size(), static_cast<size_t>(60 * 4 * 730));
  for (const auto& r : d.inventory) ASSERT_GE(r.stock, 0) << "negative stock";
  for (const auto& r : d.demand) {
    ASSERT_GT(r.quantity, 0) << "zero-demand rows are not stored";
    ASSERT_GE(r.day, d.first_day);
    ASSERT_LE(r.day, d.last_day);
  }
  std::map<std::string, int> abc;
  for (const auto& it : d.items) {
    EXPECT_GT(it.unit_price, it.unit_cost);
    EXPECT_LE(it.min_order_qty, it.max_order_qty);
    abc[it.abc_class]++;
  }
  EXPECT_GT(abc["A"], 0);
  EXPECT_GT(abc["C"], abc["A"] / 4);
}

TEST(Generator, WeeklyPatternIsPresent) {
  Dataset d = Generate(Small());
  double by_dow[7] = {};
  for (const auto& r : d.demand) by_dow[Weekday(r.day)] += r.quantity;
  // Sundays sell far less than Mondays and Fridays.
  EXPECT_LT(by_dow[0], 0.5 * by_dow[1]);
  EXPECT_LT(by_dow[0], 0.5 * by_dow[5]);
  EXPECT_LT(by_dow[6], by_dow[5]);
}

TEST(Generator, HolidaysDepressDemand) {
  Dataset d = Generate(Small());
  std::map<int64_t, double> per_day;
  for (const auto& r : d.demand) per_day[r.day] += r.quantity;
  double holiday = 0, normal = 0;
  int nh = 0, nn = 0;
  for (int y = 2023; y <= 2025; ++y)
    for (const auto& h : BrazilHolidays(y)) {
      if (h.day < d.first_day || h.day > d.last_day || Weekday(h.day) == 0 || Weekday(h.day) == 6) continue;
      holiday += per_day[h.day];
      normal += per_day[h.day - 7];  // same weekday, a week earlier
      ++nh, ++nn;
    }
  ASSERT_GT(nh, 5);
  EXPECT_LT(holiday / nh, 0.6 * normal / nn);
}

TEST(Generator, IntermittentShareIsRealistic) {
  Dataset d = Generate(Small());
  std::map<std::pair<int, int>, int> nonzero;
  for (const auto& r : d.demand) nonzero[{r.item, r.site}]++;
  int intermittent_pairs = 0, pairs = 60 * 4;
  for (int i = 1; i <= 60; ++i)
    for (int s = 1; s <= 4; ++s)
      if (nonzero[{i, s}] < 0.5 * 730) ++intermittent_pairs;  // mostly-zero series
  double share = static_cast<double>(intermittent_pairs) / pairs;
  EXPECT_GT(share, 0.10);
  EXPECT_LT(share, 0.60);
}

TEST(Generator, OrdersHaveRealisticStatuses) {
  Dataset d = Generate(Small());
  std::map<std::string, int> st;
  for (const auto& o : d.orders) {
    st[o.status]++;
    EXPECT_GE(o.expected_day, o.order_day);
    if (o.actual_day >= 0) {
      EXPECT_GT(o.actual_day, o.order_day);
      EXPECT_EQ(o.status == "DELAYED", o.actual_day > o.expected_day);
    }
    if (o.status == "CANCELLED") {
      EXPECT_EQ(o.actual_day, -1);
    }
  }
  double total = d.orders.size();
  ASSERT_GT(total, 500);
  EXPECT_GT(st["RECEIVED"] / total, 0.6);
  EXPECT_GT(st["DELAYED"] / total, 0.03);
  EXPECT_GT(st["CANCELLED"] / total, 0.01);
  EXPECT_LT(st["CANCELLED"] / total, 0.06);
}

TEST(Generator, StockoutsHappen) {
  Dataset d = Generate(Small());
  size_t zero = 0;
  for (const auto& r : d.inventory) zero += r.stock == 0;
  double share = static_cast<double>(zero) / d.inventory.size();
  EXPECT_GT(share, 0.001);
  EXPECT_LT(share, 0.25);
}

}  // namespace
}  // namespace corrente::seed
