// RoleGrantBlocks: which DO blocks of the migrations are the roles' grants.
#include "schema/roles.h"

#include <gtest/gtest.h>

#include <set>

namespace corrente::schema {
namespace {

TEST(RoleGrantBlocks, TakesOnlyDoBlocksNamingARoleFromV053On) {
  std::vector<Migration> ms = {
      {52, "old", "DO $$ BEGIN GRANT SELECT ON t TO corrente_api; END $$;", ""},
      {53, "roles",
       "CREATE TABLE a (i int);\nDO $roles$\nBEGIN\n  GRANT SELECT ON a TO "
       "corrente_api;\nEND\n$roles$;\nSELECT 1;",
       ""},
      {54, "none",
       "DO $$ BEGIN PERFORM 1; END $$;\nCREATE FUNCTION f() RETURNS void LANGUAGE sql AS $f$ "
       "SELECT 1 $f$;",
       ""},
      {55, "two",
       "do $x$ begin perform 1; end $x$;\n  DO $$\nBEGIN\n  ALTER TABLE b OWNER TO "
       "corrente_owner;\nEND\n$$;\n",
       ""},
      {56, "moved", "DO $$ BEGIN CREATE TEMP TABLE corrente_moved (i int); END $$;", ""},
      {57, "later", "DO $$ BEGIN GRANT SELECT ON c TO corrente_pipeline; END $$;", ""},
  };
  auto blocks = RoleGrantBlocks(ms, 56);
  ASSERT_EQ(blocks.size(), 2u);
  EXPECT_EQ(blocks[0].version, 53);
  EXPECT_EQ(blocks[0].sql,
            "DO $roles$\nBEGIN\n  GRANT SELECT ON a TO corrente_api;\nEND\n$roles$;");
  EXPECT_EQ(blocks[1].version, 55);
  EXPECT_EQ(blocks[1].sql, "DO $$\nBEGIN\n  ALTER TABLE b OWNER TO corrente_owner;\nEND\n$$;");
  EXPECT_EQ(RoleGrantBlocks(ms, 57).size(), 3u);
  EXPECT_TRUE(RoleGrantBlocks(ms, 52).empty());
}

TEST(RoleGrantBlocks, EmbeddedMigrationsHoldOneBlockPerGrantingMigration) {
  auto blocks = RoleGrantBlocks(EmbeddedMigrations(), 9999);
  ASSERT_FALSE(blocks.empty());
  EXPECT_EQ(blocks.front().version, 53);
  EXPECT_EQ(blocks.front().sql.rfind("DO $roles$", 0), 0u);
  std::set<int> versions;
  for (const auto& b : blocks) {
    EXPECT_TRUE(versions.insert(b.version).second) << "two blocks in V" << b.version;
    EXPECT_EQ(b.sql.substr(0, 2), "DO");
    EXPECT_EQ(b.sql.back(), ';');
    // No table, data or function is made: grants and owners only.
    for (const char* ddl :
         {"CREATE TABLE", "INSERT INTO", "DELETE FROM", "DROP ", "CREATE FUNCTION"})
      EXPECT_EQ(b.sql.find(ddl), std::string::npos) << "V" << b.version << " has " << ddl;
  }
  // V068 revokes what V053 and V056 grant: it must run after them.
  EXPECT_TRUE(versions.count(68));
}

}  // namespace
}  // namespace corrente::schema
