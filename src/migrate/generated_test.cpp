#include "migrate/generated.h"

#include <gtest/gtest.h>

namespace corrente::migrate {
namespace {

// A table of typed columns (source name, target name, type); the last is the generated one.
struct Table {
  SourceTable source;
  std::vector<ColumnPlan> columns;
  void Add(const std::string& name, PgType type, const std::string& declared = "",
           bool generated = false) {
    SourceColumn sc;
    sc.name = name;
    sc.declared_type = declared;
    sc.generated = generated;
    source.columns.push_back(sc);
    ColumnPlan cp;
    cp.name = name == "Renamed" ? "renamed_x" : name;
    cp.type = type;
    cp.source_index = static_cast<int>(columns.size());
    columns.push_back(cp);
  }
};

Table Sample(PgType result) {
  Table t;
  t.Add("a", PgType::kInteger);
  t.Add("b", PgType::kBigInt);
  t.Add("price", PgType::kNumeric);
  t.Add("ratio", PgType::kDouble, "double");
  t.Add("f4", PgType::kDouble, "float");
  t.Add("first", PgType::kVarchar);
  t.Add("last", PgType::kText);
  t.Add("Renamed", PgType::kText);
  t.Add("day", PgType::kDate);
  t.Add("other", PgType::kBigInt, "", true);
  t.Add("g", result, "", true);
  return t;
}

std::string Mysql(const std::string& expr, PgType result, std::string* why = nullptr) {
  Table t = Sample(result);
  std::string w;
  auto r = TranslateGenerated(ExprDialect::kMysql, expr, t.source, t.columns, t.columns.back(), &w);
  if (why) *why = w;
  return r ? *r : "-";
}
std::string Sqlite(const std::string& expr, PgType result, std::string* why = nullptr) {
  Table t = Sample(result);
  std::string w;
  auto r =
      TranslateGenerated(ExprDialect::kSqlite, expr, t.source, t.columns, t.columns.back(), &w);
  if (why) *why = w;
  return r ? *r : "-";
}

TEST(Generated, MysqlArithmeticOnExactNumbers) {
  EXPECT_EQ(Mysql("`a` * 2", PgType::kBigInt), "\"a\"::bigint * 2");
  EXPECT_EQ(Mysql("`price` * `b` + 1.50", PgType::kNumeric), "\"price\" * \"b\" + 1.50");
  EXPECT_EQ(Mysql("-(`a` - `b`)", PgType::kBigInt), "(- (\"a\"::bigint - \"b\"))");
  EXPECT_EQ(Mysql("`ratio` * 2", PgType::kDouble), "\"ratio\" * 2");
  EXPECT_EQ(Mysql("round(`price` * 1.21,2)", PgType::kNumeric),
            "round((\"price\" * 1.21)::numeric, 2)");
  EXPECT_EQ(Mysql("abs(`b`)", PgType::kBigInt), "abs(\"b\")");
}

TEST(Generated, MysqlText) {
  EXPECT_EQ(Mysql("concat(`first`,' ',`last`)", PgType::kText), "(\"first\" || ' ' || \"last\")");
  EXPECT_EQ(Mysql("concat(`first`,_utf8mb4' ',`last`)", PgType::kVarchar),
            "(\"first\" || ' ' || \"last\")");
  EXPECT_EQ(Mysql("lower(`first`)", PgType::kText), "lower(\"first\" COLLATE \"C.utf8\")");
  EXPECT_EQ(Mysql("trim(`first`)", PgType::kText), "btrim(\"first\")");
  EXPECT_EQ(Mysql("ifnull(`first`,'n''a')", PgType::kText), "COALESCE(\"first\", 'n''a')");
  EXPECT_EQ(Mysql("coalesce(`a`,`price`)", PgType::kNumeric), "COALESCE(\"a\"::bigint, \"price\")");
  EXPECT_EQ(Mysql("char_length(`Renamed`)", PgType::kInteger), "char_length(\"renamed_x\")");
}

TEST(Generated, MysqlRefusesWhatIsNotExact) {
  std::string why;
  EXPECT_EQ(Mysql("`a` / 2", PgType::kNumeric, &why), "-");
  EXPECT_EQ(why, "division ('/')");
  EXPECT_EQ(Mysql("`f4` * 2", PgType::kDouble, &why), "-");
  EXPECT_EQ(why, "MySQL computes with FLOAT column f4's 4-byte value");
  EXPECT_EQ(Mysql("`ratio` * 2", PgType::kBigInt, &why), "-");
  EXPECT_EQ(why, "its value is converted to bigint differently");
  EXPECT_EQ(Mysql("round(`ratio`,1)", PgType::kDouble), "-");
  EXPECT_EQ(Mysql("concat(`a`,'x')", PgType::kText, &why), "-");
  EXPECT_EQ(why, "concatenation of a number");
  EXPECT_EQ(Mysql("`first` || `last`", PgType::kText, &why), "-");
  EXPECT_EQ(why, "'||' (OR in MySQL)");
  EXPECT_EQ(Mysql("`other` + 1", PgType::kBigInt, &why), "-");
  EXPECT_EQ(why, "it uses generated column other");
  EXPECT_EQ(Mysql("`day` + 1", PgType::kDate, &why), "-");
  EXPECT_EQ(why, "column day is date");
  EXPECT_EQ(Mysql("date_format(`day`,'%Y')", PgType::kText), "-");
  EXPECT_EQ(Mysql("'a\\'b'", PgType::kText, &why), "-");
  EXPECT_EQ(why, "a backslash escape in a string");
  EXPECT_EQ(Mysql("`a` + 1e3", PgType::kBigInt), "-");
  EXPECT_EQ(Mysql("", PgType::kBigInt, &why), "-");
  EXPECT_EQ(why, "the source does not give its expression");
}

TEST(Generated, SqliteDialect) {
  EXPECT_EQ(Sqlite("\"first\" || ' ' || [last]", PgType::kText), "(\"first\" || ' ' || \"last\")");
  EXPECT_EQ(Sqlite("b * 2 + a", PgType::kBigInt), "\"b\" * 2 + \"a\"::bigint");
  // A decimal literal is a double in SQLite.
  EXPECT_EQ(Sqlite("b * 1.5", PgType::kDouble), "\"b\" * '1.5'::double precision");
  EXPECT_EQ(Sqlite("b * 1.5", PgType::kBigInt), "-");
  EXPECT_EQ(Sqlite("upper(last)", PgType::kText), "upper(\"last\" COLLATE \"C\")");
  EXPECT_EQ(Sqlite("length(last)", PgType::kBigInt), "char_length(\"last\")");
  EXPECT_EQ(Sqlite("round(price, 2)", PgType::kNumeric), "-");
  EXPECT_EQ(Sqlite("b || 'x'", PgType::kText), "-");
}

}  // namespace
}  // namespace corrente::migrate
