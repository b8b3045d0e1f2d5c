#include "migrate/wkb.h"

#include <gtest/gtest.h>

namespace corrente::migrate {
namespace {

std::string Bytes(std::string_view hex) {
  std::string b;
  for (size_t i = 0; i < hex.size(); i += 2)
    b += static_cast<char>(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16));
  return b;
}

// MariaDB's HEX() of POINT(1 2) with SRID 4326 and of POINT(3 4) with SRID 0.
constexpr const char* kPoint4326 = "E61000000101000000000000000000F03F0000000000000040";
constexpr const char* kPoint0 = "00000000010100000000000000000008400000000000001040";

TEST(Wkb, MysqlToEwkbCarriesTheSrid) {
  auto e = MysqlGeometryToEwkb(Bytes(kPoint4326));
  ASSERT_TRUE(e);
  // PostGIS: SELECT ST_AsEWKB(ST_GeomFromText('POINT(1 2)', 4326))
  EXPECT_EQ(*CanonicalGeometry(*e), "SRID=4326;0101000000000000000000f03f0000000000000040");
  EXPECT_EQ(Bytes("0101000020E6100000000000000000F03F0000000000000040"), *e);
}

TEST(Wkb, SridZeroIsPlainWkb) {
  auto e = MysqlGeometryToEwkb(Bytes(kPoint0));
  ASSERT_TRUE(e);
  EXPECT_EQ(*e, Bytes(std::string(kPoint0).substr(8)));
}

TEST(Wkb, BothSidesGiveTheSameHex) {
  // The source side (MySQL value) and the target side (PostGIS's EWKB hex output).
  EXPECT_EQ(CanonicalGeometry(*MysqlGeometryToEwkb(Bytes(kPoint4326))),
            CanonicalGeometryFromHex("0101000020E6100000000000000000F03F0000000000000040"));
  // Big-endian WKB with an SRID too.
  EXPECT_EQ(*CanonicalGeometryFromHex("0020000001000010E63FF00000000000004000000000000000"),
            "SRID=4326;00000000013ff00000000000004000000000000000");
}

TEST(Wkb, TheSridIsCompared) {
  // POINT(1 2) in SRID 4326 and in SRID 3857: the same WKB, not the same value.
  auto a = CanonicalGeometryFromHex("0101000020E6100000000000000000F03F0000000000000040");
  auto b = CanonicalGeometryFromHex("0101000020110F0000000000000000F03F0000000000000040");
  ASSERT_TRUE(a && b);
  EXPECT_NE(*a, *b);
  // A source value without an SRID is compared with the column's, which PostGIS gives it.
  auto none = MysqlGeometryToEwkb(Bytes(kPoint0));
  EXPECT_EQ(*CanonicalGeometry(*none), "010100000000000000000008400000000000001040");
  EXPECT_EQ(*CanonicalGeometry(*none, 4326), "SRID=4326;010100000000000000000008400000000000001040");
}

TEST(Wkb, RefusesWhatIsNotWkb) {
  EXPECT_FALSE(MysqlGeometryToEwkb("abc"));
  EXPECT_FALSE(MysqlGeometryToEwkb(Bytes("000000000701000000")));
  EXPECT_FALSE(CanonicalGeometryFromHex("0G"));
  EXPECT_FALSE(CanonicalGeometryFromHex("abc"));
}

}  // namespace
}  // namespace corrente::migrate
