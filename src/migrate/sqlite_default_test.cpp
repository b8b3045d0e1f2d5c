#include "migrate/sqlite_default.h"

#include <gtest/gtest.h>

namespace corrente::migrate {
namespace {

using K = SourceValue::Kind;

StoredDefault Eval(std::string_view type, std::string_view expr) {
  std::string why;
  auto d = SqliteConstantDefault(type, expr, &why);
  EXPECT_TRUE(d) << expr << ": " << why;
  return d.value_or(StoredDefault{});
}

TEST(SqliteDefault, ConstantForms) {
  for (const char* e :
       {"1e3", "-2.5E-3", "0x10", "-0x1F", "x'00ff'", "X''", "+5", "TRUE", "false", "(5)", "- -5",
        "(-(0x10))", "'it''s'", "1.0/3", "'a' || 'b'", ".5", "1 + 2 * 3 % 2"})
    EXPECT_TRUE(IsSqliteConstant(e)) << e;
  for (const char* e : {"CURRENT_TIMESTAMP", "random()", "abs(-1)", "(1", "1)", "1 2", "x'0f0'",
                        "0x", "1e", "'open", "5 +", "+", "NULL", "\"q\"", "truex", "1 = 1"})
    EXPECT_FALSE(IsSqliteConstant(e)) << e;
}

TEST(SqliteDefault, Affinity) {
  EXPECT_EQ(SqliteAffinity("BIGINT"), "INTEGER");
  EXPECT_EQ(SqliteAffinity("POINT"), "INTEGER");  // "INT" anywhere: SQLite's first rule
  EXPECT_EQ(SqliteAffinity("varchar(10)"), "TEXT");
  EXPECT_EQ(SqliteAffinity(""), "BLOB");
  EXPECT_EQ(SqliteAffinity("DOUBLE PRECISION"), "REAL");
  EXPECT_EQ(SqliteAffinity("DATETIME"), "NUMERIC");
}

// Values as SQLite 3.40 stores them (checked with sqlite3: INSERT without the column).
TEST(SqliteDefault, StoredUnderTheColumnsAffinity) {
  auto d = Eval("REAL", "0x10");
  EXPECT_EQ(d.kind, K::kReal);
  EXPECT_EQ(d.d, 16.0);
  d = Eval("TEXT", "0x10");
  EXPECT_EQ(d.kind, K::kText);
  EXPECT_EQ(d.bytes, "16");
  d = Eval("INTEGER", "1e3");
  EXPECT_EQ(d.kind, K::kInt);
  EXPECT_EQ(d.i, 1000);
  d = Eval("TEXT", "1e3");
  EXPECT_EQ(d.bytes, "1000.0");
  d = Eval("TEXT", "1e20");
  EXPECT_EQ(d.bytes, "1.0e+20");
  d = Eval("REAL", "0xFFFFFFFFFFFFFFFF");  // 64-bit two's complement
  EXPECT_EQ(d.d, -1.0);
  d = Eval("TEXT", "(-0x1F)");
  EXPECT_EQ(d.bytes, "-31");
  d = Eval("TEXT", "x'00ff'");  // a blob stays a blob under any affinity
  EXPECT_EQ(d.kind, K::kBlob);
  EXPECT_EQ(d.bytes, std::string("\0\xff", 2));
  d = Eval("", "TRUE");
  EXPECT_EQ(d.kind, K::kInt);
  EXPECT_EQ(d.i, 1);
  d = Eval("INT", "'1e3'");  // text that looks like a number becomes one
  EXPECT_EQ(d.kind, K::kInt);
  EXPECT_EQ(d.i, 1000);
  d = Eval("TEXT", "1.50");
  EXPECT_EQ(d.bytes, "1.5");
}

TEST(SqliteDefault, RefusedOrNotEvaluated) {
  std::string why;
  EXPECT_FALSE(SqliteConstantDefault("INT", "0x1FFFFFFFFFFFFFFFF", &why));
  EXPECT_NE(why.find("hex literal too big"), std::string::npos) << why;
  EXPECT_FALSE(SqliteConstantDefault("INT", "CURRENT_TIMESTAMP", &why));
  EXPECT_TRUE(why.empty());
}

}  // namespace
}  // namespace corrente::migrate
