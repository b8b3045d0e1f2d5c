#pragma once
// The managed PostgreSQL cluster under $CORRENTE_HOME/pg. Not thread-safe; one process
// manages a given home at a time (start/stop take an exclusive file lock).
#include <optional>
#include <string>

#include "common/config.h"

namespace corrente::cluster {

// The database roles commands connect as (docs/security.md). kAdmin runs migrations and the
// `db` commands: the managed cluster's superuser, or DATABASE_URL's user.
enum class DbRole { kAdmin, kOwner, kApi, kPipeline, kMigrate };
// "admin", "owner", "api", "pipeline", "migrate". Group role: "corrente_" + name.
const char* RoleName(DbRole role);
// The role named by RoleName; throws std::invalid_argument for another name.
DbRole ParseRole(const std::string& name);

struct Status {
  bool initialized = false;
  bool running = false;
  int port = 0;
  long pid = 0;
  std::string data_dir;
  std::string socket_dir;
};

class ManagedCluster {
 public:
  explicit ManagedCluster(const Config& config);

  // initdb when needed, then start when not running, then create the `corrente` database.
  // Idempotent. Throws std::runtime_error with an actionable message.
  void Start();
  void Stop();  // fast shutdown; no-op when not running
  Status GetStatus() const;
  // postgresql://<login>:<password>@127.0.0.1:<port>/corrente?sslmode=verify-full&sslrootcert=CA
  // for `role` (the superuser for kAdmin). Throws when not initialized.
  std::string Url(DbRole role = DbRole::kAdmin) const;
  // Creates, when missing, the login roles corrente_<role>_login (members of their NOLOGIN
  // group corrente_<role>, acting as it) with random passwords kept in 0600 files beside the
  // superuser's. Needs a running cluster. Idempotent.
  void EnsureLoginRoles();
  std::string PgDir() const { return pg_dir_; }
  std::string BinDir() const;

 private:
  void InitDb();
  void RemoveStalePid() const;
  int ChoosePort() const;
  void WriteState(int port) const;
  std::optional<int> StatePort() const;
  std::string UrlFor(const std::string& user, const std::string& password, const std::string& db) const;

  Config config_;
  std::string home_;
  std::string pg_dir_;
  std::string data_dir_;
  std::string socket_dir_;
};

// The DSN `role` connects with. With DATABASE_URL: DATABASE_URL_API, _PIPELINE or _MIGRATE
// for those roles when set, else DATABASE_URL. Otherwise the managed cluster's URL for the
// role (login roles made when missing), starting the cluster first when `start_if_needed`.
std::string ResolveDsn(const Config& config, bool start_if_needed, DbRole role = DbRole::kAdmin);

// Finds the PostgreSQL server binaries (CORRENTE_PG_BINDIR, or the newest
// /usr/lib/postgresql/*/bin). Throws naming the Debian package to install.
std::string FindBinDir(const Config& config);

}  // namespace corrente::cluster
