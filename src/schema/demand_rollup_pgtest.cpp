// core.demand_item_daily (V064) stays equal to core.fact_demand_daily summed per item and day,
// whatever writes the fact: through the parent, straight into a partition, COPY, TRUNCATE,
// partition maintenance, a rolled-back transaction.
#include <gtest/gtest.h>

#include "common/dates.h"
#include "pg/copy.h"
#include "schema/partitions.h"
#include "testlib/test_db.h"

namespace corrente::schema {
namespace {

int64_t Count(pg::Connection& c, const std::string& sql) { return c.ExecScript(sql).GetInt(0, 0); }
int64_t Drift(pg::Connection& c) { return Count(c, "SELECT core.demand_rollup_drift()"); }
int64_t RollupRows(pg::Connection& c) { return Count(c, "SELECT count(*) FROM core.demand_item_daily"); }
// An item-day's quantity in the rollup, and the sum of its sites' rows in the fact, as text
// after `cast` (e.g. "::numeric(18,4)").
std::string Rolled(pg::Connection& c, int64_t item, const std::string& day, const std::string& cast = "") {
  return c.Execute("SELECT quantity" + cast + "::text FROM core.demand_item_daily"
                   " WHERE item_id = $1 AND full_date = $2::date", item, day).GetString(0, 0);
}
std::string Summed(pg::Connection& c, int64_t item, const std::string& day, const std::string& cast = "") {
  return c.Execute("SELECT sum(quantity)" + cast + "::text FROM core.fact_demand_daily"
                   " WHERE item_id = $1 AND full_date = $2::date", item, day).GetString(0, 0);
}

// Two items, three sites, March to May 2024 partitioned; 2 x 3 x 92 fact rows.
void Fill(pg::Connection& c) {
  c.ExecScript(
      "INSERT INTO core.dim_item (sku, name) VALUES ('SKU-1', 'One'), ('SKU-2', 'Two');"
      "INSERT INTO core.dim_site (code, name) VALUES ('S1', 'A'), ('S2', 'B'), ('S3', 'C')");
  EnsurePartitions(c, "core.fact_demand_daily", DaysFromCivil({2024, 3, 1}), DaysFromCivil({2024, 5, 31}));
  c.ExecScript(
      "INSERT INTO core.fact_demand_daily (full_date, item_id, site_id, quantity)"
      " SELECT d::date, i, s, (i * 7 + s * 3 + extract(day FROM d)::int % 5) / 4.0"
      " FROM generate_series('2024-03-01'::date, '2024-05-31', '1 day') d,"
      " generate_series(1, 2) i, generate_series(1, 3) s");
}

TEST(DemandRollup, FollowsInsertUpdateDeleteThroughTheParent) {
  testing::ScratchDatabase db;
  auto c = db.Connect();
  Fill(c);
  EXPECT_EQ(RollupRows(c), 2 * 92);
  EXPECT_EQ(Drift(c), 0);
  // One item-day's three sites, as the API sums them.
  EXPECT_EQ(Rolled(c, 2, "2024-04-03", "::numeric(18,4)"), Summed(c, 2, "2024-04-03", "::numeric(18,4)"));
  c.ExecScript("UPDATE core.fact_demand_daily SET quantity = quantity * 3 + 0.0001 WHERE site_id = 2");
  EXPECT_EQ(Drift(c), 0);
  c.ExecScript("DELETE FROM core.fact_demand_daily WHERE item_id = 2 AND full_date < '2024-03-10';"
               "UPDATE core.fact_demand_daily SET item_id = 2 WHERE item_id = 1 AND full_date < '2024-03-10'");
  EXPECT_EQ(Drift(c), 0);
  c.ExecScript("DELETE FROM core.fact_demand_daily WHERE item_id = 1 AND full_date >= '2024-05-01'");
  EXPECT_EQ(Drift(c), 0);
  EXPECT_EQ(RollupRows(c), 2 * 92 - 9 - 31);  // an item-day with no rows left has no rollup row
  // INSERT ... ON CONFLICT DO UPDATE, as migrate map writes.
  c.ExecScript(
      "INSERT INTO core.fact_demand_daily (full_date, item_id, site_id, quantity)"
      " SELECT d::date, 1, s, 2.5 FROM generate_series('2024-04-25'::date, '2024-05-05', '1 day') d,"
      " generate_series(1, 3) s"
      " ON CONFLICT (item_id, site_id, full_date) DO UPDATE SET quantity = EXCLUDED.quantity");
  EXPECT_EQ(Drift(c), 0);
  EXPECT_EQ(RollupRows(c), 2 * 92 - 9 - 31 + 5);
}

TEST(DemandRollup, FollowsCopyAndIgnoresARolledBackTransaction) {
  testing::ScratchDatabase db;
  auto c = db.Connect();
  Fill(c);
  {
    pg::CopyWriter w(c, "COPY core.fact_demand_daily (full_date, item_id, site_id, quantity) FROM STDIN (FORMAT binary)");
    for (int day = 0; day < 40; ++day) {  // June 1 to July 10: the DEFAULT partition
      w.StartRow(4);
      w.Date(DaysFromCivil({2024, 6, 1}) + day);
      w.Int32(2);
      w.Int32(1 + day % 3);
      w.NumericText("1.2345");
    }
    w.Finish();
  }
  EXPECT_EQ(Drift(c), 0);
  const int64_t rows = RollupRows(c);
  c.ExecScript("BEGIN; DELETE FROM core.fact_demand_daily WHERE item_id = 2;"
               " INSERT INTO core.fact_demand_daily (full_date, item_id, site_id, quantity)"
               " VALUES ('2024-06-20', 1, 1, 99);");
  EXPECT_EQ(Drift(c), 0);  // inside the transaction too
  c.ExecScript("ROLLBACK");
  EXPECT_EQ(RollupRows(c), rows);
  EXPECT_EQ(Drift(c), 0);
}

TEST(DemandRollup, FollowsWritesStraightIntoPartitionsAndTheirMaintenance) {
  testing::ScratchDatabase db;
  auto c = db.Connect();
  Fill(c);
  c.ExecScript("UPDATE core.fact_demand_daily_2024_04 SET quantity = quantity + 1 WHERE site_id = 3");
  c.ExecScript("DELETE FROM core.fact_demand_daily_2024_05 WHERE site_id = 1");
  c.ExecScript("INSERT INTO core.fact_demand_daily_2024_03 (full_date, item_id, site_id, quantity)"
               " VALUES ('2024-03-31', 1, 1, 0.5) ON CONFLICT (item_id, site_id, full_date)"
               " DO UPDATE SET quantity = core.fact_demand_daily_2024_03.quantity + 0.5");
  EXPECT_EQ(Drift(c), 0);
  // A row with no partition lands in the default one; a later partition takes it over.
  c.ExecScript("INSERT INTO core.fact_demand_daily (full_date, item_id, site_id, quantity)"
               " VALUES ('2031-07-04', 1, 2, 4), ('2031-07-05', 2, 2, 1)");
  c.ExecScript("UPDATE core.fact_demand_daily_default SET quantity = 6 WHERE item_id = 1");
  EXPECT_EQ(Drift(c), 0);
  EXPECT_EQ(EnsurePartitions(c, "core.fact_demand_daily", DaysFromCivil({2031, 7, 1}), DaysFromCivil({2031, 7, 1})), 1);
  EXPECT_EQ(Count(c, "SELECT count(*) FROM core.fact_demand_daily_default"), 0);
  EXPECT_EQ(Drift(c), 0);
  c.ExecScript("DELETE FROM core.fact_demand_daily_2031_07 WHERE item_id = 2");  // the new one is guarded
  EXPECT_EQ(Drift(c), 0);
  EXPECT_EQ(RollupRows(c), 2 * 92 + 1);
  // TRUNCATE of one partition, then of the parent.
  c.ExecScript("TRUNCATE core.fact_demand_daily_2024_04");
  EXPECT_EQ(Drift(c), 0);
  EXPECT_EQ(RollupRows(c), 2 * 62 + 1);
  c.ExecScript("TRUNCATE core.fact_demand_daily");
  EXPECT_EQ(RollupRows(c), 0);
  EXPECT_EQ(Drift(c), 0);
}

// A NaN quantity removed from an item-day (delete or update, through the parent or a partition): the rollup sums the rows left, not NaN (NaN - NaN is NaN) (V071).
TEST(DemandRollup, ANaNRowRemovedLeavesTheSumOfTheOthers) {
  testing::ScratchDatabase db;
  auto c = db.Connect();
  Fill(c);
  auto nan_at = [&](const char* day, int item) {
    c.ExecScript(std::string("UPDATE core.fact_demand_daily SET quantity = 'NaN' WHERE site_id = 1"
                             " AND item_id = ") + std::to_string(item) + " AND full_date = '" + day + "'");
  };
  nan_at("2024-03-05", 1);
  nan_at("2024-04-06", 2);
  nan_at("2024-05-07", 1);
  EXPECT_EQ(Drift(c), 0);
  EXPECT_EQ(Count(c, "SELECT count(*) FROM core.demand_item_daily WHERE quantity = 'NaN'"), 3);
  c.ExecScript("DELETE FROM core.fact_demand_daily WHERE site_id = 1 AND item_id = 1 AND full_date = '2024-03-05'");
  c.ExecScript("UPDATE core.fact_demand_daily_2024_04 SET quantity = 2 WHERE quantity = 'NaN'");
  EXPECT_EQ(Drift(c), 0);
  EXPECT_EQ(Rolled(c, 1, "2024-03-05"), Summed(c, 1, "2024-03-05"));
  // The NaN day of May stays NaN while its row is there; a TRUNCATE of its partition takes all.
  c.ExecScript("DELETE FROM core.fact_demand_daily WHERE item_id = 1 AND full_date = '2024-05-07' AND site_id = 2");
  EXPECT_EQ(Drift(c), 0);
  EXPECT_EQ(Count(c, "SELECT count(*) FROM core.demand_item_daily WHERE quantity = 'NaN'"), 1);
  c.ExecScript("TRUNCATE core.fact_demand_daily_2024_05");
  EXPECT_EQ(Drift(c), 0);
  EXPECT_EQ(Count(c, "SELECT count(*) FROM core.demand_item_daily WHERE quantity = 'NaN'"), 0);
}

TEST(DemandRollup, DetachIsRepairedByRebuild) {
  testing::ScratchDatabase db;
  auto c = db.Connect();
  Fill(c);
  c.ExecScript("ALTER TABLE core.fact_demand_daily DETACH PARTITION core.fact_demand_daily_2024_05");
  EXPECT_EQ(Drift(c), 2 * 31);  // no trigger fires on DETACH: the rule is to rebuild
  EXPECT_EQ(Count(c, "SELECT core.demand_rollup_rebuild()"), 2 * 61);
  EXPECT_EQ(Drift(c), 0);
}

}  // namespace
}  // namespace corrente::schema
