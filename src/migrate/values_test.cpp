#include "migrate/values.h"

#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <random>

namespace corrente::migrate {
namespace {

SourceValue Text(std::string_view s) {
  SourceValue v;
  v.kind = SourceValue::Kind::kText;
  v.s = s;
  return v;
}
SourceValue Blob(std::string_view s) {
  SourceValue v;
  v.kind = SourceValue::Kind::kBlob;
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

TEST(Values, CanonicalMatchesPostgresTextOutput) {
  ColumnPlan num;
  num.type = PgType::kNumeric;
  num.precision = 10;
  num.scale = 2;
  EXPECT_EQ(Canon(num, Real(0.99)), "0.99");
  // A REAL goes through its shortest decimal form, as float8::numeric does: 1.005 (not
  // 1.00499999...), which numeric(10,2) cannot hold without rounding: refused.
  EXPECT_EQ(Canon(num, Real(1.005)), "<rejected>");
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
  // PostgreSQL would read 24:00:00 as the next midnight and a leap second :60 as the next
  // minute: another value than written, so neither is a timestamp (the value scan makes such
  // a column text; rows past it are refused by key). 24:30 is refused. Digits past
  // microseconds are refused unless zeros: PostgreSQL would round them (.9999996 into the
  // next second), a change verify could not see. "10:-5:00" PostgreSQL would read as 10:00
  // at zone -05; a source's timestamp without zone holding it is refused instead.
  EXPECT_EQ(Canon(ts, Text("2024-01-01 24:00:00")), "<rejected>");
  EXPECT_EQ(Canon(ts, Text("2024-01-01 24:30:00")), "<rejected>");
  EXPECT_EQ(Canon(ts, Text("2024-01-01 10:-5:00")), "<rejected>");
  EXPECT_EQ(Canon(ts, Text("2024-01-01 23:59:60")), "<rejected>");
  EXPECT_EQ(Canon(ts, Text("2024-01-01 10:00:60.5")), "<rejected>");
  EXPECT_EQ(Canon(ts, Text("2024-01-01 23:59:60.5")), "<rejected>");
  EXPECT_EQ(Canon(ts, Text("2024-01-01 23:59:59.999999")), "2024-01-01 23:59:59.999999");
  EXPECT_EQ(Canon(ts, Text("2024-01-01 10:00:00.9999996")), "<rejected>");
  EXPECT_EQ(Canon(ts, Text("2024-01-01 10:00:00.12345649")), "<rejected>");
  EXPECT_EQ(Canon(ts, Text("2024-01-01 10:00:00.123456000")), "2024-01-01 10:00:00.123456");
  EXPECT_EQ(Canon(ts, Text("2024-01-01 10:00:00.1234567x")), "<rejected>");

  // A time of day: PostgreSQL's time holds 24:00:00 as written; :60 it would change.
  ColumnPlan tm;
  tm.type = PgType::kTime;
  EXPECT_EQ(Canon(tm, Text("24:00:00")), "24:00:00");
  EXPECT_EQ(Canon(tm, Text("24:00:00.000001")), "<rejected>");
  EXPECT_EQ(Canon(tm, Text("23:59:60")), "<rejected>");

  ColumnPlan iv;
  iv.type = PgType::kInterval;
  EXPECT_EQ(Canon(iv, Text("00:00:60")), "<rejected>");
  EXPECT_EQ(Canon(iv, Text("838:59:59.500000")), "838:59:59.5");
  EXPECT_EQ(Canon(iv, Text("-01:00:00")), "-01:00:00");
}

TEST(Values, RealsIntoScaledNumericsAsTheirShortestForm) {
  // A REAL into numeric(p,s) skips the shortest-form search when it is a decimal of scale s
  // (AppendScaledDouble): accepted or refused, the value and the reason must be exactly those
  // of its shortest form given as text.
  std::mt19937_64 rng(11);
  for (int scale = 0; scale <= 6; ++scale) {
    ColumnPlan n;
    n.type = PgType::kNumeric;
    n.precision = 15;
    n.scale = scale;
    for (int k = 0; k < 30000; ++k) {
      double d = 0;
      if (k % 3 == 0)  // a decimal of this scale, up to 1e16
        d = static_cast<double>(static_cast<int64_t>(rng() >> (10 + k % 40)) - (1LL << 20)) /
            std::pow(10.0, scale);
      else if (k % 3 == 1)  // a few decimals
        d = static_cast<double>(static_cast<int64_t>(rng() % 2000000) - 1000000) / 1000.0;
      else  // any finite double
        d = std::bit_cast<double>(rng());
      if (!std::isfinite(d)) continue;
      std::string e1, e2;
      EXPECT_EQ(Canon(n, Real(d), &e1), Canon(n, Text(ShortestDouble(d)), &e2))
          << ShortestDouble(d) << " at scale " << scale;
      EXPECT_EQ(e1, e2);
    }
    for (double d : {0.0, -0.0, 0.5, -0.5, 1e-7, 123456789.125, 0.1 + 0.2, 1e15, 99999.99}) {
      std::string e1, e2;
      EXPECT_EQ(Canon(n, Real(d), &e1), Canon(n, Text(ShortestDouble(d)), &e2)) << d;
      EXPECT_EQ(e1, e2);
    }
  }
}

TEST(Values, DecimalsAreNeverRounded) {
  // A value with more decimals than numeric(p,s) keeps is refused (SQLite's NUMERIC(10,2)
  // holds 3.14159 as written; the plan's value scan widens such a column to numeric), never
  // rounded as PostgreSQL's input would be. Zeros past the scale are not digits lost.
  ColumnPlan n;
  n.type = PgType::kNumeric;
  n.precision = 10;
  n.scale = 2;
  for (const char* in : {"0.125", "2.675", "1.005", "-0.125", "0.994", "9.995", ".995", "-0.001",
                         "2675e-3", "3.14159"}) {
    std::string err;
    EXPECT_EQ(Canon(n, Text(in), &err), "<rejected>") << in;
    EXPECT_NE(err.find("has more than 2 decimals for numeric(10,2); it is not rounded"),
              std::string::npos)
        << err;
  }
  for (auto [in, want] : std::initializer_list<std::pair<const char*, const char*>>{
           {"0.99", "0.99"}, {"12.50", "12.5"}, {"12.5000", "12.5"}, {"+.5", "0.5"},
           {"1.5e1", "15"}, {"2675e-2", "26.75"}, {"-0.000", "0"}})
    EXPECT_EQ(Canon(n, Text(in)), want) << in;
  EXPECT_EQ(Canon(n, Text("-0.00")), "0");  // numeric has no negative zero
  EXPECT_EQ(Canon(n, Text("-0")), "0");
  EXPECT_EQ(Canon(n, Real(2.675)), "<rejected>");  // its shortest form has 3 decimals
  EXPECT_EQ(Canon(n, Real(0.1 + 0.2)), "<rejected>");  // 0.30000000000000004
  EXPECT_EQ(Canon(n, Real(19.99)), "19.99");
  ColumnPlan wide = n;
  wide.precision = 30;
  EXPECT_EQ(Canon(wide, Text("1234567890123456789012.12")), "1234567890123456789012.12");
  ColumnPlan any;
  any.type = PgType::kNumeric;  // unconstrained: exponents expand exactly
  EXPECT_EQ(Canon(any, Text("1e-30")), "0.000000000000000000000000000001");
  EXPECT_EQ(Canon(any, Text("1.00000000000000000001e0")), "1.00000000000000000001");
  EXPECT_EQ(Canon(any, Text("1e300")), "1" + std::string(300, '0'));
  EXPECT_EQ(Canon(any, Text("-4.2E+2")), "-420");
  EXPECT_EQ(Canon(any, Text("1e999999")), "<rejected>");
  EXPECT_EQ(Canon(any, Text("1e")), "<rejected>");
}

TEST(Values, TextRules) {
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

TEST(Values, ZeroDates) {
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

TEST(Values, HelpersRoundTrip) {
  EXPECT_EQ(NormalizeDecimal("-0.000"), "0");
  EXPECT_EQ(NormalizeDecimal("+007.50"), "7.5");
  EXPECT_EQ(NormalizeDecimal("-.5"), "-0.5");
  EXPECT_EQ(FormatTimestamp(-1), "1969-12-31 23:59:59.999999");
  EXPECT_EQ(ShortestDouble(-2.5e-10), "-2.5e-10");
  EXPECT_EQ(SanitizeName("Chinook DB"), "chinook_db");
  EXPECT_EQ(Quote("a\"b"), "\"a\"\"b\"");
}

// Bytes are a number only in a MySQL BIT(n) column: a SQLite blob in an INTEGER or BOOLEAN
// column (past the sampled rows) is refused, not read as 258 or true.
TEST(Values, BlobsAreNumbersOnlyInBitColumns) {
  using namespace std::string_literals;
  ColumnPlan big;
  big.type = PgType::kBigInt;
  std::string err;
  EXPECT_EQ(Canon(big, Blob("\x01\x02"), &err), "<rejected>");
  EXPECT_EQ(err, "not an integer: \\x01\\x02");
  ColumnPlan boolean;
  boolean.type = PgType::kBool;
  EXPECT_EQ(Canon(boolean, Blob("\x01")), "<rejected>");
  ColumnPlan num;
  num.type = PgType::kNumeric;
  EXPECT_EQ(Canon(num, Blob("\x01")), "<rejected>");

  ColumnPlan bits = big;
  bits.bit_string = true;
  EXPECT_EQ(Canon(bits, Blob("\x01\x02")), "258");
  EXPECT_EQ(Canon(bits, Blob("\x7f\xff\xff\xff\xff\xff\xff\xff")), "9223372036854775807");
  // Past bigint: BIT(64) is numeric(20,0); a bigint column never takes it as negative.
  EXPECT_EQ(Canon(bits, Blob("\xff\xff\xff\xff\xff\xff\xff\xff")), "<rejected>");
  ColumnPlan bit64;
  bit64.type = PgType::kNumeric;
  bit64.precision = 20;
  bit64.scale = 0;
  bit64.bit_string = true;
  EXPECT_EQ(Canon(bit64, Blob("\xff\xff\xff\xff\xff\xff\xff\xff")), "18446744073709551615");
  EXPECT_EQ(Canon(bit64, Blob("\x80\0\0\0\0\0\0\0"s)), "9223372036854775808");
  ColumnPlan bit1 = boolean;
  bit1.bit_string = true;
  EXPECT_EQ(Canon(bit1, Blob("\x01")), "t");
  EXPECT_EQ(Canon(bit1, Blob("\0"s)), "f");
}

// A SQLite REAL in a text column (the value scan made it text): its shortest exact form, with
// a point as SQLite writes a REAL, so 2451545.0 (a julian day) is not read back as an integer.
TEST(Values, RealInTextKeepsItsPoint) {
  ColumnPlan t;
  t.type = PgType::kText;
  EXPECT_EQ(Canon(t, Real(2451545.0)), "2451545.0");
  EXPECT_EQ(Canon(t, Real(2460000.5)), "2460000.5");
  EXPECT_EQ(Canon(t, Real(1e-320)), "1e-320");
  EXPECT_EQ(Canon(t, Real(1e300)), "1e+300");
  EXPECT_EQ(Canon(t, Real(-0.0)), "-0.0");
}

}  // namespace
}  // namespace corrente::migrate
