#include "migrate/canon.h"

#include <gtest/gtest.h>

namespace corrente::migrate {
namespace {

TablePlan TwoColumns() {
  TablePlan t;
  t.name = "t";
  ColumnPlan n;
  n.name = "n";
  n.type = PgType::kNumeric;
  ColumnPlan s;
  s.name = "s";
  s.type = PgType::kText;
  s.source_index = 1;
  t.columns = {n, s};
  return t;
}

TargetValue Converted(const ColumnPlan& c, std::string_view text) {
  SourceValue v;
  v.kind = SourceValue::Kind::kText;
  v.s = text;
  TargetValue tv;
  std::string note;
  EXPECT_FALSE(ConvertValue(c, v, {}, &tv, &note));
  return tv;
}

// A target row as verify reads it: PostgreSQL's text of each field, canonicalized.
void FromPgText(const TablePlan& t, const std::vector<const char*>& fields, CanonRow* row) {
  row->Clear();
  for (size_t i = 0; i < fields.size(); ++i) {
    if (!fields[i]) {
      row->Null();
      continue;
    }
    CanonicalFromPg(t.columns[i], fields[i], row->Begin());
    row->End();
  }
}

TEST(Canon, SourceAndTargetOfEqualValuesHashTheSame) {
  auto t = TwoColumns();
  std::vector<TargetValue> vals = {Converted(t.columns[0], "12.500"),
                                   Converted(t.columns[1], "héllo\tworld")};
  CanonRow a, b;
  FillRow(t, vals, &a);
  FromPgText(t, {"12.5", "héllo\tworld"}, &b);  // numeric prints without the trailing zeros
  EXPECT_EQ(a.Get(0), "12.5");
  EXPECT_EQ(a.Hash(), b.Hash());
  FromPgText(t, {"12.51", "héllo\tworld"}, &b);
  EXPECT_NE(a.Hash(), b.Hash());
}

TEST(Canon, FieldsAreDelimitedAndNullIsNotEmpty) {
  auto t = TwoColumns();
  t.columns[0].type = PgType::kText;
  CanonRow a, b, c;
  FromPgText(t, {"ab", ""}, &a);
  FromPgText(t, {"a", "b"}, &b);
  FromPgText(t, {"ab", nullptr}, &c);
  EXPECT_NE(a.Hash(), b.Hash());  // length-prefixed: "ab"+"" is not "a"+"b"
  EXPECT_NE(a.Hash(), c.Hash());
  EXPECT_TRUE(c.IsNull(1));
  EXPECT_FALSE(a.IsNull(1));
  EXPECT_EQ(a.Size(), 2u);
}

TEST(Canon, DecimalOrderIsExact) {
  const char* ordered[] = {"-Infinity", "-10",
                           "-9.5",      "-0.25",
                           "0",         "0.0000001",
                           "0.25",      "9.99999999999999999999",
                           "10",        "123456789012345678901234567890",
                           "Infinity",  "NaN"};
  const size_t n = std::size(ordered);
  for (size_t i = 0; i < n; ++i)
    for (size_t j = 0; j < n; ++j) {
      int want = i < j ? -1 : i > j ? 1 : 0;
      EXPECT_EQ(CompareDecimal(ordered[i], ordered[j]), want) << ordered[i] << " vs " << ordered[j];
    }
}

TEST(Canon, StatsDoNotDependOnSplitOrOrder) {
  auto t = TwoColumns();
  std::vector<std::vector<const char*>> rows = {{"3.5", "b"},  {nullptr, "a"}, {"-2", nullptr},
                                                {"100", "zz"}, {"0.001", "m"}, {"7", "b"}};
  auto stats_of = [&](const std::vector<size_t>& order) {
    SideStats s = EmptyStats(t);
    CanonRow r;
    for (size_t i : order) {
      FromPgText(t, rows[i], &r);
      Accumulate(t, r, &s);
    }
    return s;
  };
  SideStats whole = stats_of({0, 1, 2, 3, 4, 5});
  EXPECT_EQ(whole.rows, 6);
  EXPECT_EQ(whole.columns[0].nulls, 1);
  EXPECT_EQ(*whole.columns[0].min, "-2");
  EXPECT_EQ(*whole.columns[0].max, "100");
  EXPECT_EQ(*whole.columns[1].min, "a");
  EXPECT_EQ(*whole.columns[1].max, "zz");
  EXPECT_NEAR(static_cast<double>(whole.columns[0].sum), 108.501, 1e-9);
  // Two parts, merged in the other order, give the same stats as one scan.
  SideStats merged = EmptyStats(t);
  Merge(t, stats_of({5, 3, 1}), &merged);
  Merge(t, stats_of({4, 2, 0}), &merged);
  EXPECT_EQ(merged.rows, whole.rows);
  EXPECT_EQ(merged.checksum, whole.checksum);
  for (size_t k = 0; k < t.columns.size(); ++k) {
    EXPECT_EQ(merged.columns[k].nulls, whole.columns[k].nulls);
    EXPECT_EQ(merged.columns[k].min, whole.columns[k].min);
    EXPECT_EQ(merged.columns[k].max, whole.columns[k].max);
    EXPECT_NEAR(static_cast<double>(merged.columns[k].sum),
                static_cast<double>(whole.columns[k].sum), 1e-9);
  }
}

}  // namespace
}  // namespace corrente::migrate
