#pragma once
// Spatial values between MySQL and PostGIS. MySQL stores a geometry as a 4-byte
// little-endian SRID and then its WKB; PostGIS takes and prints EWKB (the WKB with the SRID
// after the type, flagged 0x20000000). Verify compares the WKB alone, as lower-case hex.
// Pure functions; thread-safe.
#include <optional>
#include <string>
#include <string_view>

namespace corrente::migrate {

// MySQL's SRID + WKB as EWKB (plain WKB when the SRID is 0); nullopt when it is too short.
std::optional<std::string> MysqlGeometryToEwkb(std::string_view mysql_value);
// The WKB of an EWKB or WKB value (its SRID dropped), as lower-case hex; nullopt when it is
// not one.
std::optional<std::string> WkbHex(std::string_view ewkb);
// The same from PostGIS's text output (EWKB as hex).
std::optional<std::string> WkbHexFromHex(std::string_view ewkb_hex);

}  // namespace corrente::migrate
