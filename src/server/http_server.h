#pragma once
// HTTP/1.1 server on Boost.Beast with C++20 coroutines: keep-alive, one I/O thread per
// core, limits on body size, header size and request time. Run() blocks until SIGTERM or
// SIGINT, stops accepting, lets in-flight requests finish (up to drain_timeout) and returns.
#include <chrono>
#include <cstddef>
#include <functional>
#include <optional>
#include <string>

#include "server/router.h"

namespace corrente::server {

struct ServerOptions {
  std::string host = "127.0.0.1";
  int port = 8080;
  bool port_fallback = false;  // when the port is busy, take the next free one
  int threads = 0;             // 0 = one per core
  int workers = 16;            // threads that run handlers (blocking database calls)
  size_t body_limit = 1 << 20;
  size_t header_limit = 16 << 10;
  std::chrono::seconds request_timeout{30};
  std::chrono::seconds drain_timeout{10};
};

// Optional hooks, both run on the I/O threads and must not block.
struct ServerHooks {
  // Answers without the worker pool when it can (cache hits, CORS preflight).
  std::function<std::optional<Response>(Request&)> fast;
  // Sees every response before it is written, with the time taken (metrics, ETag, CORS).
  std::function<void(const Request&, Response&, double seconds)> finish;
};

// Handlers run on a separate pool of `workers` threads, so a slow database call never stalls
// the I/O threads; the session coroutine awaits the result.
class HttpServer {
 public:
  HttpServer(ServerOptions options, const Router& router, ServerHooks hooks = {});
  // Binds (throws std::runtime_error naming the address when it cannot), then serves.
  // `on_listening` receives the bound port.
  void Run(const std::function<void(int port)>& on_listening = {});

 private:
  ServerOptions options_;
  const Router& router_;
  ServerHooks hooks_;
};

}  // namespace corrente::server
