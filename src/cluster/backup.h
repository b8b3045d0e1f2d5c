#pragma once
// Backups of the managed cluster with pgBackRest (Debian package `pgbackrest`): WAL archiving
// into a repository, full/differential/incremental backups with a retention policy, and
// restores to the end of the archive or to a point in time. Logical dumps (pg_dump custom
// format) move a database between machines. Not thread-safe; the CLI drives it.
#include <optional>
#include <string>
#include <vector>

#include "common/config.h"

namespace corrente::cluster {

class ManagedCluster;

// The stanza (pgBackRest's name for one cluster) every managed cluster uses.
inline constexpr const char* kStanza = "corrente";

// Where backups go: CORRENTE_BACKUP_REPO, else $CORRENTE_HOME/backup.
std::string BackupRepo(const Config& config);

// Writes $CORRENTE_HOME/pg/pgbackrest/pgbackrest.conf and, once, the archiving and
// pg_stat_statements settings into postgresql.conf. Returns true when postgresql.conf changed
// (a running server needs a restart). Without pgbackrest installed it only warns, returns false.
bool EnsureArchiving(const Config& config, const ManagedCluster& cluster);

// After start: creates the stanza once (pgbackrest stanza-create) when archiving is on.
void EnsureStanza(const Config& config, const ManagedCluster& cluster);

enum class BackupType { kFull, kDiff, kIncr };

struct BackupInfo {
  std::string label;
  std::string type;        // full, diff, incr
  std::string start, stop;  // UTC, YYYY-MM-DDTHH:MM:SSZ
  std::string wal_start, wal_stop;
  long long database_bytes = 0;  // size of the cluster when backed up
  long long repo_bytes = 0;      // what this backup takes in the repository (compressed)
};

struct BackupList {
  std::vector<BackupInfo> backups;  // oldest first
  std::string archive_min, archive_max;  // WAL kept in the repository
  std::string status;                    // pgBackRest's status message ("ok", ...)
};

// The managed cluster's backups (its DATABASE_URL refusal is the caller's).
class Backups {
 public:
  explicit Backups(const Config& config);
  // A backup of the running cluster (started when needed); pgBackRest then expires what the
  // retention policy no longer keeps. Returns pgBackRest's log path for errors.
  void Backup(BackupType type);
  BackupList List() const;
  // Stops the cluster (after archiving its current WAL when it runs), restores the latest
  // backup before the target with `--delta`, replays WAL to `to` (a timestamp PostgreSQL
  // understands, e.g. '2026-12-06 04:30:00+00') or to the archive's end, and starts it again
  // as a primary.
  void Restore(const std::optional<std::string>& to);

 private:
  Config config_;
};

// pg_dump --format=custom of the database `dsn` names into `file`.
void DumpDatabase(const Config& config, const std::string& dsn, const std::string& file);
// pg_restore of such a dump into `dsn`'s database, replacing the objects it holds, in one
// transaction (all or nothing).
void LoadDatabase(const Config& config, const std::string& dsn, const std::string& file);

}  // namespace corrente::cluster
