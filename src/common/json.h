#pragma once
// The one JSON string escaper for code that writes small JSON documents by hand (logs,
// pipeline stats, API responses). Pure and thread-safe.
#include <string>
#include <string_view>

namespace corrente {

// Appends `s` to `out` as a quoted JSON string: quotes, backslashes and control characters
// escaped. Runs that need no escaping are copied whole.
void AppendJsonString(std::string& out, std::string_view s);

// `s` as a quoted JSON string (AppendJsonString into a new string).
std::string JsonString(std::string_view s);

}  // namespace corrente
