#pragma once
// Transport-independent request/response types and an explicit route table. Handlers are
// plain functions of Request -> Response; the router is immutable after start-up and so
// safe to use from every I/O thread.
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace corrente::server {

struct TokenCheck;  // token_check.h
class FlightLead;   // single_flight.h

struct Request {
  std::string method;  // GET, POST, PATCH, ...
  std::string path;    // decoded path without the query
  std::map<std::string, std::string> query;
  std::map<std::string, std::string, std::less<>> headers;  // lower-case names
  std::map<std::string, std::string> path_params;
  std::string body;
  std::string remote_address;
  std::string route;           // the matched route pattern (set by the router), for metrics
  bool cache_checked = false;  // the fast path already looked in the response cache
  // The client's slot of requests in flight (in_flight.h), taken by the fast path for a request
  // that goes on to a worker; the server keeps it until the response is ready (a streamed
  // body's until written).
  std::shared_ptr<void> in_flight;
  // The fast path's check of the bearer token, carried to the worker so that it is done once
  // (token_check.h).
  std::shared_ptr<const TokenCheck> token;
  // The check of the connection's previous request: taken instead of a new one when it was made
  // for the same Authorization header and is still current (token_check.h).
  std::shared_ptr<const TokenCheck> previous_token;
  // Set when this request leads the computation of its cache key's response: the worker hands
  // its response to the requests waiting for it (single_flight.h).
  std::shared_ptr<FlightLead> lead;
  // The header's value, or null; it lives as long as the request.
  const std::string* Header(std::string_view lower_name) const;
  std::optional<std::string> Query(const std::string& name) const;
};

// A body without an end (Server-Sent Events): the server writes what Take() gives from the
// connection's own strand, and waits between pieces without holding a worker thread.
// Thread-safe: Wake() may come from any thread.
class LiveBody {
 public:
  virtual ~LiveBody() = default;
  // Called once, before the first Take(): `wake` (any thread, must not block) tells the
  // writer there is more to Take().
  virtual void OnReady(std::function<void()> wake) = 0;
  // Appends what is ready to `out`, never blocking. False: the stream ends after `out`.
  virtual bool Take(std::string& out) = 0;
  // Written when nothing else was for this long, so proxies keep the stream and a dead
  // client shows up as a write error.
  virtual std::chrono::milliseconds HeartbeatInterval() const = 0;
  virtual std::string Heartbeat() const = 0;
};

struct Response;

// A response another request is computing (request coalescing, single_flight.h): the server
// waits for it on the connection's strand, holding no worker thread. Thread-safe.
class PendingResponse {
 public:
  virtual ~PendingResponse() = default;
  // Called once: `wake` (any thread, must not block) tells the waiter that Take() has an answer.
  virtual void OnReady(std::function<void()> wake) = 0;
  // On the I/O thread, once woken or past Timeout(): the response, or nullopt to run the request
  // on a worker as any other.
  virtual std::optional<Response> Take(Request& req) = 0;
  virtual std::chrono::milliseconds Timeout() const = 0;
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
  // A live body (see LiveBody), written after the head until it ends, the client goes or the
  // server stops. Neither cached, compressed nor given an ETag.
  std::shared_ptr<LiveBody> live;
  // Written only after this delay (a refused login: see tarpit.h), without holding a thread.
  std::chrono::milliseconds hold{0};
  // Only from the fast hook: wait for this instead (see PendingResponse).
  std::shared_ptr<PendingResponse> pending;

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
  // Indices into routes_, in order: the routes without parameters by their path ("/a/b"),
  // and those with.
  std::unordered_map<std::string, std::vector<size_t>> literal_;
  std::vector<size_t> with_params_;
  Handler fallback_;
};

}  // namespace corrente::server
