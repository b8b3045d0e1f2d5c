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
    if (type == PgType::kText || type == PgType::kVarchar) cp.collation = name == "ci" ? "" : "C";
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
  t.Add("at", PgType::kTimestamp);
  t.Add("flag", PgType::kBool);
  t.Add("ci", PgType::kText);
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
  EXPECT_EQ(Mysql("`a` / 2", PgType::kNumeric, &why), "-");  // numeric without a scale
  EXPECT_EQ(why,
            "a quotient of exact numbers ('/') into numeric: MySQL cuts it at 9, 18, ... "
            "decimals (div_precision_increment), reproduced only for a scale of at most 8");
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
  EXPECT_EQ(why, "'+' on a date");
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

TEST(Generated, Comparisons) {
  // A comparison is 1, 0 or NULL in both sources: boolean, cast where a number is stored.
  EXPECT_EQ(Mysql("`a` > `price`", PgType::kBigInt), "((\"a\"::bigint > \"price\"))::integer");
  EXPECT_EQ(Mysql("`a` <=> `b`", PgType::kBool), "(\"a\"::bigint IS NOT DISTINCT FROM \"b\")");
  EXPECT_EQ(Mysql("`a` is null", PgType::kBool), "(\"a\"::bigint IS NULL)");
  EXPECT_EQ(Mysql("(`a` > 1) + (`b` > 1)", PgType::kBigInt),
            "(((\"a\"::bigint > 1)))::integer + (((\"b\" > 1)))::integer");
  EXPECT_EQ(Mysql("`a` > 1 and not `flag`", PgType::kBool),
            "((\"a\"::bigint > 1) AND (NOT \"flag\"))");
  EXPECT_EQ(Sqlite("last == 'x' or b != 2", PgType::kBigInt),
            "((((\"last\") COLLATE \"C\" = 'x') OR (\"b\" <> 2)))::integer");
  EXPECT_EQ(Sqlite("b is not a", PgType::kBigInt),
            "((\"b\" IS DISTINCT FROM \"a\"::bigint))::integer");
  std::string why;
  EXPECT_EQ(Mysql("`first` = 'x'", PgType::kBigInt, &why), "-");
  EXPECT_EQ(why, "a comparison of text (MySQL compares it under its collation)");
  EXPECT_EQ(Sqlite("ci = 'x'", PgType::kBigInt, &why), "-");
  EXPECT_EQ(why, "a comparison of text with a collation other than BINARY");
  EXPECT_EQ(Mysql("`ratio` > 1", PgType::kBigInt, &why), "-");
  EXPECT_EQ(why, "a comparison of a double with an integer");
  EXPECT_EQ(Mysql("`a` > 1", PgType::kText, &why), "-");
}

TEST(Generated, CaseAndIf) {
  EXPECT_EQ(Mysql("case when `a` > 0 then `price` when `a` < 0 then 0 else null end",
                  PgType::kNumeric),
            "CASE WHEN (\"a\"::bigint > 0) THEN \"price\" WHEN (\"a\"::bigint < 0) THEN 0 "
            "ELSE NULL END");
  EXPECT_EQ(Mysql("case `a` when 1 then 'one' when 2 then 'two' end", PgType::kText),
            "CASE WHEN (\"a\"::bigint = 1) THEN 'one' WHEN (\"a\"::bigint = 2) THEN 'two' END");
  EXPECT_EQ(Mysql("if(`b`, `a`, `b` > 3)", PgType::kBigInt),
            "CASE WHEN (\"b\" <> 0) THEN \"a\"::bigint ELSE ((\"b\" > 3))::integer END");
  EXPECT_EQ(Sqlite("iif(a > 1, last, 'no')", PgType::kText),
            "CASE WHEN (\"a\"::bigint > 1) THEN \"last\" ELSE 'no' END");
  std::string why;
  EXPECT_EQ(Mysql("if(`a` > 1, `first`, 2)", PgType::kText, &why), "-");
  EXPECT_EQ(why, "branches of text and an integer");
  EXPECT_EQ(Mysql("if(`first`, 1, 2)", PgType::kBigInt, &why), "-");
  EXPECT_EQ(why, "a condition that is not a comparison or a number");
}

TEST(Generated, Division) {
  EXPECT_EQ(Mysql("`b` div `a`", PgType::kBigInt), "(\"b\" / NULLIF(\"a\"::bigint, 0))");
  EXPECT_EQ(Mysql("`b` % 7", PgType::kBigInt), "(\"b\" % NULLIF(7, 0))");
  EXPECT_EQ(Mysql("mod(`b`, 7)", PgType::kBigInt), "(\"b\" % NULLIF(7, 0))");
  EXPECT_EQ(Mysql("`ratio` / `a`", PgType::kDouble), "(\"ratio\" / NULLIF(\"a\"::bigint, 0))");
  EXPECT_EQ(Sqlite("b / a", PgType::kBigInt), "(\"b\" / NULLIF(\"a\"::bigint, 0))");
  EXPECT_EQ(Sqlite("b / 2.0", PgType::kDouble),
            "(\"b\" / NULLIF('2.0'::double precision, 0))");
  std::string why;
  EXPECT_EQ(Mysql("`price` div 2", PgType::kBigInt, &why), "-");
  EXPECT_EQ(why, "'div' on other than integers");
  EXPECT_EQ(Sqlite("b / 2.0", PgType::kBigInt), "-");
  EXPECT_EQ(Sqlite("price / 2", PgType::kNumeric, &why), "-");
}

// MySQL's '/' of exact numbers: cut after 9 decimals, as MySQL cuts it, then rounded by the
// store into a column of scale 0 to 8; never computed with further.
TEST(Generated, MysqlExactQuotient) {
  const std::string q =
      "(div((\"price\")::numeric * 1000000000, NULLIF((\"a\"::bigint)::numeric, 0)) * "
      "0.000000001)";
  EXPECT_EQ(Mysql("`price` / `a`", PgType::kInteger), q);
  Table t = Sample(PgType::kNumeric);
  t.columns.back().scale = 8;
  std::string why;
  auto r = TranslateGenerated(ExprDialect::kMysql, "`price` / `a`", t.source, t.columns,
                              t.columns.back(), &why);
  EXPECT_EQ(r.value_or("-"), q);
  t.columns.back().scale = 9;
  EXPECT_FALSE(TranslateGenerated(ExprDialect::kMysql, "`price` / `a`", t.source, t.columns,
                                  t.columns.back(), &why));
  EXPECT_EQ(Mysql("(`price` / `a`) * 3", PgType::kInteger, &why), "-");
  EXPECT_EQ(why,
            "a quotient of exact numbers ('/') computed with further (MySQL cuts it at "
            "div_precision_increment digits first)");
  EXPECT_EQ(Mysql("`price` / `a` > 1", PgType::kInteger), "-");
  EXPECT_EQ(Mysql("if(`a` > 0, `b` / `a`, NULL)", PgType::kBigInt),
            "CASE WHEN (\"a\"::bigint > 0) THEN (div((\"b\")::numeric * 1000000000, "
            "NULLIF((\"a\"::bigint)::numeric, 0)) * 0.000000001) ELSE NULL END");
  EXPECT_EQ(Mysql("`price` / `a`", PgType::kDouble), "-");
}

TEST(Generated, MysqlDates) {
  EXPECT_EQ(Mysql("year(`day`)", PgType::kInteger), "EXTRACT(YEAR FROM \"day\")::bigint");
  EXPECT_EQ(Mysql("month(`at`)", PgType::kSmallInt), "EXTRACT(MONTH FROM \"at\")::bigint");
  EXPECT_EQ(Mysql("dayofmonth(`at`)", PgType::kBigInt), "EXTRACT(DAY FROM \"at\")::bigint");
  EXPECT_EQ(Mysql("cast(`at` as date)", PgType::kDate), "(\"at\")::date");
  EXPECT_EQ(Mysql("cast(`a` as date)", PgType::kDate), "-");
  EXPECT_EQ(Mysql("to_days(`at`)", PgType::kBigInt), "-");
  EXPECT_EQ(Mysql("date(`at`)", PgType::kDate), "(\"at\")::date");
  EXPECT_EQ(Mysql("date(`at`)", PgType::kText), "-");
  EXPECT_EQ(Mysql("`day` < date(`at`)", PgType::kBool), "(\"day\" < (\"at\")::date)");
  EXPECT_EQ(Sqlite("date(last)", PgType::kText), "-");
}

// SQLite's date functions of a DATE or DATETIME column holding text: printed field by field
// (to_char is not immutable); a DATETIME at SQLite's millisecond (tests/migrate/messy2_sqlite
// compares every value with SQLite's own).
TEST(Generated, SqliteDates) {
  EXPECT_EQ(Sqlite("date(day)", PgType::kText),
            "(lpad(floor(EXTRACT(YEAR FROM \"day\"::timestamp))::bigint::text, 4, '0') || '-' || "
            "lpad(floor(EXTRACT(MONTH FROM \"day\"::timestamp))::bigint::text, 2, '0') || '-' || "
            "lpad(floor(EXTRACT(DAY FROM \"day\"::timestamp))::bigint::text, 2, '0'))");
  const std::string at_ms =
      "(date_trunc('minute', \"at\") + trunc((floor(EXTRACT(SECOND FROM \"at\"))::float8 + "
      "(EXTRACT(SECOND FROM \"at\") - floor(EXTRACT(SECOND FROM \"at\")))::float8) * 1000 + 0.5) "
      "* interval '1 millisecond')";
  EXPECT_EQ(Sqlite("unixepoch(at)", PgType::kBigInt), "floor(EXTRACT(EPOCH FROM " + at_ms + "))::bigint");
  EXPECT_EQ(Sqlite("julianday(at)", PgType::kDouble),
            "((EXTRACT(EPOCH FROM " + at_ms + ") * 1000 + 210866760000000)::float8 / 86400000)");
  EXPECT_EQ(Sqlite("strftime('%s', at)", PgType::kText),
            "(floor(EXTRACT(EPOCH FROM " + at_ms + "))::bigint::text)");
  std::string why;
  EXPECT_EQ(Sqlite("date(at, '+1 day')", PgType::kText, &why), "-");
  EXPECT_EQ(why, "date with modifiers or without a value");
  EXPECT_EQ(Sqlite("strftime('%W', at)", PgType::kText, &why), "-");
  EXPECT_EQ(why, "strftime's %W");
  EXPECT_EQ(Sqlite("strftime('%f', at)", PgType::kText, &why), "-");
  EXPECT_EQ(Sqlite("time(at)", PgType::kText),
            "(lpad(floor(EXTRACT(HOUR FROM \"at\"))::bigint::text, 2, '0') || ':' || "
            "lpad(floor(EXTRACT(MINUTE FROM \"at\"))::bigint::text, 2, '0') || ':' || "
            "lpad(floor(EXTRACT(SECOND FROM \"at\"))::bigint::text, 2, '0'))");
  EXPECT_EQ(Sqlite("date(last)", PgType::kText, &why), "-");
  EXPECT_EQ(why, "date of other than a DATE or DATETIME column");
  EXPECT_EQ(Sqlite("date(at)", PgType::kDate), "-");  // text into a date column
  Table t = Sample(PgType::kText);
  t.columns[9].numbers_sampled = true;  // "at"
  EXPECT_FALSE(TranslateGenerated(ExprDialect::kSqlite, "date(at)", t.source, t.columns,
                                  t.columns.back(), &why));
  EXPECT_EQ(why, "date of column at, which holds numbers (SQLite reads them as julian days)");
}

}  // namespace
}  // namespace corrente::migrate
