#include "migrate/types.h"

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <unistd.h>

#include <filesystem>

#include "migrate/plan.h"
#include "migrate/profile.h"

namespace corrente::migrate {
namespace {

// A real SQLite file with `sql` run in it, removed at the end of the test.
class SqliteFile {
 public:
  explicit SqliteFile(const char* sql)
      : path_(std::filesystem::temp_directory_path() /
              ("corrente_types_test_" + std::to_string(::getpid()) + ".db")) {
    std::filesystem::remove(path_);
    sqlite3* db = nullptr;
    EXPECT_EQ(sqlite3_open(path_.c_str(), &db), SQLITE_OK);
    char* err = nullptr;
    EXPECT_EQ(sqlite3_exec(db, sql, nullptr, nullptr, &err), SQLITE_OK) << (err ? err : "");
    sqlite3_free(err);
    sqlite3_close(db);
  }
  ~SqliteFile() { std::filesystem::remove(path_); }
  std::string Url() const { return "sqlite://" + path_.string(); }

 private:
  std::filesystem::path path_;
};

const ColumnPlan& Col(const TablePlan& t, const std::string& name) {
  for (const auto& c : t.columns)
    if (c.name == name) return c;
  throw std::runtime_error("no column " + name);
}

TEST(Types, SqliteAffinities) {
  SqliteFile f(
      "CREATE TABLE t (id INTEGER PRIMARY KEY, code VARCHAR(10), price NUMERIC(10,2), r REAL, "
      "at DATETIME, d DATE, b BLOB, untyped, name TEXT COLLATE NOCASE, flag BOOLEAN)");
  auto src = OpenSource(f.Url());
  EXPECT_EQ(&src->Types(), &SqliteTypes());
  auto plans = BuildPlan(*src, {});
  ASSERT_EQ(plans.size(), 1u);
  const auto& t = plans[0];
  EXPECT_EQ(Col(t, "id").SqlType(), "bigint");
  EXPECT_TRUE(Col(t, "id").identity);  // INTEGER PRIMARY KEY is the rowid
  EXPECT_EQ(Col(t, "code").SqlType(), "varchar(10)");
  EXPECT_EQ(Col(t, "code").collation, "C");
  EXPECT_EQ(Col(t, "price").SqlType(), "numeric(10,2)");
  EXPECT_EQ(Col(t, "r").SqlType(), "double precision");
  EXPECT_EQ(Col(t, "at").SqlType(), "timestamp without time zone");
  EXPECT_EQ(Col(t, "d").SqlType(), "date");
  EXPECT_EQ(Col(t, "b").SqlType(), "bytea");
  EXPECT_EQ(Col(t, "untyped").SqlType(), "text");
  EXPECT_EQ(Col(t, "flag").SqlType(), "boolean");
  EXPECT_TRUE(Col(t, "name").collation.empty());  // NOCASE is not carried, and said so
  bool warned = false;
  for (const auto& w : t.warnings) warned |= w.find("NOCASE") != std::string::npos;
  EXPECT_TRUE(warned);
  for (const auto& c : t.columns) EXPECT_FALSE(c.decision.empty()) << c.name;
}

// The MySQL, DuckDB and CSV mappings are pure on the declared type; the source argument is
// only asked about tinyint(1) values, which these columns do not have.
ColumnPlan Map(const TypeMapping& m, Source& any, SourceColumn c,
               std::vector<std::string>* warnings = nullptr) {
  std::vector<std::string> w;
  ColumnPlan p;
  p.name = c.name;
  m.PlanColumn(any, SourceTable{}, c, &p, warnings ? warnings : &w);
  return p;
}

SourceColumn Declared(const std::string& type, std::string charset = "",
                      std::vector<std::string> members = {}) {
  SourceColumn c;
  c.name = "c";
  c.declared_type = type;
  c.charset = std::move(charset);
  c.members = std::move(members);
  return c;
}

TEST(Types, MysqlTypes) {
  SqliteFile f("CREATE TABLE t (x)");
  auto any = OpenSource(f.Url());
  const auto& m = MysqlTypes();
  EXPECT_EQ(Map(m, *any, Declared("bigint(20) unsigned")).SqlType(), "numeric(20,0)");
  EXPECT_EQ(Map(m, *any, Declared("int(10) unsigned")).SqlType(), "bigint");
  EXPECT_EQ(Map(m, *any, Declared("smallint(5) unsigned")).SqlType(), "integer");
  EXPECT_EQ(Map(m, *any, Declared("decimal(12,3)")).SqlType(), "numeric(12,3)");
  EXPECT_EQ(Map(m, *any, Declared("bit(1)")).SqlType(), "boolean");
  EXPECT_EQ(Map(m, *any, Declared("bit(8)")).SqlType(), "bigint");
  EXPECT_EQ(Map(m, *any, Declared("year(4)")).SqlType(), "smallint");
  EXPECT_EQ(Map(m, *any, Declared("time")).SqlType(), "interval");
  EXPECT_EQ(Map(m, *any, Declared("timestamp")).SqlType(), "timestamp with time zone");
  auto latin = Map(m, *any, Declared("varchar(20)", "latin1"));
  EXPECT_EQ(latin.SqlType(), "varchar(20)");
  EXPECT_EQ(latin.charset, TextCharset::kLatin1);
  auto e = Map(m, *any, Declared("enum('a','b''c')", "utf8mb4", {"a", "b'c"}));
  EXPECT_EQ(e.SqlType(), "text");
  ASSERT_EQ(e.checks.size(), 1u);
  // '' is MySQL's error value (index 0), stored for a non-member by a non-strict sql_mode.
  EXPECT_EQ(e.checks[0], "\"c\" IN ('a', 'b''c', '')");
  auto e2 = Map(m, *any, Declared("enum('','x')", "utf8mb4", {"", "x"}));
  EXPECT_EQ(e2.checks[0], "\"c\" IN ('', 'x')");
  auto b64 = Map(m, *any, Declared("bit(64)"));
  EXPECT_EQ(b64.SqlType(), "numeric(20,0)");  // 2^64 - 1 exceeds bigint
  EXPECT_TRUE(b64.bit_string);
  EXPECT_TRUE(Map(m, *any, Declared("bit(63)")).bit_string);
  auto ru = Map(m, *any, Declared("varchar(20)", "cp1251"));
  EXPECT_NE(ru.decision.find("cp1251 converted to UTF-8 by the server"), std::string::npos);
  EXPECT_TRUE(MysqlServerConverts("cp1251"));
  EXPECT_TRUE(MysqlServerConverts("utf16"));
  EXPECT_FALSE(MysqlServerConverts("latin1"));  // decoded as cp1252 by values.h
  EXPECT_FALSE(MysqlServerConverts("utf8mb4"));
  EXPECT_FALSE(MysqlServerConverts("binary"));
  EXPECT_FALSE(MysqlServerConverts(""));
  EXPECT_FALSE(m.IsRowid(SourceTable{}, Declared("int(11)")));
}

TEST(Types, DuckdbAndCsvTypes) {
  SqliteFile f("CREATE TABLE t (x)");
  auto any = OpenSource(f.Url());
  const auto& d = DuckdbTypes();
  EXPECT_EQ(Map(d, *any, Declared("UBIGINT")).SqlType(), "numeric(20,0)");
  EXPECT_EQ(Map(d, *any, Declared("HUGEINT")).SqlType(), "numeric(39,0)");
  EXPECT_EQ(Map(d, *any, Declared("DECIMAL(18,3)")).SqlType(), "numeric(18,3)");
  EXPECT_EQ(Map(d, *any, Declared("TIMESTAMP WITH TIME ZONE")).SqlType(),
            "timestamp with time zone");
  auto v = Map(d, *any, Declared("VARCHAR"));
  EXPECT_EQ(v.SqlType(), "text");
  EXPECT_EQ(v.collation, "C");
  std::vector<std::string> warnings;
  EXPECT_EQ(Map(d, *any, Declared("STRUCT(a INTEGER)"), &warnings).SqlType(), "text");
  EXPECT_EQ(warnings.size(), 1u);
  const auto& c = CsvTypes();
  EXPECT_EQ(Map(c, *any, Declared("bigint")).SqlType(), "bigint");
  EXPECT_EQ(Map(c, *any, Declared("timestamp")).SqlType(), "timestamp without time zone");
  EXPECT_EQ(Map(c, *any, Declared("text")).SqlType(), "text");
}

TEST(Types, ValuesScannedWhereTheTypeIsAnAffinity) {
  SqliteFile f(
      "CREATE TABLE e (id INTEGER PRIMARY KEY, cuando DATETIME DEFAULT 0, n INTEGER, "
      "r REAL, d DATETIME, bad INTEGER);"
      "INSERT INTO e VALUES (1, 0, 5, 1.5, '2024-01-01 00:00:00', 1), "
      "(2, '2024-01-05 10:00:00', 'muchos', 2, NULL, CAST(X'41FF' AS TEXT)), "
      "(3, 2024, 7, '3.25', '2024-01-02', 2), (4, NULL, NULL, NULL, NULL, NULL)");
  auto src = OpenSource(f.Url());
  auto plans = BuildPlan(*src, {});
  const auto& t = plans.at(0);
  EXPECT_EQ(Col(t, "cuando").SqlType(), "text");  // numbers beside text: no one time type
  EXPECT_EQ(Col(t, "cuando").collation, "C");
  EXPECT_EQ(Col(t, "cuando").default_sql.value_or("-"), "'0'");
  EXPECT_EQ(Col(t, "n").SqlType(), "text");
  EXPECT_EQ(Col(t, "r").SqlType(), "double precision");  // '3.25' is a double exactly
  EXPECT_EQ(Col(t, "d").SqlType(), "timestamp without time zone");
  EXPECT_EQ(Col(t, "bad").SqlType(), "bytea");  // not UTF-8, not a number
  EXPECT_NE(Col(t, "n").decision.find("1 of 3 sampled values (e.g. 'muchos')"), std::string::npos)
      << Col(t, "n").decision;
  PlanOptions strict;
  strict.strict = true;
  auto declared = BuildPlan(*src, strict);
  EXPECT_EQ(Col(declared.at(0), "cuando").SqlType(), "timestamp without time zone");
  EXPECT_FALSE(Col(declared.at(0), "cuando").default_sql);  // DEFAULT 0 is no timestamp
  EXPECT_EQ(Col(declared.at(0), "n").SqlType(), "bigint");
  // A sample of one row sees no misfit in `n`: the copy refuses what comes later.
  auto one = BuildPlan(*src, strict).at(0);
  WidenToValues(*src, one.source, &one, 1);
  EXPECT_EQ(Col(one, "n").SqlType(), "bigint");
}

TEST(Types, EscapeInvalidUtf8) {
  EXPECT_EQ(EscapeInvalidUtf8("A\xff" "B"), "A\\xFFB");
  EXPECT_EQ(EscapeInvalidUtf8("año"), "año");
  EXPECT_EQ(EscapeInvalidUtf8(std::string("a\0b", 3)), "a\\x00b");  // NUL: text cannot hold it
}

}  // namespace
}  // namespace corrente::migrate
