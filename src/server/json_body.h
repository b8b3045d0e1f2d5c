#pragma once
// Reading a JSON request body: the object, and typed fields that name what is wrong with
// them through Params (so every bad field comes back in one 400).
#include <boost/json.hpp>

#include <optional>
#include <string>

#include "server/api.h"

namespace corrente::server {

// The body as a JSON object (an empty body is {}); 400 invalid_body otherwise.
boost::json::object ParseBody(const Request& req);

// A string field (absent or null: nullopt); not a string, or holding NUL, fails it.
std::optional<std::string> StringField(const boost::json::object& o, const char* name, Params& p);

// A number field within [lo, hi] (absent or null: nullopt); anything else fails it.
std::optional<double> NumberField(const boost::json::object& o, const char* name, double lo,
                                  double hi, Params& p);

}  // namespace corrente::server
