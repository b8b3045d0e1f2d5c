#pragma once
// Wires configuration, the connection pool and the route table, then serves.
#include <functional>
#include <string>

#include "common/config.h"
#include "server/http_server.h"

namespace corrente::server {

// Blocks until SIGTERM/SIGINT. Throws std::runtime_error when it cannot start.
// `on_listening` runs once the port is bound.
void Serve(const Config& config, const std::string& dsn, const ServerOptions& options,
           const std::function<void(int port)>& on_listening = {});

}  // namespace corrente::server
