#include <pwd.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <iostream>
#include <stdexcept>

#include "cli/commands.h"
#include "cluster/cluster.h"
#include "schema/migrations.h"

namespace corrente::cli {

void WarnWithoutRoles(pg::Connection& conn, const Config& config) {
  if (!config.database_url) return;  // the managed cluster's superuser always sets them up
  if (conn.Execute("SELECT to_regrole('corrente_api') IS NULL"
                   " OR NOT has_schema_privilege('corrente_api', 'core', 'USAGE')")
          .GetBool(0, 0))
    spdlog::warn(
        "the least-privilege roles are not set up in this database (DATABASE_URL's user may not "
        "create or join them: no CREATEROLE), so every command connects as that user; see "
        "docs/security.md");
}

std::string ConnectDsn(const Config& config, bool migrate, cluster::DbRole role) {
  std::string admin = cluster::ResolveDsn(config, /*start_if_needed=*/true);
  if (migrate) {
    auto conn = pg::Connection::Open(admin);
    schema::Migrator(conn).Upgrade();
    WarnWithoutRoles(conn, config);
  }
  return role == cluster::DbRole::kAdmin ? admin : cluster::ResolveDsn(config, true, role);
}

std::string ReadPasswordFromStdin() {
  std::string line;
  if (!std::getline(std::cin, line) || line.empty())
    throw std::runtime_error("no password on standard input (--password-stdin reads one line)");
  if (!line.empty() && line.back() == '\r') line.pop_back();
  return line;
}

void AuditCli(pg::Connection& c, const std::string& action, const std::string& entity_type,
              std::optional<int64_t> entity_id, const std::string& details_json) {
  std::string actor = GetEnv("CORRENTE_ACTOR").value_or("cli:" + CurrentUnixUser());
  c.Execute("INSERT INTO support.audit_logs (actor, action, entity_type, entity_id, details, user_agent)"
            " VALUES ($1, $2, $3, $4, $5::jsonb, 'corrente-cli')",
            actor, action, entity_type, entity_id, details_json);
}

void RecordLineage(const std::string& action, const std::string& entity_type,
                   std::optional<int64_t> entity_id, const std::string& details_json) {
  try {
    // As the admin role: the loading roles themselves may not write the audit log.
    auto conn = pg::Connection::Open(cluster::ResolveDsn(LoadConfig(), /*start_if_needed=*/false));
    AuditCli(conn, action, entity_type, entity_id, details_json);
  } catch (const std::exception& e) {
    spdlog::warn("could not record {} in support.audit_logs: {}", action, e.what());
  }
}

std::string CurrentUnixUser() {
  passwd* pw = getpwuid(geteuid());
  return pw ? pw->pw_name : "uid" + std::to_string(geteuid());
}

}  // namespace corrente::cli
