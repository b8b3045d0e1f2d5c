#include "cluster/replica.h"

#include <spdlog/spdlog.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <stdexcept>

#include "cluster/cluster.h"
#include "cluster/internal.h"
#include "cluster/tls.h"

namespace corrente::cluster {
namespace fs = std::filesystem;
using namespace internal;
namespace {

constexpr const char* kHbaMarker = "# corrente managed cluster: replication over TLS";

// Lets the superuser stream WAL from 127.0.0.1 over TLS; returns true when pg_hba.conf changed.
bool EnsureReplicationHba(const std::string& data_dir) {
  fs::path hba = fs::path(data_dir) / "pg_hba.conf";
  if (ReadFile(hba).find(kHbaMarker) != std::string::npos) return false;
  std::ofstream(hba, std::ios::app) << kHbaMarker << "\n"
                                    << "hostssl   replication  corrente  127.0.0.1/32  scram-sha-256\n";
  return true;
}

}  // namespace

std::string ReplicaHome(const Config& config) {
  return (fs::absolute(config.home).lexically_normal() / "replica").string();
}

std::string AddReplica(const Config& config) {
  if (config.database_url)
    throw std::runtime_error(
        "DATABASE_URL is set: corrente manages no cluster, so it makes no replica of it. Make "
        "one with your server's own tools (pg_basebackup -R), then set DATABASE_READ_URL");
  ManagedCluster primary(config);
  primary.Start();
  auto ps = primary.GetStatus();
  if (EnsureReplicationHba(ps.data_dir)) {
    fs::path log = fs::path(primary.PgDir()) / "pg_ctl.log";
    if (Run({primary.BinDir() + "/pg_ctl", "-D", ps.data_dir, "reload"}, log) != 0)
      throw std::runtime_error("pg_ctl reload failed; see " + log.string());
  }
  Config rc = config;
  rc.home = ReplicaHome(config);
  ManagedCluster replica(rc);
  fs::path pg = replica.PgDir(), data = fs::path(pg) / "data";
  if (!fs::exists(data / "PG_VERSION")) {
    fs::create_directories(pg);
    RunAs as = ServerAccount();
    if (as.switch_user) ::chown(pg.c_str(), 0, as.gid), ::chmod(pg.c_str(), 0750);
    // The same roles and passwords as the primary (they are replicated with the data).
    for (const auto& e : fs::directory_iterator(primary.PgDir()))
      if (e.path().extension() == ".password")
        WriteFile0600(pg / e.path().filename(), ReadFile(e.path()));
    // Read by the standby's WAL receiver too: owned by the server account, kept.
    fs::path passfile = pg / "replication.pgpass";
    WriteFile0600(passfile, "*:*:*:corrente:" + ReadPassword(pg / "superuser.password") + "\n");
    ChownTree(passfile);
    fs::create_directories(data);
    ::chmod(data.c_str(), 0700);
    ChownTree(data);
    fs::path log = pg / "basebackup.log";
    WriteFile0600(log, "");
    ChownTree(log);
    spdlog::info("pg_basebackup from 127.0.0.1:{} into {}", ps.port, data.string());
    // The primary's certificate checked against its CA; no client certificate (libpq would
    // otherwise look in the invoking user's home).
    fs::path ca = pg / "primary-ca.crt";
    WriteFile0600(ca, ReadFile(CaCertPath(primary.PgDir())));
    ChownTree(ca);
    std::string conninfo = "host=127.0.0.1 port=" + std::to_string(ps.port) +
                           " user=corrente sslmode=verify-full sslrootcert=" + ca.string() +
                           " sslcert=" + (pg / "no-client.crt").string() +
                           " sslkey=" + (pg / "no-client.key").string() +
                           " application_name=corrente_replica passfile=" + passfile.string();
    if (Run({primary.BinDir() + "/pg_basebackup", "-D", data.string(), "-R", "-X", "stream", "-c", "fast",
             "-d", conninfo},
            log) != 0) {
      std::string text = ReadFile(log);
      fs::remove_all(data);
      throw std::runtime_error("pg_basebackup failed; see " + log.string() + ":\n" + text);
    }
  }
  replica.Start();
  return rc.home;
}

}  // namespace corrente::cluster
