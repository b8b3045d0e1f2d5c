#include "server/router.h"

#include <algorithm>
#include <array>
#include <boost/json.hpp>
#include <stdexcept>
#include <string_view>

#include "common/utf8.h"

namespace corrente::server {
namespace {

// A path's non-empty segments, as views into it: no allocation on the request path. A path
// of more segments than any route has matches nothing (overflow).
constexpr size_t kMaxSegments = 16;
struct Segments {
  std::array<std::string_view, kMaxSegments> at;
  size_t size = 0;
  bool overflow = false;
};

Segments Split(std::string_view path) {
  Segments out;
  size_t i = 0;
  while (i <= path.size()) {
    size_t j = path.find('/', i);
    if (j == std::string_view::npos) j = path.size();
    if (j > i) {
      if (out.size == kMaxSegments) {
        out.overflow = true;
        break;
      }
      out.at[out.size++] = path.substr(i, j - i);
    }
    i = j + 1;
  }
  return out;
}

// "{name}": a segment that matches any.
bool IsParam(const std::string& p) { return p.size() > 2 && p.front() == '{' && p.back() == '}'; }

// "/a/b": the segments joined, as a literal route's key.
std::string Joined(const Segments& segs) {
  std::string out;
  for (size_t i = 0; i < segs.size; ++i) (out += '/') += segs.at[i];
  return out.empty() ? "/" : out;
}

bool Match(const std::vector<std::string>& pattern, const Segments& path,
           std::map<std::string, std::string>* params) {
  if (path.overflow || pattern.size() != path.size) return false;
  for (size_t i = 0; i < pattern.size(); ++i) {
    const auto& p = pattern[i];
    if (IsParam(p)) {
      if (params) (*params)[p.substr(1, p.size() - 2)] = std::string(path.at[i]);
    } else if (p != path.at[i]) {
      return false;
    }
  }
  return true;
}

}  // namespace

const std::string* Request::Header(std::string_view name) const {
  auto it = headers.find(name);
  return it == headers.end() ? nullptr : &it->second;
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
  Segments segs = Split(pattern);
  if (segs.overflow) throw std::invalid_argument("route pattern has too many segments: " + pattern);
  std::vector<std::string> parts(segs.at.begin(), segs.at.begin() + segs.size);
  bool literal = std::none_of(parts.begin(), parts.end(), IsParam);
  size_t index = routes_.size();
  routes_.push_back({method, pattern, std::move(parts), std::move(handler)});
  if (literal)
    literal_[Joined(segs)].push_back(index);
  else
    with_params_.push_back(index);
}

// The first route, in the order added, that matches the path and the method: the literal
// routes of the path from a hash table, then any earlier route with parameters that matches
// too. The same answer as trying every route in order, without comparing them all.
const Router::Route* Router::Find(Request& req) const {
  auto segs = Split(req.path);
  if (segs.overflow) return nullptr;
  auto accepts = [&req](const Route& r) {
    return r.method == req.method || (req.method == "HEAD" && r.method == "GET");
  };
  size_t best = routes_.size();
  // req.path is its segments joined when it has no empty segment and no trailing '/'.
  bool plain = !req.path.empty() && req.path.front() == '/' &&
               req.path.find("//") == std::string::npos &&
               (req.path.size() == 1 || req.path.back() != '/');
  auto lit = plain ? literal_.find(req.path) : literal_.find(Joined(segs));
  if (lit != literal_.end())
    for (size_t i : lit->second)
      if (accepts(routes_[i])) {
        best = i;
        break;
      }
  for (size_t i : with_params_) {
    if (i >= best) break;
    if (accepts(routes_[i]) && Match(routes_[i].segments, segs, nullptr)) {
      best = i;
      break;
    }
  }
  if (best == routes_.size()) return nullptr;
  const Route& r = routes_[best];
  req.path_params.clear();
  Match(r.segments, segs, &req.path_params);
  req.route = r.pattern;
  return &r;
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
