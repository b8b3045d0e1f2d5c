#pragma once
// The server's own gauges and counters for /metrics, read at scrape time: the connection pool,
// the response cache and request coalescing, client connections and the tarpit, event streams,
// the handlers' fast paths, tokens, argon2id hashing, login rates and requests in flight (the
// read replica's are in metrics_ops.h). Each value is written as a whole number. Thread-safe
// (reads only).
#include <cstddef>
#include <string>

#include "pg/pool.h"
#include "server/auth.h"
#include "server/cache.h"
#include "server/events.h"
#include "server/hashing_pool.h"
#include "server/http_server.h"
#include "server/in_flight.h"
#include "server/login_rate.h"
#include "server/single_flight.h"

namespace corrente::server {

struct GaugeSources {
  const pg::Pool& pool;
  size_t pool_max;  // the pool's size limit
  const ResponseCache& cache;
  const SingleFlight& flights;  // the API's request coalescing
  HttpServer::ConnectionStats connections;
  const EventHub& events;
  size_t max_event_streams;
  const RevokedTokens& revoked;
  const HashingPool& hashing;
  const LoginRate& address_rate;
  const LoginRate& account_rate;
  const InFlightLimit& in_flight;
};

// Prometheus text lines (HELP, TYPE, sample) for `/metrics`.
std::string ServerGauges(const GaugeSources& s);

}  // namespace corrente::server
