#pragma once
// The request target (RFC 9112 3.2.1, origin-form) as the router reads it: the decoded path in
// one spelling, and the decoded query parameters.
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace corrente::server {

struct Target {
  std::string path;
  std::map<std::string, std::string> query;  // a repeated name: its last value
  bool operator==(const Target&) const = default;
};

// nullopt when `target` is not origin-form. A target of plain characters only (letters,
// digits, "-._~", and "/", one "?", "&", "=", and "," or ":" in values) is split directly;
// any other goes through Boost.URL (ParseTargetWithBoost), whose reading the direct one must
// equal (request_target_test).
std::optional<Target> ParseTarget(std::string_view target);
std::optional<Target> ParseTargetWithBoost(std::string_view target);

}  // namespace corrente::server
