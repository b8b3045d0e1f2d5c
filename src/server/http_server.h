#pragma once
// HTTP/1.1 server on Boost.Beast with C++20 coroutines: keep-alive, one I/O thread per
// core (one shared io_context), limits on body size, header size and request time. Run()
// blocks until SIGTERM or SIGINT, stops accepting, lets in-flight requests finish (up to
// drain_timeout) and returns.
#include <atomic>
#include <chrono>
#include <cstddef>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "server/router.h"

namespace corrente::server {

class ConnectionTable;
class Tarpit;

struct ServerOptions {
  std::string host = "127.0.0.1";
  int port = 8080;
  bool port_fallback = false;  // when the port is busy, take the next free one
  int threads = 0;             // 0 = one per core
  int workers = 16;            // threads that run handlers (blocking database calls)
  size_t body_limit = 1 << 20;
  size_t header_limit = 16 << 10;
  int max_connections = 0;                // 0 = sized from the open-file limit
  std::chrono::seconds header_timeout{10};  // a request's headers, or a keep-alive wait
  std::chrono::seconds request_timeout{30};  // a request's body
  // A response write is cut (and its connection closed) when the client takes no byte for
  // send_stall, or when the write runs slower than min_send_rate bytes a second after a grace
  // of send_stall: a client that stops reading a large body frees its slot (and an export's
  // database connection) within seconds.
  std::chrono::seconds send_stall{5};
  size_t min_send_rate = 16 << 10;
  std::chrono::seconds drain_timeout{10};
  // Live events (/api/v1/events), read by Serve(): open streams at most (more get 503; each
  // also holds a connection) and the heartbeat that keeps an idle stream open.
  size_t max_event_streams = 256;
  // Requests in flight per account (a valid token) or else per client address, read by
  // Serve(); past it 429 (in_flight.h). 0 = half the workers.
  size_t max_in_flight_per_client = 0;
  // Responses with a hold (refused logins) wait at most this many at once per client address,
  // and in all (0 = a quarter of the connection cap); past that they go out at once and close.
  size_t tarpit_per_address = 64;
  size_t tarpit_total = 0;
  std::chrono::seconds event_heartbeat{15};
  // Both set: HTTPS only (TLS 1.2+, see tls.h). PEM files: the certificate chain, its key.
  std::string tls_cert;
  std::string tls_key;
  // Login rates, read by Serve() (BURST/PER_MINUTE or "off"; empty: the environment's
  // CORRENTE_LOGIN_RATE_ADDRESS / _ACCOUNT, else the defaults). See login_rate.h.
  std::string login_rate_address;
  std::string login_rate_account;
  // Reverse proxies whose X-Forwarded-For is believed (canonical addresses; empty: none, the
  // peer is the client). See client_address.h.
  std::vector<std::string> trusted_proxies;
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

  // Drains and makes Run() return, as SIGTERM does; callable from any thread, also before
  // Run() has started serving.
  void Stop();

  struct ConnectionStats {
    size_t open = 0, idle = 0, evicted = 0, refused = 0, max_open = 0;
    // Answers waiting in the tarpit now, held in all, and sent at once past its bounds.
    size_t held = 0, held_total = 0, hold_overflowed = 0;
  };
  // While Run() is serving (from any thread, e.g. a /metrics handler); zeros otherwise.
  ConnectionStats Connections() const;

 private:
  ServerOptions options_;
  const Router& router_;
  ServerHooks hooks_;
  std::atomic<ConnectionTable*> connections_{nullptr};
  std::atomic<Tarpit*> tarpit_{nullptr};
  std::mutex stop_mu_;
  std::function<void()> stop_;
  bool stop_requested_ = false;
};

}  // namespace corrente::server
