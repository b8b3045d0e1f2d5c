#pragma once
// Transport-independent request/response types and an explicit route table. Handlers are
// plain functions of Request -> Response; the router is immutable after start-up and so
// safe to use from every I/O thread.
#include <functional>
#include <map>
#include <memory>
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
  Response() = default;
  Response(int status_in, std::string type, std::string body_in,
           std::vector<std::pair<std::string, std::string>> headers_in = {})
      : status(status_in),
        content_type(std::move(type)),
        body(std::move(body_in)),
        headers(std::move(headers_in)) {}

  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
  // A body shared with the response cache or the static-file cache, sent instead of `body`,
  // so a hit copies no bytes. gzip_body is the same body gzip-compressed, when worth it.
  std::shared_ptr<const std::string> shared_body;
  std::shared_ptr<const std::string> gzip_body;
  bool gzip_checked = false;  // Precompress() has run: never compress this one again
  // A streamed body (chunked transfer), used instead of `body` when set. Each call runs on
  // the worker pool, appends the next piece to `out` and returns false after the last one.
  // Dropping it mid-way (client gone, HEAD) must release what it holds.
  std::function<bool(std::string& out)> stream;

  const std::string& Body() const { return shared_body ? *shared_body : body; }
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
