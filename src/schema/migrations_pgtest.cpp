#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "schema/migrations.h"
#include "testlib/test_db.h"

namespace corrente::schema {
namespace {

using testing::ScratchDatabase;

std::vector<Migration> FakeMigrations() {
  return {
      {1, "one", "CREATE TABLE mig_t.a (id int PRIMARY KEY)", "DROP TABLE mig_t.a"},
      {2, "two", "CREATE TABLE mig_t.b (id int REFERENCES mig_t.a)", "DROP TABLE mig_t.b"},
  };
}

int64_t Count(pg::Connection& c, const std::string& sql) { return c.ExecScript(sql).GetInt(0, 0); }

TEST(Migrations, UpgradeThenDowngradeToZeroThenUpAgain) {
  ScratchDatabase db(/*migrate=*/false);
  auto c = db.Connect();
  Migrator m(c);
  int n = static_cast<int>(EmbeddedMigrations().size());
  ASSERT_GE(n, 4);
  EXPECT_EQ(m.Upgrade(), n);
  EXPECT_EQ(m.Upgrade(), 0);  // idempotent
  EXPECT_EQ(m.CurrentVersion(), EmbeddedMigrations().back().version);
  for (const char* t : {"core.dim_item", "core.fact_demand_daily", "analytics.forecasts",
                        "analytics.features_store", "support.users", "support.audit_logs",
                        "analytics.pipeline_runs", "analytics.mv_kpis_latest"})
    EXPECT_EQ(Count(c, std::string("SELECT count(*) FROM ") + t), 0) << t;
  // Every history row carries the sha256 of its file.
  for (const auto& h : m.History()) {
    EXPECT_TRUE(h.checksum_ok);
    EXPECT_EQ(h.checksum.size(), 64u);
  }
  EXPECT_EQ(m.Downgrade(0), n);
  EXPECT_EQ(Count(c, "SELECT count(*) FROM pg_namespace WHERE nspname IN ('core','analytics')"), 0);
  EXPECT_EQ(Count(c, "SELECT count(*) FROM support.schema_migrations"), 0);
  EXPECT_EQ(m.Upgrade(), n);
  EXPECT_EQ(m.Downgrade(n - 1 > 0 ? EmbeddedMigrations()[n - 2].version : 0), 1);
  EXPECT_EQ(m.Upgrade(), 1);
}

TEST(Migrations, SpecIndexesExist) {
  ScratchDatabase db;
  auto c = db.Connect();
  for (const char* ix : {"ix_fact_demand_composite", "gin_features_jsonb", "ix_alerts_unread",
                         "gin_dim_item_attrs", "gin_audit_details", "ix_mv_kpis_date",
                         "ux_mv_forecasts_latest", "ix_recommendations_priority"})
    EXPECT_EQ(c.Execute("SELECT count(*) FROM pg_indexes WHERE indexname = $1", ix).GetInt(0, 0), 1) << ix;
  // The unread-alerts index is partial, the feature index is GIN.
  auto def = c.Execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'ix_alerts_unread'").GetString(0, 0);
  EXPECT_NE(def.find("WHERE (read_at IS NULL)"), std::string::npos);
  def = c.Execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'gin_features_jsonb'").GetString(0, 0);
  EXPECT_NE(def.find("USING gin"), std::string::npos);
  // The views refresh concurrently (needs their unique indexes).
  c.ExecScript("REFRESH MATERIALIZED VIEW analytics.mv_kpis_latest");
  c.ExecScript("REFRESH MATERIALIZED VIEW CONCURRENTLY analytics.mv_kpis_latest");
  c.ExecScript("REFRESH MATERIALIZED VIEW analytics.mv_forecasts_latest");
  c.ExecScript("REFRESH MATERIALIZED VIEW CONCURRENTLY analytics.mv_forecasts_latest");
}

TEST(Migrations, ChangedAppliedFileIsRefused) {
  ScratchDatabase db(false);
  auto c = db.Connect();
  c.ExecScript("CREATE SCHEMA mig_t");
  auto migs = FakeMigrations();
  EXPECT_EQ(Migrator(c, migs, "mig_t.history").Upgrade(), 2);
  migs[0].up += " -- edited";
  Migrator changed(c, migs, "mig_t.history");
  try {
    changed.Upgrade();
    FAIL() << "expected refusal";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("V1 (one) was changed"), std::string::npos) << e.what();
  }
  EXPECT_THROW(changed.Downgrade(0), std::runtime_error);
  EXPECT_EQ(Count(c, "SELECT count(*) FROM mig_t.history"), 2);
}

TEST(Migrations, FailingMigrationLeavesNothingBehind) {
  ScratchDatabase db(false);
  auto c = db.Connect();
  c.ExecScript("CREATE SCHEMA mig_t");
  auto migs = FakeMigrations();
  migs.push_back({3, "broken", "CREATE TABLE mig_t.c (id int); SELECT 1/0", "DROP TABLE mig_t.c"});
  Migrator m(c, migs, "mig_t.history");
  EXPECT_THROW(m.Upgrade(), pg::Error);
  EXPECT_EQ(m.CurrentVersion(), 2);
  EXPECT_EQ(Count(c, "SELECT count(*) FROM pg_tables WHERE schemaname='mig_t' AND tablename='c'"), 0);
}

TEST(Migrations, ConcurrentRunnersSerialize) {
  ScratchDatabase db(false);
  {
    auto c = db.Connect();
    c.ExecScript("CREATE SCHEMA mig_t");
  }
  // A slow first migration makes the race real: both runners start before it commits.
  auto migs = FakeMigrations();
  migs[0].up = "SELECT pg_sleep(0.5); " + migs[0].up;
  std::atomic<int> total{0};
  std::vector<std::thread> threads;
  std::vector<std::string> errors(2);
  for (int i = 0; i < 2; ++i) {
    threads.emplace_back([&, i] {
      try {
        auto c = db.Connect();
        total += Migrator(c, migs, "mig_t.history").Upgrade();
      } catch (const std::exception& e) {
        errors[i] = e.what();
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(errors[0], "");
  EXPECT_EQ(errors[1], "");
  EXPECT_EQ(total.load(), 2);  // each migration applied exactly once
  auto c = db.Connect();
  EXPECT_EQ(Count(c, "SELECT count(*) FROM mig_t.history"), 2);
}

}  // namespace
}  // namespace corrente::schema
