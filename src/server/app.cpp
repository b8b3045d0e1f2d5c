#include "server/app.h"

#include <spdlog/spdlog.h>

#include <thread>

#include "pg/pool.h"
#include "server/health.h"

namespace corrente::server {

void Serve(const Config& config, const std::string& dsn, const ServerOptions& options,
           const std::function<void(int port)>& on_listening) {
  size_t pool_size = std::max(4u, 2 * std::thread::hardware_concurrency());
  pg::Pool pool(dsn, pool_size);
  try {
    pool.Acquire();  // fail fast with a clear message when the database is unreachable
  } catch (const pg::Error& e) {
    spdlog::warn("database not reachable at start-up ({}); serving 503 until it is", e.what());
  }
  Router router;
  // Routes, in one readable table.
  router.Add("GET", "/health", MakeHealthHandler(pool));

  HttpServer server(options, router);
  server.Run([&](int port) {
    spdlog::info("corrente {} listening on http://{}:{} ({} mode)", CORRENTE_VERSION, options.host, port, config.env);
    if (on_listening) on_listening(port);
  });
}

}  // namespace corrente::server
