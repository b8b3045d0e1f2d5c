#pragma once
// Spatial values between MySQL and PostGIS. MySQL stores a geometry as a 4-byte
// little-endian SRID and then its WKB; PostGIS takes and prints EWKB (the WKB with the SRID
// after the type, flagged 0x20000000). Verify compares the SRID and the WKB: "SRID=n;" and
// the WKB as lower-case hex (no prefix when the SRID is 0).
// Pure functions; thread-safe.
#include <optional>
#include <string>
#include <string_view>

namespace corrente::migrate {

// MySQL's SRID + WKB as EWKB (plain WKB when the SRID is 0); nullopt when it is too short.
std::optional<std::string> MysqlGeometryToEwkb(std::string_view mysql_value);
// The canonical text of an EWKB or WKB value: "SRID=4326;" (its SRID, else `srid_if_none`,
// as PostGIS gives a value without one its column's) and its WKB (SRID dropped) as
// lower-case hex; nullopt when it is not one.
std::optional<std::string> CanonicalGeometry(std::string_view ewkb, int srid_if_none = 0);
// The same from PostGIS's text output (EWKB as hex).
std::optional<std::string> CanonicalGeometryFromHex(std::string_view ewkb_hex);

}  // namespace corrente::migrate
