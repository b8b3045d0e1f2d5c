#include "schema/migrations.h"

#include <sodium.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <map>
#include <stdexcept>

namespace corrente::schema {
namespace {

constexpr int64_t kLockKey = kMigrationLockKey;

// Holds the session-level advisory lock for the Migrator's lifetime of one operation.
class AdvisoryLock {
 public:
  explicit AdvisoryLock(pg::Connection& c) : conn_(c) { conn_.Execute("SELECT pg_advisory_lock($1)", kLockKey); }
  ~AdvisoryLock() {
    try {
      conn_.Execute("SELECT pg_advisory_unlock($1)", kLockKey);
    } catch (...) {
      // The lock dies with the session anyway.
    }
  }

 private:
  pg::Connection& conn_;
};

}  // namespace

std::string Sha256Hex(const std::string& data) {
  unsigned char out[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(out, reinterpret_cast<const unsigned char*>(data.data()), data.size());
  char hex[2 * crypto_hash_sha256_BYTES + 1];
  sodium_bin2hex(hex, sizeof hex, out, sizeof out);
  return hex;
}

Migrator::Migrator(pg::Connection& conn, std::vector<Migration> migrations, std::string table)
    : conn_(conn), migrations_(std::move(migrations)), table_(std::move(table)) {
  std::sort(migrations_.begin(), migrations_.end(),
            [](const Migration& a, const Migration& b) { return a.version < b.version; });
}

void Migrator::Bootstrap() {
  auto dot = table_.find('.');
  std::string schema = table_.substr(0, dot);
  std::string table = table_.substr(dot + 1);
  conn_.ExecScript("CREATE SCHEMA IF NOT EXISTS " + conn_.QuoteIdentifier(schema) + ";" +
                   "CREATE TABLE IF NOT EXISTS " + conn_.QuoteIdentifier(schema) + "." +
                   conn_.QuoteIdentifier(table) +
                   " (version integer PRIMARY KEY, name text NOT NULL, checksum text NOT NULL,"
                   "  applied_at timestamptz NOT NULL DEFAULT now())");
}

std::vector<AppliedMigration> Migrator::History() {
  Bootstrap();
  auto r = conn_.ExecScript(
      "SELECT version, name, checksum, to_char(applied_at AT TIME ZONE 'UTC', "
      "'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') FROM " + table_ + " ORDER BY version");
  std::map<int, const Migration*> by_version;
  for (const auto& m : migrations_) by_version[m.version] = &m;
  std::vector<AppliedMigration> out;
  for (int i = 0; i < r.Rows(); ++i) {
    AppliedMigration a{static_cast<int>(r.GetInt(i, 0)), r.GetString(i, 1), r.GetString(i, 2),
                       r.GetString(i, 3), false, false};
    if (auto it = by_version.find(a.version); it != by_version.end()) {
      a.known = true;
      a.checksum_ok = Sha256Hex(it->second->up) == a.checksum;
    }
    out.push_back(std::move(a));
  }
  return out;
}

int Migrator::CurrentVersion() {
  auto h = History();
  return h.empty() ? 0 : h.back().version;
}

void Migrator::VerifyChecksums() {
  for (const auto& a : History()) {
    if (a.known && !a.checksum_ok)
      throw std::runtime_error("migration V" + std::to_string(a.version) + " (" + a.name +
                               ") was changed after it was applied (recorded sha256 " +
                               a.checksum.substr(0, 12) + "...); refusing to continue. "
                               "Restore the original file and add a new migration instead.");
  }
}

namespace {
// A unique violation on the role catalogs, or a concurrent update of one of their rows.
bool SharedCatalogRace(const pg::Error& e) {
  std::string what = e.what();
  return (e.SqlState() == "23505" && what.find("pg_auth") != std::string::npos) ||
         what.find("tuple concurrently updated") != std::string::npos;
}
}  // namespace

int Migrator::Upgrade(std::optional<int> target) {
  AdvisoryLock lock(conn_);
  Bootstrap();
  VerifyChecksums();
  int current = CurrentVersion();
  int applied = 0;
  for (const auto& m : migrations_) {
    if (m.version <= current) continue;
    if (target && m.version > *target) break;
    spdlog::info("migration V{:03d} {}: applying", m.version, m.name);
    for (int attempt = 1;; ++attempt) {
      try {
        pg::Transaction tx(conn_);
        conn_.ExecScript(m.up);
        conn_.Execute("INSERT INTO " + table_ + " (version, name, checksum) VALUES ($1, $2, $3)",
                      m.version, m.name, Sha256Hex(m.up));
        tx.Commit();
        break;
      } catch (const pg::Error& e) {
        // Roles are cluster-wide and the lock above is per database: an upgrade of another
        // database may grant the same membership at the same moment. The transaction rolled
        // back, so the migration runs again and then finds the grant made.
        if (attempt >= 3 || !SharedCatalogRace(e)) throw;
        spdlog::warn("migration V{:03d}: {} (another database's upgrade at the same moment); "
                     "retrying", m.version, e.what());
      }
    }
    ++applied;
  }
  return applied;
}

int Migrator::Downgrade(int target) {
  AdvisoryLock lock(conn_);
  Bootstrap();
  VerifyChecksums();
  auto history = History();
  std::map<int, const Migration*> by_version;
  for (const auto& m : migrations_) by_version[m.version] = &m;
  int reverted = 0;
  for (auto it = history.rbegin(); it != history.rend(); ++it) {
    if (it->version <= target) break;
    auto m = by_version.find(it->version);
    if (m == by_version.end())
      throw std::runtime_error("migration V" + std::to_string(it->version) +
                               " is applied but unknown to this binary; cannot downgrade it");
    spdlog::info("migration V{:03d} {}: reverting", it->version, it->name);
    pg::Transaction tx(conn_);
    conn_.ExecScript(m->second->down);
    conn_.Execute("DELETE FROM " + table_ + " WHERE version = $1", it->version);
    tx.Commit();
    ++reverted;
  }
  return reverted;
}

}  // namespace corrente::schema
