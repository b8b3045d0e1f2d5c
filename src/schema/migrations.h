#pragma once
// Versioned, checksummed schema migrations. A Migrator borrows a Connection and is not
// thread-safe; concurrent Migrators in different processes serialize on an advisory lock.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "pg/pg.h"

namespace corrente::schema {

// The advisory lock that serializes schema changes (migrations and the distributed layer).
inline constexpr int64_t kMigrationLockKey = 0x636f7272656e7465;  // "corrente"

struct Migration {
  int version;
  std::string name;
  std::string up;
  std::string down;
};

// The migrations compiled from sql/, in version order.
const std::vector<Migration>& EmbeddedMigrations();

std::string Sha256Hex(const std::string& data);

struct AppliedMigration {
  int version;
  std::string name;
  std::string checksum;
  std::string applied_at;  // ISO 8601 UTC
  bool known;              // present in this binary
  bool checksum_ok;        // matches the file in this binary
};

class Migrator {
 public:
  // `table` records applied migrations; tests use their own to stay isolated.
  explicit Migrator(pg::Connection& conn,
                    std::vector<Migration> migrations = EmbeddedMigrations(),
                    std::string table = "support.schema_migrations");

  // Applies pending migrations up to `target` (all when nullopt). Returns how many.
  // Throws std::runtime_error when an applied migration's checksum changed.
  int Upgrade(std::optional<int> target = std::nullopt);
  // Reverts applied migrations with version > target, newest first. Returns how many.
  int Downgrade(int target);
  std::vector<AppliedMigration> History();
  int CurrentVersion();

 private:
  void Bootstrap();
  void VerifyChecksums();

  pg::Connection& conn_;
  std::vector<Migration> migrations_;
  std::string table_;
};

}  // namespace corrente::schema
