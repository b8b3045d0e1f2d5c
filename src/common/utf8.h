#pragma once
// UTF-8 as PostgreSQL accepts it in text: RFC 3629 (no overlongs, surrogates or code points
// past U+10FFFF), and no NUL.
#include <cstddef>
#include <string>
#include <string_view>

namespace corrente {

// Length of the well-formed character at s[i], or 0 (an invalid sequence, or NUL).
size_t Utf8CharLen(std::string_view s, size_t i);
bool IsUtf8(std::string_view s);
// `s` made storable in text: each byte of an invalid sequence becomes '?', and it is cut to at
// most `max_bytes` between characters.
std::string ToUtf8(std::string_view s, size_t max_bytes);
// `s` on one printable line, one-to-one: printable UTF-8 as is, a backslash as \\, line and
// paragraph separators, C1 controls and direction overrides as \uXXXX, and every other byte
// (invalid UTF-8, NUL, control characters, DEL) as \xNN.
std::string Printable(std::string_view s);

}  // namespace corrente
