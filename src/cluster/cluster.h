#pragma once
// The managed PostgreSQL cluster under $CORRENTE_HOME/pg. Not thread-safe; one process
// manages a given home at a time (start/stop take an exclusive file lock).
#include <optional>
#include <string>

#include "common/config.h"

namespace corrente::cluster {

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
  // postgresql://corrente:<password>@127.0.0.1:<port>/corrente. Throws when not initialized.
  std::string Url() const;
  std::string PgDir() const { return pg_dir_; }
  std::string BinDir() const;

 private:
  void InitDb();
  void RemoveStalePid() const;
  int ChoosePort() const;
  void WriteState(int port) const;
  std::optional<int> StatePort() const;

  Config config_;
  std::string home_;
  std::string pg_dir_;
  std::string data_dir_;
  std::string socket_dir_;
};

// The DSN for this process: DATABASE_URL when set; otherwise the managed cluster's URL,
// starting the cluster first when `start_if_needed`.
std::string ResolveDsn(const Config& config, bool start_if_needed);

// Finds the PostgreSQL server binaries (CORRENTE_PG_BINDIR, or the newest
// /usr/lib/postgresql/*/bin). Throws naming the Debian package to install.
std::string FindBinDir(const Config& config);

}  // namespace corrente::cluster
