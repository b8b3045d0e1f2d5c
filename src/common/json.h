#pragma once
// The one JSON string escaper for code that writes small JSON documents by hand (logs,
// pipeline stats, API responses). Pure and thread-safe.
#include <string>
#include <string_view>

namespace corrente {

// `s` as a quoted JSON string: quotes, backslashes and control characters escaped.
std::string JsonString(std::string_view s);

}  // namespace corrente
