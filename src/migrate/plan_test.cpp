#include "migrate/plan.h"

#include <gtest/gtest.h>

namespace corrente::migrate {
namespace {

SourceValue Text(std::string_view s) {
  SourceValue v;
  v.kind = SourceValue::Kind::kText;
  v.s = s;
  return v;
}
SourceValue Real(double d) {
  SourceValue v;
  v.kind = SourceValue::Kind::kReal;
  v.d = d;
  return v;
}

std::string Canon(const ColumnPlan& c, const SourceValue& v, std::string* err = nullptr) {
  TargetValue tv;
  std::string note;
  auto e = ConvertValue(c, v, {}, &tv, &note);
  if (e) {
    if (err) *err = *e;
    return "<rejected>";
  }
  if (tv.null) return "<null>";
  std::string out;
  AppendCanonical(c, tv, &out);
  return out;
}

TEST(Plan, CanonicalMatchesPostgresTextOutput) {
  ColumnPlan num;
  num.type = PgType::kNumeric;
  num.precision = 10;
  num.scale = 2;
  EXPECT_EQ(Canon(num, Real(0.99)), "0.99");
  EXPECT_EQ(Canon(num, Real(1.005)), "1");  // 1.005 is 1.00499999... in binary: rounds down
  EXPECT_EQ(Canon(num, Text("12.50")), "12.5");
  std::string err;
  EXPECT_EQ(Canon(num, Text("123456789.5"), &err), "<rejected>");
  EXPECT_NE(err.find("overflows numeric(10,2)"), std::string::npos);

  ColumnPlan any_num;  // numeric without (p,s): PostgreSQL's own range
  any_num.type = PgType::kNumeric;
  std::string big(131072, '9');
  EXPECT_EQ(Canon(any_num, Text("-" + big + ".5")), "-" + big + ".5");
  EXPECT_EQ(Canon(any_num, Text("000" + big)), big);
  EXPECT_EQ(Canon(any_num, Text(big + "9"), &err), "<rejected>");
  EXPECT_NE(err.find("numeric value out of range"), std::string::npos);
  EXPECT_EQ(Canon(any_num, Text("0." + std::string(16383, '1'))), "0." + std::string(16383, '1'));
  EXPECT_EQ(Canon(any_num, Text("0." + std::string(16384, '1'))), "<rejected>");

  ColumnPlan dbl;
  dbl.type = PgType::kDouble;
  EXPECT_EQ(Canon(dbl, Real(0.1)), "0.1");
  EXPECT_EQ(Canon(dbl, Text("1e300")), "1e+300");

  ColumnPlan ts;
  ts.type = PgType::kTimestamp;
  EXPECT_EQ(Canon(ts, Text("2024-02-29T23:59:59.120Z")), "2024-02-29 23:59:59.12");
  EXPECT_EQ(Canon(ts, Text("1962-02-18 00:00:00")), "1962-02-18 00:00:00");
  EXPECT_EQ(Canon(ts, Text("2024-02-30 00:00:00")), "<rejected>");
  // As PostgreSQL reads them: 24:00:00 is the next midnight, 24:30 and negative fields are
  // refused, fractions past microseconds are rounded (rint), carrying into the next second.
  EXPECT_EQ(Canon(ts, Text("2024-01-01 24:00:00")), "2024-01-02 00:00:00");
  EXPECT_EQ(Canon(ts, Text("2024-01-01 24:30:00")), "<rejected>");
  EXPECT_EQ(Canon(ts, Text("2024-01-01 10:-5:00")), "<rejected>");
  EXPECT_EQ(Canon(ts, Text("2024-01-01 10:00:00.9999996")), "2024-01-01 10:00:01");
  EXPECT_EQ(Canon(ts, Text("2024-01-01 10:00:00.12345649")), "2024-01-01 10:00:00.123456");
  EXPECT_EQ(Canon(ts, Text("2024-01-01 10:00:00.1234567x")), "<rejected>");

  ColumnPlan iv;
  iv.type = PgType::kInterval;
  EXPECT_EQ(Canon(iv, Text("838:59:59.500000")), "838:59:59.5");
  EXPECT_EQ(Canon(iv, Text("-01:00:00")), "-01:00:00");
}

TEST(Plan, TextRules) {
  ColumnPlan vc;
  vc.type = PgType::kVarchar;
  vc.precision = 3;
  vc.name = "c";
  EXPECT_EQ(Canon(vc, Text("ñañ")), "ñañ");  // three characters, six bytes
  EXPECT_EQ(Canon(vc, Text("abcd")), "<rejected>");
  ColumnPlan latin;
  latin.type = PgType::kText;
  latin.charset = TextCharset::kLatin1;
  EXPECT_EQ(Canon(latin, Text("\x80uro C\xe1"
                              "diz")),
            "€uro Cádiz");
  ColumnPlan t;
  t.type = PgType::kText;
  std::string err;
  EXPECT_EQ(Canon(t, Text("ok\xff"), &err), "<rejected>");
  EXPECT_NE(err.find("invalid UTF-8"), std::string::npos);
}

TEST(Plan, ZeroDates) {
  ColumnPlan d;
  d.type = PgType::kDate;
  d.name = "launch";
  TargetValue tv;
  std::string note;
  EXPECT_FALSE(ConvertValue(d, Text("0000-00-00"), {ZeroDatePolicy::kNull}, &tv, &note));
  EXPECT_TRUE(tv.null);
  EXPECT_NE(note.find("became NULL"), std::string::npos);
  EXPECT_TRUE(ConvertValue(d, Text("0000-00-00"), {ZeroDatePolicy::kError}, &tv, &note));
}

TEST(Plan, HelpersRoundTrip) {
  EXPECT_EQ(NormalizeDecimal("-0.000"), "0");
  EXPECT_EQ(NormalizeDecimal("+007.50"), "7.5");
  EXPECT_EQ(NormalizeDecimal("-.5"), "-0.5");
  EXPECT_EQ(FormatTimestamp(-1), "1969-12-31 23:59:59.999999");
  EXPECT_EQ(ShortestDouble(-2.5e-10), "-2.5e-10");
  EXPECT_EQ(SanitizeName("Chinook DB"), "chinook_db");
  EXPECT_EQ(Quote("a\"b"), "\"a\"\"b\"");
}

}  // namespace
}  // namespace corrente::migrate
