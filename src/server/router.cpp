#include "server/router.h"

#include <boost/json.hpp>

#include "common/utf8.h"

namespace corrente::server {
namespace {

std::vector<std::string> Split(const std::string& path) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i <= path.size()) {
    size_t j = path.find('/', i);
    if (j == std::string::npos) j = path.size();
    if (j > i) out.push_back(path.substr(i, j - i));
    i = j + 1;
  }
  return out;
}

bool Match(const std::vector<std::string>& pattern, const std::vector<std::string>& path,
           std::map<std::string, std::string>* params) {
  if (pattern.size() != path.size()) return false;
  for (size_t i = 0; i < pattern.size(); ++i) {
    const auto& p = pattern[i];
    if (p.size() > 2 && p.front() == '{' && p.back() == '}') {
      if (params) (*params)[p.substr(1, p.size() - 2)] = path[i];
    } else if (p != path[i]) {
      return false;
    }
  }
  return true;
}

}  // namespace

std::optional<std::string> Request::Header(const std::string& name) const {
  auto it = headers.find(name);
  if (it == headers.end()) return std::nullopt;
  return it->second;
}

std::optional<std::string> Request::Query(const std::string& name) const {
  auto it = query.find(name);
  if (it == query.end()) return std::nullopt;
  return it->second;
}

Response ErrorResponse(int status, const std::string& code, const std::string& detail) {
  // A detail may quote the request (a path, a value): the body stays valid UTF-8 without NUL.
  boost::json::object o{{"status", "error"},
                        {"error", code},
                        {"detail", IsUtf8(detail) ? detail : ToUtf8(detail, detail.size())}};
  return Response{status, "application/json", boost::json::serialize(o), {}};
}

void Router::Add(const std::string& method, const std::string& pattern, Handler handler) {
  routes_.push_back({method, pattern, Split(pattern), std::move(handler)});
}

const Router::Route* Router::Find(Request& req) const {
  auto segs = Split(req.path);
  for (const auto& r : routes_) {
    if (!Match(r.segments, segs, nullptr)) continue;
    if (r.method == req.method || (req.method == "HEAD" && r.method == "GET")) {
      req.path_params.clear();
      Match(r.segments, segs, &req.path_params);
      req.route = r.pattern;
      return &r;
    }
  }
  return nullptr;
}

Response Router::Dispatch(Request& req) const {
  if (const Route* r = Find(req)) return r->handler(req);
  auto segs = Split(req.path);
  std::string allow;
  for (const auto& r : routes_) {
    if (!Match(r.segments, segs, nullptr)) continue;
    allow += (allow.empty() ? "" : ", ") + r.method;
  }
  if (!allow.empty()) {
    Response res =
        ErrorResponse(405, "method_not_allowed", req.method + " is not allowed on " + req.path);
    res.headers.emplace_back("Allow", allow);
    return res;
  }
  if (fallback_ && (req.method == "GET" || req.method == "HEAD")) return fallback_(req);
  return ErrorResponse(404, "not_found", "no route for " + req.path);
}

}  // namespace corrente::server
