// corrente user add|passwd|list: accounts from the command line (first admin in production).
#include <iostream>
#include <regex>

#include "cli/commands.h"
#include "common/password.h"
#include "pg/pg.h"
#include "server/auth.h"

namespace corrente::cli {
namespace {

void Audit(pg::Connection& c, const std::string& action, int64_t user_id, const std::string& details_json) {
  AuditCli(c, action, "user", user_id, details_json);
}

void CheckUsername(const std::string& name) {
  static const std::regex kValid("^[A-Za-z0-9_.@-]{3,64}$");
  if (!std::regex_match(name, kValid))
    throw std::runtime_error("username must be 3-64 characters of letters, digits, '_', '.', '@' or '-'");
}

std::string ReadStrongPassword(const std::string& username) {
  std::string pw = ReadPasswordFromStdin();
  if (auto weak = PasswordWeakness(pw, username)) throw std::runtime_error("password refused: it " + *weak);
  return pw;
}

}  // namespace

void RegisterUserCommand(CLI::App& app, int& exit_code) {
  auto* user = app.add_subcommand("user", "Manage user accounts");
  user->require_subcommand(1);

  static std::string name, role, email;
  static bool pw_stdin = false;
  auto* add = user->add_subcommand("add", "Create a user; the password is read from stdin");
  add->add_option("name", name, "Username")->required();
  add->add_option("--role", role, "ADMIN, ANALYST or VIEWER")->required()->check(CLI::IsMember({"ADMIN", "ANALYST", "VIEWER"}));
  add->add_option("--email", email, "E-mail address");
  add->add_flag("--password-stdin", pw_stdin, "Read the password from standard input")->required();
  add->callback([&] {
    CheckUsername(name);
    std::string pw = ReadStrongPassword(name);
    auto conn = pg::Connection::Open(ConnectDsn(LoadConfig(), true, cluster::DbRole::kOwner));
    pg::Transaction tx(conn);
    auto r = conn.Execute(
        // Names that differ only in case are one account to the login throttles and rates, and
        // to a reader of the audit log: a second is refused (V072's unique index on
        // lower(username), also against a concurrent create).
        "INSERT INTO support.users (username, email, password_hash, role) SELECT $1, $2, $3, $4"
        " WHERE NOT EXISTS (SELECT 1 FROM support.users WHERE lower(username) = lower($1))"
        " ON CONFLICT DO NOTHING RETURNING user_id",
        name, email.empty() ? pg::Param() : pg::Param(email), HashPassword(pw), role);
    if (r.Rows() == 0) {
      std::cerr << "corrente: user '" << name
                << "' already exists, or one whose name differs only in case, or the e-mail is taken (use 'corrente user "
                   "passwd')\n";
      exit_code = 1;
      return;
    }
    Audit(conn, "USER_CREATE", r.GetInt(0, 0), "{\"role\":\"" + role + "\"}");
    tx.Commit();
    std::cerr << "created " << role << " user '" << name << "'\n";
  });

  static std::string pw_name;
  static bool pw_stdin2 = false;
  auto* passwd = user->add_subcommand("passwd", "Set a user's password, read from stdin");
  passwd->add_option("name", pw_name, "Username")->required();
  passwd->add_flag("--password-stdin", pw_stdin2, "Read the password from standard input")->required();
  passwd->callback([&] {
    std::string pw = ReadStrongPassword(pw_name);
    auto conn = pg::Connection::Open(ConnectDsn(LoadConfig(), true, cluster::DbRole::kOwner));
    pg::Transaction tx(conn);
    // The token version goes up, so the account's earlier tokens end on every server.
    auto r = conn.Execute(
        "UPDATE support.users SET password_hash = $2, password_changed_at = now(), updated_at = now(),"
        " token_version = token_version + 1 WHERE username = $1 RETURNING user_id, active, token_version",
        pw_name, HashPassword(pw));
    if (r.Rows() == 0) {
      std::cerr << "corrente: no user '" << pw_name << "'\n";
      exit_code = 1;
      return;
    }
    Audit(conn, "USER_PASSWORD_RESET", r.GetInt(0, 0), "{}");
    conn.Execute("SELECT pg_notify('corrente_revoked', $1)",
                 server::AccountNotice(r.GetInt(0, 0), {r.GetBool(0, 1), r.GetInt(0, 2)}));
    tx.Commit();
    std::cerr << "password changed for '" << pw_name << "'\n";
  });

  user->add_subcommand("list", "List users")->callback([&] {
    auto conn = pg::Connection::Open(ConnectDsn(LoadConfig(), true, cluster::DbRole::kOwner));
    auto r = conn.ExecScript(
        "SELECT user_id, username, role, active, coalesce(email, ''),"
        " coalesce(to_char(last_login AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI'), 'never')"
        " FROM support.users ORDER BY user_id");
    std::printf("%-5s %-20s %-8s %-7s %-32s %s\n", "id", "username", "role", "active", "email", "last_login");
    for (int i = 0; i < r.Rows(); ++i)
      std::printf("%-5s %-20s %-8s %-7s %-32s %s\n", r.GetString(i, 0).c_str(), r.GetString(i, 1).c_str(),
                  r.GetString(i, 2).c_str(), r.GetBool(i, 3) ? "yes" : "no", r.GetString(i, 4).c_str(),
                  r.GetString(i, 5).c_str());
  });
}

}  // namespace corrente::cli
