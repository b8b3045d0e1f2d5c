#pragma once
// How the rules write numbers into their messages. Pure.
#include <cstdio>
#include <string>

namespace corrente::decide {

// `v` with `decimals` digits after the point ("12.5").
inline std::string Fixed(double v, int decimals) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  return buf;
}

}  // namespace corrente::decide
