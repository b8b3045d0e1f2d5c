// corrente db start|stop|status|url|psql|upgrade|downgrade|history|grant|replica add
// (backups: cmd_backup.cpp)
#include <unistd.h>

#include <cstdlib>
#include <iostream>

#include "cli/commands.h"
#include "cluster/cluster.h"
#include "schema/distributed.h"
#include "cluster/replica.h"
#include "pg/pg.h"
#include "schema/migrations.h"
#include "schema/roles.h"

namespace corrente::cli {

void RegisterDbCommand(CLI::App& app, int& exit_code) {
  auto* db = app.add_subcommand("db", "Manage the database: the managed cluster and the schema");
  db->require_subcommand(1);

  auto managed_only = [](const Config& c, const char* what) {
    if (c.database_url)
      throw std::runtime_error(std::string("DATABASE_URL is set: corrente manages no cluster, so '") + what +
                               "' does nothing. Unset DATABASE_URL to use the managed cluster.");
  };

  db->add_subcommand("start", "Create (initdb) and start the managed PostgreSQL under $CORRENTE_HOME/pg")
      ->callback([&, managed_only] {
        Config c = LoadConfig();
        managed_only(c, "db start");
        cluster::ManagedCluster m(c);
        m.Start();
        auto s = m.GetStatus();
        std::cerr << "PostgreSQL running on 127.0.0.1:" << s.port << " (pid " << s.pid << ", data " << s.data_dir << ")\n";
      });
  db->add_subcommand("stop", "Stop the managed PostgreSQL (exit 0 when it already is)")->callback([&, managed_only] {
    Config c = LoadConfig();
    managed_only(c, "db stop");
    cluster::ManagedCluster m(c);
    auto s = m.GetStatus();
    if (!s.initialized) {
      std::cerr << "no cluster under " << s.data_dir << ": nothing to stop\n";
      return;
    }
    if (!s.running) {
      std::cerr << "PostgreSQL is not running (data " << s.data_dir << ")\n";
      return;
    }
    m.Stop();
    std::cerr << "PostgreSQL stopped (data " << s.data_dir << ")\n";
  });
  db->add_subcommand("status", "Show whether the managed PostgreSQL runs; exit 3 when it does not")
      ->callback([&] {
        Config c = LoadConfig();
        if (c.database_url) {
          try {
            auto conn = pg::Connection::Open(*c.database_url);
            std::cout << "external server " << pg::DescribeDsn(*c.database_url) << ": reachable (server "
                      << conn.ServerVersion() << ")\n";
          } catch (const pg::Error& e) {
            std::cout << "external server: unreachable: " << e.what() << "\n";
            exit_code = 3;
          }
          return;
        }
        auto s = cluster::ManagedCluster(c).GetStatus();
        if (!s.initialized) {
          std::cout << "no cluster under " << s.data_dir << " (run 'corrente db start')\n";
          exit_code = 3;
        } else if (!s.running) {
          std::cout << "stopped (data " << s.data_dir << ", last port " << s.port << ")\n";
          exit_code = 3;
        } else {
          std::cout << "running on 127.0.0.1:" << s.port << " (pid " << s.pid << ", data " << s.data_dir
                    << ", socket " << s.socket_dir << ")\n";
        }
      });
  static std::string url_role = "admin";
  auto* url = db->add_subcommand("url", "Print the connection URL on stdout, and nothing else");
  url->add_option("--role", url_role, "Whose URL: admin, owner, api, pipeline or migrate (docs/security.md)")
      ->capture_default_str()
      ->check(CLI::IsMember({"admin", "owner", "api", "pipeline", "migrate"}));
  url->callback([&] {
    Config c = LoadConfig();
    // A role's login is made on first use, which needs the server: say so rather than
    // "connection refused".
    if (!c.database_url && url_role != "admin") {
      auto s = cluster::ManagedCluster(c).GetStatus();
      if (s.initialized && !s.running)
        throw std::runtime_error("the managed PostgreSQL under " + s.data_dir +
                                 " is stopped: run 'corrente db start' first");
    }
    std::cout << cluster::ResolveDsn(c, /*start_if_needed=*/false, cluster::ParseRole(url_role)) << "\n";
  });
  db->add_subcommand("psql", "Open psql on the database")->callback([&] {
    Config c = LoadConfig();
    // The password in PGPASSWORD, not on psql's command line (world-readable in /proc).
    std::string dsn = cluster::ResolveDsn(c, true);
    // Our one-line error (exit 1) rather than psql's own (exit 2, which means bad usage here).
    pg::Connection::Open(dsn);
    pg::SplitDsn url = pg::SplitPassword(dsn);
    if (!url.password.empty()) ::setenv("PGPASSWORD", url.password.c_str(), 1);
    ::execlp("psql", "psql", url.conninfo.c_str(), static_cast<char*>(nullptr));
    throw std::runtime_error("cannot run psql: install postgresql-client-15");
  });

  // A version is written in decimal digits: CLI11 reads "0x10" as 16 and " 5" as 5.
  static const CLI::Validator kDigits(
      [](std::string& v) -> std::string {
        if (!v.empty() && v.find_first_not_of("0123456789") == std::string::npos) return "";
        return "Value " + v + " is not a version number (decimal digits)";
      },
      "DIGITS");
  static std::optional<int> up_target;
  auto* up = db->add_subcommand("upgrade", "Apply pending schema migrations");
  up->add_option("--to", up_target, "Stop at this version")
      ->check(CLI::Range(1, 9999))
      ->check(kDigits);
  static bool up_distributed = false;
  up->add_flag("--distributed", up_distributed,
               "Then distribute the tables over a Citus cluster (docs/scale.md); later upgrades keep it");
  up->callback([&] {
    Config c = LoadConfig();
    auto conn = pg::Connection::Open(cluster::ResolveDsn(c, true));
    schema::Migrator m(conn);
    // As downgrade's: a --to that this command cannot reach is bad usage, not "applied 0".
    int newest = schema::EmbeddedMigrations().back().version;
    if (up_target && *up_target > newest)
      throw CLI::ValidationError("--to", "V" + std::to_string(*up_target) +
                                             " is above this binary's newest migration, V" +
                                             std::to_string(newest));
    if (up_target && *up_target < m.CurrentVersion())
      throw CLI::ValidationError("--to", "V" + std::to_string(*up_target) +
                                             " is below the schema's version, V" +
                                             std::to_string(m.CurrentVersion()) +
                                             ": nothing to apply (db downgrade --to reverts)");
    int n = m.Upgrade(up_target);
    if (m.CurrentVersion() >= 53) WarnWithoutRoles(conn, c);
    std::cerr << "applied " << n << " migration(s); schema at V" << m.CurrentVersion() << "\n";
    // The distributed layer sits on top of the migrations: an upgrade of a distributed
    // database re-applies it, so tables a new migration adds are placed too.
    if (up_distributed || schema::IsDistributed(conn)) {
      auto report = schema::Distribute(conn);
      for (const auto& line : report) std::cerr << "distributed: " << line << "\n";
      std::cerr << "distributed layer: " << report.size() << " change(s)\n";
    }
  });
  static std::optional<int> down_target;
  auto* down = db->add_subcommand("downgrade", "Revert migrations (default: the latest one)");
  down->add_option("--to", down_target, "Revert every migration above this version (0 = all)")->check(CLI::Range(0, 9999))->check(kDigits);
  down->callback([&] {
    Config c = LoadConfig();
    auto conn = pg::Connection::Open(cluster::ResolveDsn(c, true));
    schema::Migrator m(conn);
    int target = down_target ? *down_target : 0;
    if (down_target && *down_target > m.CurrentVersion())
      throw CLI::ValidationError("--to", "V" + std::to_string(*down_target) +
                                             " is above the schema's version, V" +
                                             std::to_string(m.CurrentVersion()) +
                                             ": nothing to revert");
    if (!down_target) {
      auto h = m.History();
      target = h.size() >= 2 ? h[h.size() - 2].version : 0;
    }
    int n = m.Downgrade(target);
    std::cerr << "reverted " << n << " migration(s); schema at V" << m.CurrentVersion() << "\n";
  });
  db->add_subcommand("history", "List applied migrations with their checksums")->callback([&] {
    Config c = LoadConfig();
    auto conn = pg::Connection::Open(cluster::ResolveDsn(c, true));
    schema::Migrator m(conn);
    auto h = m.History();
    std::printf("%-8s %-20s %-22s %-14s %s\n", "version", "name", "applied_at", "sha256", "state");
    for (const auto& a : h)
      std::printf("V%03d     %-20s %-22s %-14s %s\n", a.version, a.name.c_str(), a.applied_at.c_str(),
                  a.checksum.substr(0, 12).c_str(), !a.known ? "unknown to this binary" : a.checksum_ok ? "ok" : "CHANGED");
    int applied_max = h.empty() ? 0 : h.back().version;
    for (const auto& mig : schema::EmbeddedMigrations())
      if (mig.version > applied_max) std::printf("V%03d     %-20s %-22s %-14s %s\n", mig.version, mig.name.c_str(), "-", "-", "pending");
    for (const auto& a : h)
      if (a.known && !a.checksum_ok) exit_code = 1;
  });
  db->add_subcommand("grant",
                     "Re-apply the least-privilege roles' ownership and grants (V053 and later) "
                     "in place, e.g. after a DBA made the roles (docs/security.md); no data changes")
      ->callback([&] {
        Config c = LoadConfig();
        auto conn = pg::Connection::Open(cluster::ResolveDsn(c, true));
        auto blocks = schema::ReapplyRoleGrants(conn);
        std::cerr << "re-applied the role grants of " << blocks.size() << " migration(s), V"
                  << blocks.front().version << " to V" << blocks.back().version << "\n";
      });
  RegisterBackupCommands(*db, exit_code);

  auto* replica = db->add_subcommand("replica", "Streaming replicas of the managed cluster");
  replica->require_subcommand(1);
  replica->add_subcommand("add", "Make (pg_basebackup) and start a hot standby under $CORRENTE_HOME/replica")
      ->callback([&] {
        std::string home = cluster::AddReplica(LoadConfig());
        std::cerr << "replica running; its URLs: CORRENTE_HOME=" << home
                  << " corrente db url [--role api] (DATABASE_READ_URL for serve)\n";
      });
}

}  // namespace corrente::cli
