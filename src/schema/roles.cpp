#include "schema/roles.h"

#include <cctype>
#include <regex>
#include <stdexcept>

namespace corrente::schema {
namespace {

constexpr int kRolesVersion = 53;  // V053__roles

bool NamesRole(const std::string& text) {
  static const std::regex kRole(R"(corrente_(owner|api|pipeline|migrate)\b)");
  return std::regex_search(text, kRole);
}

}  // namespace

std::vector<RoleBlock> RoleGrantBlocks(const std::vector<Migration>& migrations, int up_to) {
  // "DO $tag$" at the start of a line; the block runs to the same tag and its semicolon. Only
  // the opening is matched by the regex: the body is found with find() (no backtracking).
  static const std::regex kOpen(R"((^|\n)[ \t]*DO[ \t\r\n]+(\$([A-Za-z_][A-Za-z_0-9]*)?\$))",
                                std::regex::icase);
  std::vector<RoleBlock> out;
  for (const auto& m : migrations) {
    if (m.version < kRolesVersion || m.version > up_to) continue;
    const std::string& s = m.up;
    for (auto it = std::sregex_iterator(s.begin(), s.end(), kOpen); it != std::sregex_iterator();
         ++it) {
      size_t start = static_cast<size_t>(it->position(0)) + it->length(1);
      while (start < s.size() && std::isspace(static_cast<unsigned char>(s[start]))) ++start;
      std::string tag = (*it)[2];
      size_t body = static_cast<size_t>(it->position(2)) + tag.size();
      size_t close = s.find(tag, body);
      if (close == std::string::npos) continue;
      size_t end = s.find(';', close + tag.size());
      if (end == std::string::npos) continue;
      std::string block = s.substr(start, end + 1 - start);
      if (NamesRole(s.substr(body, close - body))) out.push_back({m.version, std::move(block)});
    }
  }
  return out;
}

std::vector<RoleBlock> ReapplyRoleGrants(pg::Connection& conn) {
  Migrator migrator(conn);
  bool migrated =
      !conn.Execute("SELECT to_regclass('support.schema_migrations') IS NULL").GetBool(0, 0);
  int version = migrated ? migrator.CurrentVersion() : 0;
  if (version < kRolesVersion)
    throw std::runtime_error("the schema is at V" + std::to_string(version) +
                             ": the roles come with V053; run 'corrente db upgrade' instead");
  for (const auto& a : migrator.History())
    if (a.known && !a.checksum_ok)
      throw std::runtime_error(
          "migration V" + std::to_string(a.version) + " (" + a.name +
          ") was changed after it was applied; refusing to re-apply its grants");
  auto blocks = RoleGrantBlocks(EmbeddedMigrations(), version);
  pg::Transaction tx(conn);
  // The lock `db upgrade` takes, for this transaction: no migration runs meanwhile.
  conn.Execute("SELECT pg_advisory_xact_lock($1)", kMigrationLockKey);
  // V053's warnings speak of an upgrade; the check below says what is missing here.
  conn.Execute("SET LOCAL client_min_messages = error");
  for (const auto& b : blocks) conn.ExecScript(b.sql);
  // V053 returns early, with a warning, when it may not create or join the roles.
  auto r = conn.Execute(
      "SELECT current_user, to_regrole('corrente_owner') IS NOT NULL"
      " AND to_regrole('corrente_api') IS NOT NULL AND to_regrole('corrente_pipeline') IS NOT NULL"
      " AND to_regrole('corrente_migrate') IS NOT NULL,"
      " to_regrole('corrente_api') IS NOT NULL"
      " AND has_schema_privilege('corrente_api', 'core', 'USAGE')");
  std::string user = r.GetString(0, 0);
  if (!r.GetBool(0, 1))
    throw std::runtime_error(
        "the roles corrente_owner, corrente_api, corrente_pipeline and "
        "corrente_migrate do not all exist, and " +
        user +
        " may not create them (CREATEROLE): a DBA makes them first "
        "(docs/security.md); nothing was changed");
  if (!r.GetBool(0, 2))
    throw std::runtime_error(user +
                             " is not a member of corrente_owner and may not join it: a "
                             "DBA runs 'GRANT corrente_owner TO " +
                             user + "' first (docs/security.md); nothing was changed");
  tx.Commit();
  return blocks;
}

}  // namespace corrente::schema
