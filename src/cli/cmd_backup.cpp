// corrente db backup|backups|restore (pgBackRest, managed cluster) and db dump|load (pg_dump).
#include <chrono>
#include <cstdio>
#include <iostream>
#include <optional>
#include <string>

#include "cli/commands.h"
#include "cluster/backup.h"

namespace corrente::cli {
namespace {

// What an operator's own server needs for the same is in docs/operations.md.
constexpr const char* kOwnServer =
    "DATABASE_URL is set: corrente manages no cluster there, so it takes no physical backups of "
    "it; give that server its own WAL archiving (archive_command) and backups, e.g. pgBackRest "
    "(docs/operations.md), "
    "or copy it logically with 'corrente db dump FILE' / 'corrente db load FILE'";

void ManagedOnly(const Config& c) {
  if (c.database_url) throw std::runtime_error(kOwnServer);
}

// The managed cluster's data directory when there is none yet: `db backups` and `db restore`
// then have nothing to read.
std::optional<std::string> NoCluster(const Config& c) {
  auto s = cluster::ManagedCluster(c).GetStatus();
  return s.initialized ? std::nullopt : std::optional<std::string>(s.data_dir);
}

// Fails in one line when the database does not answer (before pg_dump or psql print theirs).
void Reachable(const std::string& dsn) { pg::Connection::Open(dsn); }

std::string Size(long long bytes) {
  char buf[32];
  if (bytes >= (1LL << 30)) std::snprintf(buf, sizeof buf, "%.1f GiB", bytes / double(1LL << 30));
  else if (bytes >= (1LL << 20)) std::snprintf(buf, sizeof buf, "%.1f MiB", bytes / double(1LL << 20));
  else std::snprintf(buf, sizeof buf, "%.1f KiB", bytes / 1024.0);
  return buf;
}

}  // namespace

void RegisterBackupCommands(CLI::App& db, int& exit_code) {
  static bool diff = false, incr = false, full = false;
  auto* backup = db.add_subcommand(
      "backup", "Back up the managed cluster with pgBackRest (default --full); older backups "
                "beyond CORRENTE_BACKUP_RETENTION_FULL full ones (default 2) expire");
  auto* f = backup->add_flag("--full", full, "A full backup");
  auto* d = backup->add_flag("--diff", diff, "Only what changed since the last full backup");
  auto* i = backup->add_flag("--incr", incr, "Only what changed since the last backup of any type");
  f->excludes(d)->excludes(i);
  d->excludes(i);
  backup->callback([&] {
    Config c = LoadConfig();
    ManagedOnly(c);
    auto t0 = std::chrono::steady_clock::now();
    cluster::Backups(c).Backup(diff   ? cluster::BackupType::kDiff
                               : incr ? cluster::BackupType::kIncr
                                      : cluster::BackupType::kFull);
    double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    std::fprintf(stderr, "backup done in %.1f s into %s\n", s, cluster::BackupRepo(c).c_str());
  });

  db.add_subcommand("backups", "List the backups: type, time range, sizes, and the WAL archive")
      ->callback([&] {
        Config c = LoadConfig();
        ManagedOnly(c);
        if (auto none = NoCluster(c)) {
          std::printf("no cluster under %s, so no backups yet: corrente db start, then corrente db backup\n",
                      none->c_str());
          exit_code = 3;
          return;
        }
        auto list = cluster::Backups(c).List();
        std::printf("repository %s (status: %s)\n", cluster::BackupRepo(c).c_str(), list.status.c_str());
        std::printf("%-34s %-5s %-20s %-20s %10s %10s\n", "label", "type", "start", "stop", "database", "backup");
        for (const auto& b : list.backups)
          std::printf("%-34s %-5s %-20s %-20s %10s %10s\n", b.label.c_str(), b.type.c_str(), b.start.c_str(),
                      b.stop.c_str(), Size(b.database_bytes).c_str(), Size(b.repo_bytes).c_str());
        if (list.backups.empty()) {
          std::printf("no backups yet: corrente db backup\n");
          exit_code = 3;
        } else {
          std::printf("restorable from %s to the latest archived WAL (%s)\n", list.backups.front().stop.c_str(),
                      list.archive_max.c_str());
        }
      });

  static std::optional<std::string> to;
  auto* restore = db.add_subcommand(
      "restore", "Restore the managed cluster from its backups (stops it; the latest state, or --to a time)");
  restore->add_option("--to", to, "Point in time to recover to, e.g. '2026-12-06 04:30:00+00'");
  restore->callback([&] {
    Config c = LoadConfig();
    ManagedOnly(c);
    if (auto none = NoCluster(c))
      throw std::runtime_error("no cluster under " + *none + ": nothing to restore (the backups " +
                               "belong to the cluster that made them)");
    auto t0 = std::chrono::steady_clock::now();
    cluster::Backups(c).Restore(to);
    double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    std::fprintf(stderr, "restored %s in %.1f s; PostgreSQL is running\n",
                 to ? ("to " + *to).c_str() : "to the end of the archive", s);
  });

  static std::string dump_file, load_file;
  auto* dump = db.add_subcommand("dump", "Write a logical dump (pg_dump custom format) of the database");
  dump->add_option("file", dump_file, "Output file")->required();
  dump->callback([&] {
    Config c = LoadConfig();
    std::string dsn = cluster::ResolveDsn(c, true);
    Reachable(dsn);
    cluster::DumpDatabase(c, dsn, dump_file);
    std::cerr << "dumped to " << dump_file << "\n";
  });
  auto* load = db.add_subcommand(
      "load", "Load a dump from 'db dump' into the database, replacing its objects (one transaction)");
  load->add_option("file", load_file, "A file written by 'corrente db dump'")->required();
  load->callback([&] {
    Config c = LoadConfig();
    // The group roles the dump's grants name exist before it loads (managed cluster).
    if (!c.database_url) cluster::ResolveDsn(c, true, cluster::DbRole::kOwner);
    std::string dsn = cluster::ResolveDsn(c, true);
    Reachable(dsn);
    cluster::LoadDatabase(c, dsn, load_file);
    std::cerr << "loaded " << load_file << "\n";
  });
}

}  // namespace corrente::cli
