#include "migrate/recorded.h"

#include <gtest/gtest.h>

namespace corrente::migrate {
namespace {

TEST(Recorded, ChoiceRoundTrips) {
  ColumnPlan c;
  c.name = "cuando";
  c.source_index = 3;
  c.type = PgType::kNumeric;
  c.precision = 12;
  c.scale = 2;
  c.collation = "C";
  c.charset = TextCharset::kLatin1;
  c.generated_sql = "\"a\" * 2";
  c.decision = "DATETIME -> text";
  ColumnPlan d;
  d.name = "cuando";
  d.source_index = 3;
  d.decision = "other";
  ASSERT_TRUE(DecodeChoice(EncodeChoice(c), &d));
  EXPECT_EQ(d.SqlType(), "numeric(12,2)");
  EXPECT_EQ(d.collation, "C");
  EXPECT_EQ(d.charset, TextCharset::kLatin1);
  EXPECT_EQ(d.generated_sql, c.generated_sql);
  EXPECT_EQ(d.decision, "other");  // the decision is not part of the choice
  EXPECT_EQ(EncodeChoice(d), EncodeChoice(c));

  ColumnPlan g;
  g.type = PgType::kGeometry;
  g.geometry = "Point";
  g.srid = 4326;
  ColumnPlan h;
  ASSERT_TRUE(DecodeChoice(EncodeChoice(g), &h));
  EXPECT_EQ(h.SqlType(), "geometry(Point,4326)");
  EXPECT_FALSE(h.generated_sql);
}

TEST(Recorded, RefusesWhatIsNotAChoice) {
  ColumnPlan c;
  c.type = PgType::kBigInt;
  EXPECT_FALSE(DecodeChoice("", &c));
  EXPECT_FALSE(DecodeChoice("[1]", &c));
  EXPECT_FALSE(DecodeChoice(R"({"type":"bignum"})", &c));
  EXPECT_FALSE(DecodeChoice(R"({"type":"text"})", &c));  // fields missing
  EXPECT_EQ(c.type, PgType::kBigInt);                    // left as it was
}

}  // namespace
}  // namespace corrente::migrate
