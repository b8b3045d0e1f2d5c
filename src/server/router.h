#pragma once
// Transport-independent request/response types and an explicit route table. Handlers are
// plain functions of Request -> Response; the router is immutable after start-up and so
// safe to use from every I/O thread.
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace corrente::server {

struct Request {
  std::string method;  // GET, POST, PATCH, ...
  std::string path;    // decoded path without the query
  std::map<std::string, std::string> query;
  std::map<std::string, std::string> headers;  // lower-case names
  std::map<std::string, std::string> path_params;
  std::string body;
  std::string remote_address;
  std::string route;           // the matched route pattern (set by the router), for metrics
  bool cache_checked = false;  // the fast path already looked in the response cache
  std::optional<std::string> Header(const std::string& lower_name) const;
  std::optional<std::string> Query(const std::string& name) const;
};

struct Response {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
};

// {"status":"error","error":code,"detail":detail}
Response ErrorResponse(int status, const std::string& code, const std::string& detail);

using Handler = std::function<Response(const Request&)>;

class Router {
 public:
  // `pattern` is a path such as "/api/v1/items/{id}"; {name} matches one segment.
  void Add(const std::string& method, const std::string& pattern, Handler handler);
  // GET/HEAD requests that match no route go here (static files), when set.
  void SetFallback(Handler handler) { fallback_ = std::move(handler); }
  // 404 for an unknown path, 405 (with Allow) for a known path and another method.
  Response Dispatch(Request& req) const;

  struct Route {
    std::string method;
    std::string pattern;
    std::vector<std::string> segments;
    Handler handler;
  };
  const std::vector<Route>& Routes() const { return routes_; }
  // The route for the request's method and path (filling path_params and route), or null.
  const Route* Find(Request& req) const;

 private:
  std::vector<Route> routes_;
  Handler fallback_;
};

}  // namespace corrente::server
