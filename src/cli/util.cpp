#include <pwd.h>
#include <unistd.h>

#include <iostream>
#include <stdexcept>

#include "cli/commands.h"
#include "cluster/cluster.h"
#include "schema/migrations.h"

namespace corrente::cli {

std::string ConnectDsn(const Config& config, bool migrate) {
  std::string dsn = cluster::ResolveDsn(config, /*start_if_needed=*/true);
  if (migrate) {
    auto conn = pg::Connection::Open(dsn);
    schema::Migrator(conn).Upgrade();
  }
  return dsn;
}

std::string ReadPasswordFromStdin() {
  std::string line;
  if (!std::getline(std::cin, line) || line.empty())
    throw std::runtime_error("no password on standard input (--password-stdin reads one line)");
  if (!line.empty() && line.back() == '\r') line.pop_back();
  return line;
}

std::string CurrentUnixUser() {
  passwd* pw = getpwuid(geteuid());
  return pw ? pw->pw_name : "uid" + std::to_string(geteuid());
}

}  // namespace corrente::cli
