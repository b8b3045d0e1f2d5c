#include <gtest/gtest.h>

#include "common/dates.h"
#include "schema/partitions.h"
#include "testlib/test_db.h"

namespace corrente::schema {
namespace {

int64_t Count(pg::Connection& c, const std::string& sql) { return c.ExecScript(sql).GetInt(0, 0); }

void InsertDims(pg::Connection& c) {
  c.ExecScript(
      "INSERT INTO core.dim_supplier (code, name) VALUES ('S1', 'Supplier');"
      "INSERT INTO core.dim_item (sku, name) VALUES ('SKU-1', 'Item');"
      "INSERT INTO core.dim_site (code, name) VALUES ('SUC001', 'Site')");
}

TEST(Partitions, MonthlyRangeIsCreatedOnce) {
  testing::ScratchDatabase db;
  auto c = db.Connect();
  int64_t from = DaysFromCivil({2024, 1, 15}), to = DaysFromCivil({2024, 12, 3});
  EXPECT_EQ(EnsurePartitions(c, "core.fact_demand_daily", from, to), 12);
  EXPECT_EQ(EnsurePartitions(c, "core.fact_demand_daily", from, to), 0);
  EXPECT_EQ(EnsureFactPartitions(c, from, to), 24);  // the other two facts
  EXPECT_EQ(Count(c, "SELECT count(*) FROM pg_inherits WHERE inhparent = 'core.fact_orders'::regclass"), 13);
  EXPECT_EQ(Count(c, "SELECT count(*) FROM pg_class WHERE relname = 'fact_demand_daily_2024_02'"), 1);
}

TEST(Partitions, RowFarOutsideRangeLandsInDefaultThenMoves) {
  testing::ScratchDatabase db;
  auto c = db.Connect();
  InsertDims(c);
  EnsureFactPartitions(c, DaysFromCivil({2024, 1, 1}), DaysFromCivil({2024, 12, 31}));
  c.ExecScript("INSERT INTO core.fact_demand_daily (full_date, item_id, site_id, quantity, unit_cost) "
               "VALUES ('2099-07-04', 1, 1, 5, 2), ('2024-03-01', 1, 1, 1, 2)");
  EXPECT_EQ(Count(c, "SELECT count(*) FROM core.fact_demand_daily_default"), 1);
  EXPECT_EQ(Count(c, "SELECT count(*) FROM ONLY core.fact_demand_daily_2024_03"), 1);
  EXPECT_EQ(EnsurePartitions(c, "core.fact_demand_daily", DaysFromCivil({2099, 7, 1}), DaysFromCivil({2099, 7, 31})), 1);
  EXPECT_EQ(Count(c, "SELECT count(*) FROM core.fact_demand_daily_default"), 0);
  EXPECT_EQ(Count(c, "SELECT count(*) FROM core.fact_demand_daily_2099_07"), 1);
  // Nothing lost, generated column recomputed.
  EXPECT_EQ(c.ExecScript("SELECT total_cost::text FROM core.fact_demand_daily WHERE full_date='2099-07-04'").GetString(0, 0),
            "10.0000");
}

TEST(Partitions, BadRangeIsRefused) {
  testing::ScratchDatabase db;
  auto c = db.Connect();
  EXPECT_THROW(EnsurePartitions(c, "core.fact_orders", DaysFromCivil({2024, 2, 1}), DaysFromCivil({2024, 1, 1})), pg::Error);
  EXPECT_THROW(EnsurePartitions(c, "core.dim_item", DaysFromCivil({2024, 1, 1}), DaysFromCivil({2024, 2, 1})), pg::Error);
}

}  // namespace
}  // namespace corrente::schema
