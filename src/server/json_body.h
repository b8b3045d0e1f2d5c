#pragma once
// Reading a JSON request body: the object, and typed fields that name what is wrong with
// them through Params (so every bad field comes back in one 400).
#include <boost/json.hpp>

#include <optional>
#include <span>
#include <string>

#include "server/api.h"

namespace corrente::server {

// The body as a JSON object (an empty body is {}); 400 invalid_body otherwise.
boost::json::object ParseBody(const Request& req);

// A body the endpoint keeps (in its table or the audit log): at most `max_bytes` (413
// payload_too_large past it) and only the fields it names (400 naming each other one), so what
// is stored is bounded by what the endpoint needs.
inline constexpr size_t kStoredBodyLimit = 8 << 10;
boost::json::object ParseStoredBody(const Request& req, std::span<const char* const> fields,
                                    size_t max_bytes = kStoredBodyLimit);

// A string field (absent or null: nullopt); not a string, or holding NUL, fails it.
std::optional<std::string> StringField(const boost::json::object& o, const char* name, Params& p);

// A number field within [lo, hi] (absent or null: nullopt); anything else fails it.
std::optional<double> NumberField(const boost::json::object& o, const char* name, double lo,
                                  double hi, Params& p);

}  // namespace corrente::server
