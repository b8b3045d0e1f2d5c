#include <gtest/gtest.h>

#include "pg/copy.h"

namespace corrente::pg {
namespace {

TEST(Numeric, RoundTripsThroughBinary) {
  for (const char* s : {"0", "1", "-1", "12.5", "-123456.7891", "0.0001", "10000", "99999999.9999",
                        "0.00000001", "123456789012345678"}) {
    EXPECT_DOUBLE_EQ(DecodeNumeric(EncodeNumeric(s)), std::stod(s)) << s;
  }
}

TEST(Numeric, WireLayout) {
  // 12.5 -> ndigits 2, weight 0, sign +, dscale 1, digits [12, 5000]
  std::string b = EncodeNumeric("12.5");
  ASSERT_EQ(b.size(), 12u);
  EXPECT_EQ(b[1], 2);
  EXPECT_EQ(b[3], 0);
  EXPECT_EQ(b[7], 1);
  EXPECT_THROW(EncodeNumeric("12a"), Error);
}

TEST(SqlState, MapsToRetryability) {
  EXPECT_EQ(KindFromSqlState("08006"), ErrorKind::kConnection);
  EXPECT_EQ(KindFromSqlState("40001"), ErrorKind::kTransient);
  EXPECT_EQ(KindFromSqlState("23505"), ErrorKind::kConstraint);
  EXPECT_EQ(KindFromSqlState("22P02"), ErrorKind::kData);
  EXPECT_EQ(KindFromSqlState("42P01"), ErrorKind::kQuery);
  EXPECT_TRUE(Error(ErrorKind::kTransient, "40P01", "x").Retryable());
  EXPECT_FALSE(Error(ErrorKind::kConstraint, "23505", "x").Retryable());
}

}  // namespace
}  // namespace corrente::pg
