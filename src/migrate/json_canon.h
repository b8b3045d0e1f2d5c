#pragma once
// JSON as a jsonb column holds it, in one canonical text, so that verify and the manifest
// compare a source's JSON text with PostgreSQL's jsonb output: equal canonical texts mean
// equal jsonb values. Pure; thread-safe.
#include <string>
#include <string_view>

namespace corrente::migrate {

// Appends the canonical form of `in` to `out`: no whitespace; object keys in jsonb's order
// (shorter first, then bytewise), a repeated key keeping its last value as jsonb does;
// strings with only `"`, `\` and control characters escaped; numbers as their significant
// digits and a power of ten ("1.50" and "15e-1" are "15e-1", "100" is "1e2", "-0" is "0").
// Returns false, with `error` set, for text jsonb refuses: not JSON, invalid UTF-8, \u0000,
// a lone surrogate, nesting past 1,000 levels or an exponent past 9 digits.
bool AppendCanonicalJson(std::string_view in, std::string* out, std::string* error);

}  // namespace corrente::migrate
