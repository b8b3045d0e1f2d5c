#include "migrate/wkb.h"

#include <cstdint>

namespace corrente::migrate {
namespace {

constexpr uint32_t kSridFlag = 0x20000000;

// A uint32 at `at` in the byte order of WKB's first byte (1: little-endian).
uint32_t Get32(std::string_view b, size_t at, bool little) {
  uint32_t v = 0;
  for (int k = 0; k < 4; ++k) {
    uint32_t byte = static_cast<unsigned char>(b[at + k]);
    v |= byte << (little ? 8 * k : 8 * (3 - k));
  }
  return v;
}
void Put32(std::string* b, size_t at, uint32_t v, bool little) {
  for (int k = 0; k < 4; ++k) (*b)[at + k] = static_cast<char>(v >> (little ? 8 * k : 8 * (3 - k)));
}

}  // namespace

std::optional<std::string> MysqlGeometryToEwkb(std::string_view v) {
  if (v.size() < 9 || static_cast<unsigned char>(v[4]) > 1) return std::nullopt;
  uint32_t srid = Get32(v, 0, true);
  std::string wkb(v.substr(4));
  if (srid == 0) return wkb;
  bool little = wkb[0] == 1;
  std::string out = wkb.substr(0, 5) + std::string(4, '\0') + wkb.substr(5);
  Put32(&out, 1, Get32(wkb, 1, little) | kSridFlag, little);
  Put32(&out, 5, srid, little);
  return out;
}

std::optional<std::string> CanonicalGeometry(std::string_view e, int srid_if_none) {
  if (e.size() < 5 || static_cast<unsigned char>(e[0]) > 1) return std::nullopt;
  bool little = e[0] == 1;
  std::string wkb(e);
  uint32_t type = Get32(e, 1, little);
  uint32_t srid = static_cast<uint32_t>(srid_if_none);
  if (type & kSridFlag) {
    if (e.size() < 9) return std::nullopt;
    if (uint32_t own = Get32(e, 5, little)) srid = own;
    wkb.erase(5, 4);
    Put32(&wkb, 1, type & ~kSridFlag, little);
  }
  static const char* kHex = "0123456789abcdef";
  std::string hex = srid ? "SRID=" + std::to_string(srid) + ";" : "";
  hex.reserve(hex.size() + wkb.size() * 2);
  for (unsigned char c : wkb) {
    hex += kHex[c >> 4];
    hex += kHex[c & 15];
  }
  return hex;
}

std::optional<std::string> CanonicalGeometryFromHex(std::string_view h) {
  if (h.size() % 2) return std::nullopt;
  auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  std::string b(h.size() / 2, '\0');
  for (size_t i = 0; i < b.size(); ++i) {
    int hi = nibble(h[2 * i]), lo = nibble(h[2 * i + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    b[i] = static_cast<char>(hi << 4 | lo);
  }
  return CanonicalGeometry(b);
}

}  // namespace corrente::migrate
