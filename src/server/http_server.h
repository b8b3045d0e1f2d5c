#pragma once
// HTTP/1.1 server on Boost.Beast with C++20 coroutines: keep-alive, one I/O thread per
// core, limits on body size, header size and request time. Run() blocks until SIGTERM or
// SIGINT, stops accepting, lets in-flight requests finish (up to drain_timeout) and returns.
#include <chrono>
#include <cstddef>
#include <string>

#include "server/router.h"

namespace corrente::server {

struct ServerOptions {
  std::string host = "127.0.0.1";
  int port = 8080;
  bool port_fallback = false;  // when the port is busy, take the next free one
  int threads = 0;             // 0 = one per core
  size_t body_limit = 1 << 20;
  size_t header_limit = 16 << 10;
  std::chrono::seconds request_timeout{30};
  std::chrono::seconds drain_timeout{10};
};

class HttpServer {
 public:
  HttpServer(ServerOptions options, const Router& router);
  // Binds (throws std::runtime_error naming the address when it cannot), then serves.
  // `on_listening` receives the bound port.
  void Run(const std::function<void(int port)>& on_listening = {});

 private:
  ServerOptions options_;
  const Router& router_;
};

}  // namespace corrente::server
