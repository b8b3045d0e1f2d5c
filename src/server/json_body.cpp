#include "server/json_body.h"

#include <cmath>
#include <string_view>

#include "common/utf8.h"

namespace corrente::server {

boost::json::object ParseBody(const Request& req) {
  boost::system::error_code ec;
  auto v = boost::json::parse(req.body.empty() ? std::string("{}") : req.body, ec);
  if (ec || !v.is_object()) throw ApiError(400, "invalid_body", "body must be a JSON object");
  return v.as_object();
}

boost::json::object ParseStoredBody(const Request& req, std::span<const char* const> fields,
                                    size_t max_bytes) {
  if (req.body.size() > max_bytes)
    throw ApiError(413, "payload_too_large",
                   "request body exceeds " + std::to_string(max_bytes) + " bytes for this endpoint");
  boost::json::object o = ParseBody(req);
  Params p(req);
  for (const auto& kv : o) {
    bool known = false;
    for (const char* f : fields) known = known || kv.key() == f;
    if (!known) p.Fail(ToUtf8(std::string(kv.key()), 64), "is not a field of this endpoint");
  }
  p.Check();
  return o;
}

std::optional<std::string> StringField(const boost::json::object& o, const char* name, Params& p) {
  const auto* v = o.if_contains(name);
  if (!v || v->is_null()) return std::nullopt;
  if (!v->is_string()) {
    p.Fail(name, "must be a string");
    return std::nullopt;
  }
  if (std::string_view(v->as_string()).find('\0') != std::string_view::npos) {
    p.Fail(name, "must not contain NUL");  // libpq would cut the value there
    return std::nullopt;
  }
  return std::string(v->as_string());
}

std::optional<double> NumberField(const boost::json::object& o, const char* name, double lo,
                                  double hi, Params& p) {
  const auto* v = o.if_contains(name);
  if (!v || v->is_null()) return std::nullopt;
  const double x = v->is_double()   ? v->as_double()
                   : v->is_int64()  ? static_cast<double>(v->as_int64())
                   : v->is_uint64() ? static_cast<double>(v->as_uint64())
                                    : NAN;
  if (!(x >= lo && x <= hi)) {
    p.Fail(name, "must be a number from " + std::to_string(lo) + " to " + std::to_string(hi));
    return std::nullopt;
  }
  return x;
}

}  // namespace corrente::server
