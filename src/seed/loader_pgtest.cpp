#include "seed/loader.h"

#include <gtest/gtest.h>

#include "common/dates.h"
#include "testlib/test_db.h"

namespace corrente::seed {
namespace {

int64_t Count(pg::Connection& c, const std::string& sql) { return c.ExecScript(sql).GetInt(0, 0); }

SeedOptions Tiny() {
  SeedOptions o;
  o.items = 20;
  o.sites = 3;
  o.suppliers = 5;
  o.days = 400;
  o.end_day = DaysFromCivil({2025, 3, 31});
  return o;
}

TEST(Loader, LoadsEverythingAndRestoresConstraints) {
  testing::ScratchDatabase db;
  auto c = db.Connect();
  Dataset ds = Generate(Tiny());
  LoadReport rep = Load(c, ds, false, true);
  EXPECT_EQ(rep.items, 20);
  EXPECT_EQ(rep.demand, static_cast<int64_t>(ds.demand.size()));
  EXPECT_EQ(Count(c, "SELECT count(*) FROM core.fact_inventory_daily"), 20 * 3 * 400);
  EXPECT_EQ(Count(c, "SELECT count(*) FROM core.fact_demand_daily"), rep.demand);
  EXPECT_EQ(Count(c, "SELECT count(*) FROM core.fact_orders"), rep.orders);
  EXPECT_EQ(Count(c, "SELECT count(*) FROM core.fact_demand_daily_default"), 0);
  EXPECT_EQ(Count(c, "SELECT count(*) FROM core.fact_inventory_daily WHERE current_stock < 0"), 0);
  EXPECT_GE(Count(c, "SELECT count(*) FROM core.dim_calendar WHERE is_holiday"), 12);
  // Totals match the generator exactly.
  double total = 0;
  for (const auto& d : ds.demand) total += d.quantity;
  EXPECT_DOUBLE_EQ(c.ExecScript("SELECT sum(quantity)::float8 FROM core.fact_demand_daily").GetDouble(0, 0), total);
  // Indexes and foreign keys are back after the bulk load.
  EXPECT_EQ(Count(c, "SELECT count(*) FROM pg_indexes WHERE indexname = 'ix_fact_demand_composite'"), 1);
  EXPECT_EQ(Count(c, "SELECT count(*) FROM pg_constraint WHERE conrelid = 'core.fact_orders'::regclass AND contype='f'"), 3);
  // Every parent index is valid, and every monthly partition carries all of them.
  EXPECT_EQ(Count(c, "SELECT count(*) FROM pg_index WHERE NOT indisvalid AND indrelid IN ("
                     "'core.fact_demand_daily'::regclass, 'core.fact_inventory_daily'::regclass, 'core.fact_orders'::regclass)"), 0);
  EXPECT_EQ(Count(c, "SELECT count(*) FROM pg_indexes WHERE tablename = 'fact_inventory_daily_2025_01'"), 4);
  EXPECT_EQ(Count(c, "SELECT count(*) FROM pg_tables WHERE schemaname = 'staging' AND tablename LIKE 'seed_%'"), 0);
  EXPECT_THROW(c.ExecScript("INSERT INTO core.fact_demand_daily (full_date, item_id, site_id, quantity) "
                            "VALUES ('2025-01-01', 9999, 1, 1)"),
               pg::Error);
  // Demo users: argon2id hashes, passwords handed back once.
  ASSERT_EQ(rep.users.size(), 3u);
  for (const auto& u : rep.users) EXPECT_EQ(u.password.size(), 16u);
  EXPECT_EQ(Count(c, "SELECT count(*) FROM support.users WHERE password_hash LIKE '$argon2id$%'"), 3);
  // The demand rollup (V064) holds the attached partitions' totals, and they keep it current.
  EXPECT_EQ(Count(c, "SELECT core.demand_rollup_drift()"), 0);
  EXPECT_GT(Count(c, "SELECT count(*) FROM core.demand_item_daily"), 20 * 300);
  c.ExecScript("DELETE FROM core.fact_demand_daily WHERE item_id = 3");
  EXPECT_EQ(Count(c, "SELECT core.demand_rollup_drift()"), 0);
}

TEST(Loader, RefusesNonEmptyUnlessForcedAndNeverHalfLoads) {
  testing::ScratchDatabase db;
  auto c = db.Connect();
  Dataset ds = Generate(Tiny());
  Load(c, ds, false, false);
  int64_t before = Count(c, "SELECT count(*) FROM core.fact_demand_daily");
  EXPECT_THROW(Load(c, ds, false, false), NotEmpty);
  EXPECT_EQ(Count(c, "SELECT count(*) FROM core.fact_demand_daily"), before);

  // A dataset that breaks a constraint mid-load (negative demand) changes nothing.
  Dataset bad = ds;
  bad.demand.back().quantity = -5;
  EXPECT_THROW(Load(c, bad, true, false), pg::Error);
  EXPECT_EQ(Count(c, "SELECT count(*) FROM core.fact_demand_daily"), before);
  EXPECT_EQ(Count(c, "SELECT count(*) FROM core.dim_item"), 20);

  auto o = Tiny();
  o.items = 10;
  Load(c, Generate(o), true, false);
  EXPECT_EQ(Count(c, "SELECT count(*) FROM core.dim_item"), 10);
  // The rollup, after the refused loads and a replacing one, is the new data's.
  EXPECT_EQ(Count(c, "SELECT core.demand_rollup_drift()"), 0);
  EXPECT_EQ(Count(c, "SELECT count(DISTINCT item_id) FROM core.demand_item_daily"), 10);
}

}  // namespace
}  // namespace corrente::seed
