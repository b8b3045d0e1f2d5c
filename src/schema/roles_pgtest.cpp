// V053's least-privilege roles on a real PostgreSQL: what each may and may not do. The
// session takes the role with SET ROLE, which leaves exactly that role's privileges.
#include <gtest/gtest.h>
#include <sodium.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "schema/migrations.h"
#include "testlib/test_db.h"

namespace corrente::schema {
namespace {

using testing::ScratchDatabase;

// The SQLSTATE the statement fails with, or "ok".
std::string Outcome(pg::Connection& c, const std::string& sql) {
  try {
    c.ExecScript(sql);
    return "ok";
  } catch (const pg::Error& e) {
    return e.SqlState();
  }
}

constexpr const char* kDenied = "42501";  // insufficient_privilege (also "must be owner")

pg::Connection As(const ScratchDatabase& db, const std::string& role) {
  auto c = db.Connect();
  c.ExecScript("SET ROLE " + c.QuoteIdentifier(role));
  return c;
}

TEST(Roles, ApiCannotDropAlterTruncateOrWriteFacts) {
  ScratchDatabase db;
  auto c = As(db, "corrente_api");
  const std::vector<std::string> refused = {
      "DROP TABLE core.fact_demand_daily",
      "DROP TABLE analytics.alerts",
      "DROP TABLE support.users",
      "DROP SCHEMA core CASCADE",
      "DROP MATERIALIZED VIEW analytics.mv_kpis_latest",
      "ALTER TABLE core.dim_item ADD COLUMN x int",
      "ALTER TABLE support.users DROP COLUMN password_hash",
      "ALTER TABLE analytics.forecasts RENAME TO f2",
      "TRUNCATE core.fact_demand_daily",
      "TRUNCATE support.audit_logs",
      "TRUNCATE analytics.alerts",
      "INSERT INTO core.fact_demand_daily (full_date, item_id, site_id, quantity) VALUES "
      "('2024-01-01', 1, 1, 1)",
      "INSERT INTO core.fact_inventory_daily (full_date, item_id, site_id) VALUES ('2024-01-01', "
      "1, 1)",
      "UPDATE core.fact_demand_daily SET quantity = 0",
      "UPDATE core.fact_inventory_daily SET safety_stock = 0",
      "DELETE FROM core.fact_orders",
      "DELETE FROM core.dim_item",
      "UPDATE core.dim_item SET abc_class = 'A'",
      "CREATE TABLE core.x (i int)",
      "CREATE TABLE analytics.x (i int)",
      "DELETE FROM analytics.alerts",
      "UPDATE analytics.alerts SET level = 'INFO'",
      "DELETE FROM support.audit_logs",
      "UPDATE support.audit_logs SET actor = 'x'",
      "INSERT INTO analytics.forecasts (run_id) VALUES (1)",
      "REFRESH MATERIALIZED VIEW analytics.mv_kpis_latest",
      // Only the columns its endpoints write (V068).
      "UPDATE support.users SET username = 'someone'",
      "UPDATE support.users SET email = 'x@y'",
      "UPDATE support.users SET user_id = user_id + 100",
      "UPDATE support.users SET created_at = now()",
      "UPDATE analytics.overrides SET author = 'x'",
      "UPDATE analytics.overrides SET override_id = override_id + 1",
      "UPDATE analytics.overrides SET created_at = now()",
      "SELECT core.ensure_partitions('core.fact_demand_daily'::regclass, '2031-01-01', "
      "'2031-02-01')",
  };
  for (const auto& sql : refused) EXPECT_EQ(Outcome(c, sql), kDenied) << sql;
  // What its endpoints do still works.
  const std::vector<std::string> allowed = {
      "SELECT count(*) FROM core.fact_demand_daily, core.dim_item",
      "SELECT count(*) FROM analytics.mv_kpis_latest, analytics.features_store",
      "SELECT count(*) FROM support.users",
      "UPDATE analytics.alerts SET read_at = now(), resolved_at = now(), updated_at = now()",
      "UPDATE analytics.recommendations SET acknowledged_at = now(), acknowledged_by = 'x', "
      "updated_at = now()",
      "INSERT INTO support.audit_logs (actor, action) VALUES ('t', 'TEST')",
      "INSERT INTO analytics.simulation_runs (status, source) VALUES ('RUNNING', 'test')",
      "UPDATE analytics.simulation_runs SET status = 'FAILED'",
      "DELETE FROM analytics.simulation_runs",
      "INSERT INTO support.users (username, email, password_hash, role) VALUES ('tester', 't@x', "
      "'$argon2id$x', 'VIEWER')",
      "UPDATE support.users SET token_version = token_version + 1",
      "UPDATE support.users SET role = role, active = active, password_hash = password_hash,"
      " password_changed_at = now(), last_login = now(), updated_at = now()",
      "UPDATE analytics.overrides SET kind = kind, item_id = item_id, site_id = site_id,"
      " valid_from = valid_from, valid_to = valid_to, mode = mode, value = value,"
      " service_level = service_level, min_stock = min_stock, max_stock = max_stock,"
      " lead_time_days = lead_time_days, recommendation_id = recommendation_id,"
      " quantity = quantity, reason = reason, state = state, version = version + 1,"
      " decided_by = decided_by, decided_at = decided_at, decision_note = decision_note,"
      " updated_at = now()",
  };
  for (const auto& sql : allowed) EXPECT_EQ(Outcome(c, sql), "ok") << sql;
}

TEST(Roles, PipelineWritesAnalyticsOnly) {
  ScratchDatabase db;
  auto c = As(db, "corrente_pipeline");
  for (const char* sql :
       {"INSERT INTO core.fact_demand_daily (full_date, item_id, site_id, quantity) "
        "VALUES ('2024-01-01', 1, 1, 1)",
        "DELETE FROM core.fact_demand_daily", "TRUNCATE core.dim_item",
        "DROP TABLE core.fact_orders", "SELECT count(*) FROM support.users",
        "INSERT INTO support.audit_logs (actor, action) VALUES ('t', 'TEST')",
        "UPDATE core.dim_item SET description = 'x'", "CREATE TABLE core.x (i int)"})
    EXPECT_EQ(Outcome(c, sql), kDenied) << sql;
  for (const char* sql :
       {"DELETE FROM analytics.kpis_daily",
        "UPDATE core.dim_item SET abc_class = 'A', updated_at = now()",
        "UPDATE core.fact_inventory_daily SET safety_stock = 1, reorder_point = 1, days_to_rupture "
        "= 1",
        "CREATE TABLE analytics.features_store_next (LIKE analytics.features_store INCLUDING ALL)",
        "ALTER SEQUENCE analytics.features_store_feature_id_seq OWNED BY "
        "analytics.features_store_next.feature_id",
        "DROP TABLE analytics.features_store",
        "ALTER TABLE analytics.features_store_next RENAME TO features_store",
        "REFRESH MATERIALIZED VIEW analytics.mv_kpis_latest"})
    EXPECT_EQ(Outcome(c, sql), "ok") << sql;
  // The API reads the features_store the pipeline made (default privileges).
  auto api = As(db, "corrente_api");
  EXPECT_EQ(Outcome(api, "SELECT count(*) FROM analytics.features_store"), "ok");
}

TEST(Roles, MigrateWritesStagingAndItsOwnSchemas) {
  ScratchDatabase db;
  auto c = As(db, "corrente_migrate");
  for (const char* sql :
       {"SELECT count(*) FROM core.dim_item", "SELECT count(*) FROM support.users",
        "DELETE FROM analytics.alerts", "DROP SCHEMA staging CASCADE"})
    EXPECT_EQ(Outcome(c, sql), kDenied) << sql;
  for (const char* sql :
       {"CREATE SCHEMA legacy_copy", "CREATE TABLE legacy_copy.t (i int)",
        "INSERT INTO legacy_copy.t VALUES (1)", "SELECT count(*) FROM staging.migration_tables",
        "DELETE FROM staging.migration_rejects"})
    EXPECT_EQ(Outcome(c, sql), "ok") << sql;
}

TEST(Roles, MigrationIsIdempotent) {
  ScratchDatabase db;
  auto c = db.Connect();
  const Migration* v53 = nullptr;
  for (const auto& m : EmbeddedMigrations())
    if (m.version == 53) v53 = &m;
  ASSERT_NE(v53, nullptr);
  EXPECT_EQ(Outcome(c, v53->up), "ok");
  EXPECT_EQ(Outcome(c, v53->up), "ok");
  EXPECT_EQ(
      c.ExecScript(
           "SELECT tableowner FROM pg_tables WHERE schemaname = 'core' AND tablename = 'dim_item'")
          .GetString(0, 0),
      "corrente_owner");
}

// A login role for a test, and a DSN of `db` that connects as it. Dropped by Drop().
struct TestUser {
  std::string name, dsn;
  TestUser(pg::Connection& admin, const ScratchDatabase& db, const std::string& attributes) {
    name =
        "t_user_" + std::to_string(::getpid()) + "_" + std::to_string(randombytes_uniform(1000000));
    std::string password = "pw" + std::to_string(randombytes_uniform(1000000000));
    admin.ExecScript("CREATE ROLE " + name + " LOGIN " + attributes + " PASSWORD '" + password +
                     "'");
    admin.ExecScript("ALTER DATABASE " + admin.QuoteIdentifier(db.Name()) + " OWNER TO " + name);
    dsn = db.Dsn() + (db.Dsn().find('?') == std::string::npos ? "?" : "&") + "user=" + name +
          "&password=" + password;
  }
  void Drop(pg::Connection& admin, const ScratchDatabase& db) {
    admin.ExecScript("REASSIGN OWNED BY " + name + " TO CURRENT_USER");
    admin.ExecScript("DROP OWNED BY " + name);
    admin.ExecScript("ALTER DATABASE " + admin.QuoteIdentifier(db.Name()) +
                     " OWNER TO CURRENT_USER");
    admin.ExecScript("DROP ROLE " + name);
  }
};

// The usual managed-service account (CREATEROLE, not superuser): V053 sets everything up, and
// its downgrade gives it all back.
TEST(Roles, CreateroleUserSetsUpAndRevertsTheRoles) {
  ScratchDatabase db(/*migrate=*/false);
  auto admin = db.Connect();
  TestUser user(admin, db, "CREATEROLE");
  {
    auto c = pg::Connection::Open(user.dsn);
    ASSERT_EQ(c.ExecScript("SELECT rolsuper::text FROM pg_roles WHERE rolname = current_user")
                  .GetString(0, 0),
              "false");
    Migrator m(c);
    EXPECT_GT(m.Upgrade(), 0);
    auto owner = [&] {
      return c
          .ExecScript(
              "SELECT tableowner FROM pg_tables WHERE schemaname = 'core' AND tablename = "
              "'dim_item'")
          .GetString(0, 0);
    };
    EXPECT_EQ(owner(), "corrente_owner");
    EXPECT_EQ(
        c.ExecScript("SELECT has_table_privilege('corrente_api', 'core.dim_item', 'SELECT')::text"
                     " || has_table_privilege('corrente_api', 'core.dim_item', 'INSERT')::text")
            .GetString(0, 0),
        "truefalse");
    int above52 = 0;  // V053 and the migrations after it
    for (const auto& mig : EmbeddedMigrations()) above52 += mig.version > 52;
    EXPECT_EQ(m.Downgrade(52), above52);
    EXPECT_EQ(owner(), user.name);
    EXPECT_EQ(
        c.ExecScript("SELECT has_table_privilege('corrente_api', 'core.dim_item', 'SELECT')::text")
            .GetString(0, 0),
        "false");
    EXPECT_EQ(m.Upgrade(), above52);
    EXPECT_EQ(owner(), "corrente_owner");
  }
  user.Drop(admin, db);
}

// A DATABASE_URL user who may not create roles: every migration applies, V053 grants nothing,
// and that user keeps working as before.
TEST(Roles, UserWithoutCreateroleCarriesOn) {
  ScratchDatabase db(/*migrate=*/false);
  auto admin = db.Connect();
  TestUser user(admin, db, "");
  {
    auto c = pg::Connection::Open(user.dsn);
    ASSERT_EQ(c.ExecScript("SELECT current_user").GetString(0, 0), user.name);
    EXPECT_GT(Migrator(c).Upgrade(), 0);
    EXPECT_EQ(
        c.ExecScript("SELECT has_table_privilege('corrente_api', 'core.dim_item', 'SELECT')::text")
            .GetString(0, 0),
        "false");
    EXPECT_EQ(c.ExecScript("SELECT tableowner FROM pg_tables WHERE schemaname = 'core' AND "
                           "tablename = 'dim_item'")
                  .GetString(0, 0),
              user.name);
    EXPECT_EQ(Outcome(c, "INSERT INTO support.audit_logs (actor, action) VALUES ('t', 'TEST')"),
              "ok");
  }
  user.Drop(admin, db);
}

}  // namespace
}  // namespace corrente::schema
