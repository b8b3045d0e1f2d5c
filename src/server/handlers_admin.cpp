// /api/v1/admin/users (GET, POST, PATCH {id}) and /api/v1/admin/audit-logs. ADMIN only;
// every call, reads included, leaves an audit row.
#include <boost/json.hpp>
#include <regex>

#include "common/password.h"
#include "server/handlers.h"
#include "server/json_body.h"

namespace corrente::server {
namespace {

constexpr const char* kUserColumns =
    "user_id, username, email, role, active, last_login, password_changed_at, created_at, "
    "updated_at";

bool ValidUsername(const std::string& u) {
  static const std::regex re("^[A-Za-z0-9_.@-]{3,64}$");
  return std::regex_match(u, re);
}

Response ListUsers(Ctx& ctx) {
  Params p(ctx.req);
  auto role = p.Enum("role", {"ADMIN", "ANALYST", "VIEWER"});
  auto active = p.Bool("active");
  int64_t limit = p.BufferedLimit(), offset = p.Offset();
  p.Check();
  Page page;
  InTransaction(ctx, [&] {
    page = PageQuery(
        ctx.db,
        std::string("SELECT ") + kUserColumns +
            ", count(*) OVER () AS total_count FROM support.users"
            " WHERE ($1::text IS NULL OR role = $1) AND ($2::boolean IS NULL OR active = $2)"
            " ORDER BY user_id LIMIT $3 OFFSET $4",
        {role, pg::ToParam(active)}, limit, offset);
    WriteAudit(ctx.db, ctx.req,
               {ctx.user->username, "ADMIN_USERS_READ", std::string("user"), std::nullopt, "{}"});
  });
  return ListReply(ctx, page.rows, page.total, limit, offset);
}

Response CreateUser(Ctx& ctx, HashingPool& hashing) {
  auto o = ParseBody(ctx.req);
  Params p(ctx.req);
  auto username = StringField(o, "username", p);
  auto password = StringField(o, "password", p);
  auto role = StringField(o, "role", p);
  auto email = StringField(o, "email", p);
  if (!username || !ValidUsername(*username))
    p.Fail("username", "is required: 3-64 of A-Z a-z 0-9 _ . @ -");
  if (!role || !ParseRole(*role)) p.Fail("role", "is required: one of ADMIN, ANALYST, VIEWER");
  if (email && (email->size() > 254 || email->find('@') == std::string::npos))
    p.Fail("email", "is not an address");
  if (!password) {
    p.Fail("password", "is required");
  } else if (auto weak = PasswordWeakness(*password, username.value_or(""))) {
    p.Fail("password", "is too weak: " + *weak);
  }
  p.Check();
  std::string hash = hashing.Hash(*password);
  std::string out;
  InTransaction(ctx, [&] {
    auto exists = ctx.db.Q(
        // A name that differs only in case is the same account to the login throttles and
        // rates (and to a reader of the audit log): refused as a duplicate.
        "SELECT 1 FROM support.users WHERE lower(username) = lower($1)"
        " OR ($2::text IS NOT NULL AND email = $2)",
        *username, email);
    if (exists.Rows() > 0)
      throw ApiError(409, "conflict",
                     "a user with that username (in any case) or email already exists");
    // ON CONFLICT: a concurrent create of the same name (in any case: V072's unique index on
    // lower(username)) or email that committed after the check above is a 409 too.
    auto r = ctx.db.Q(std::string("INSERT INTO support.users (username, email, password_hash, role)"
                                  " VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING RETURNING ") +
                          kUserColumns,
                      *username, email, hash, *role);
    if (r.Rows() == 0)
      throw ApiError(409, "conflict", "a user with that username or email already exists");
    WriteAudit(ctx.db, ctx.req,
               {ctx.user->username, "USER_CREATE", std::string("user"), r.GetInt(0, 0),
                "{\"username\":" + JsonString(*username) + ",\"role\":" + JsonString(*role) + "}"});
    AppendRowJson(out, r, 0);
  });
  Response res = Envelope(out, "{}", 201);
  return res;
}

Response PatchUser(Ctx& ctx, UserStates& users, HashingPool& hashing) {
  Params p(ctx.req);
  int64_t id = p.PathId("id");
  p.Check();
  auto o = ParseBody(ctx.req);
  auto role = StringField(o, "role", p);
  auto password = StringField(o, "password", p);
  std::optional<bool> active;
  if (const auto* a = o.if_contains("active"); a && !a->is_null()) {
    if (a->is_bool())
      active = a->as_bool();
    else
      p.Fail("active", "must be true or false");
  }
  for (const auto& kv : o)
    if (kv.key() != "role" && kv.key() != "password" && kv.key() != "active")
      p.Fail(std::string(kv.key()), "is not a field that can be changed (role, active, password)");
  if (role && !ParseRole(*role)) p.Fail("role", "must be one of ADMIN, ANALYST, VIEWER");
  if (!role && !password && !active && o.empty())
    p.Fail("body", "must change at least one of role, active, password");
  p.Check();
  std::string out;
  int64_t changed_id = 0;
  UserStates::State state;
  InTransaction(ctx, [&] {
    auto cur = ctx.db.Q("SELECT username FROM support.users WHERE user_id = $1 FOR UPDATE", id);
    if (cur.Rows() == 0)
      throw ApiError(404, "not_found", "user " + std::to_string(id) + " does not exist");
    std::optional<std::string> hash;
    if (password) {
      if (auto weak = PasswordWeakness(*password, cur.GetString(0, 0))) {
        Params bad(ctx.req);
        bad.Fail("password", "is too weak: " + *weak);
        bad.Check();
      }
      hash = hashing.Hash(*password);
    }
    if (id == ctx.user->user_id && ((active && !*active) || (role && *role != "ADMIN")))
      throw ApiError(409, "conflict", "an admin cannot demote or deactivate their own account");
    // A new password, role or active flag bumps the token version: every token issued before
    // (in the same second too) is refused from now on (see UserStates).
    auto r = ctx.db.Q(
        std::string(
            "UPDATE support.users SET role = coalesce($2, role), active = coalesce($3, active),"
            " password_hash = coalesce($4, password_hash),"
            " password_changed_at = CASE WHEN $4::text IS NULL THEN password_changed_at ELSE now() "
            "END,"
            " token_version = token_version + CASE WHEN $4::text IS NOT NULL"
            " OR coalesce($2::text <> role, false) OR coalesce($3::boolean <> active, false)"
            " THEN 1 ELSE 0 END,"
            " updated_at = now() WHERE user_id = $1 RETURNING ") +
            kUserColumns + ", token_version",
        id, role, pg::ToParam(active), hash);
    state = {r.GetBool(0, r.Column("active")), r.GetInt(0, r.Column("token_version"))};
    changed_id = id;
    // Other servers learn it at commit.
    ctx.db.Q("SELECT pg_notify('corrente_revoked', $1)", AccountNotice(id, state));
    std::string details = "{";
    if (role) details += "\"role\":" + JsonString(*role);
    if (active)
      details +=
          std::string(details.size() > 1 ? "," : "") + "\"active\":" + (*active ? "true" : "false");
    if (password) details += std::string(details.size() > 1 ? "," : "") + "\"password_reset\":true";
    details += "}";
    WriteAudit(ctx.db, ctx.req,
               {ctx.user->username, password ? "USER_PASSWORD_RESET" : "USER_UPDATE",
                std::string("user"), id, details});
    AppendRowJson(out, r, 0, {"token_version"});
  });
  // This server, once committed (before, a failed commit would leave it ahead of the table).
  if (changed_id) users.Set(changed_id, state);
  return Envelope(out);
}

Response AuditLogs(Ctx& ctx) {
  Params p(ctx.req);
  auto actor = p.Text("actor");
  auto action = p.Text("action");
  auto from = p.Date("from");
  auto to = p.Date("to");
  int64_t limit = p.Limit(), offset = p.Offset();
  p.Check();
  const std::string sql =
        "SELECT audit_id, actor, action, entity_type, entity_id, details, host(ip_address) AS "
        "ip_address,"
        " user_agent, \"timestamp\", count(*) OVER () AS total_count FROM support.audit_logs"
        " WHERE ($1::text IS NULL OR actor = $1) AND ($2::text IS NULL OR action = $2)"
        " AND ($3::date IS NULL OR \"timestamp\" >= $3::date)"
        " AND ($4::date IS NULL OR \"timestamp\" < $4::date + 1)"
        " ORDER BY \"timestamp\" DESC, audit_id DESC LIMIT $5 OFFSET $6";
  const AuditEntry read{ctx.user->username, "ADMIN_AUDIT_READ", std::string("audit_log"),
                        std::nullopt, "{}"};
  if (Streams(ctx, limit)) {
    // An export: its audit row commits first, then the rows stream from their own snapshot.
    InTransaction(ctx, [&] { WriteAudit(ctx.db, ctx.req, read); });
    return ListPage(ctx, sql, {actor, action, from, to}, limit, offset);
  }
  Page page;
  InTransaction(ctx, [&] {
    page = PageQuery(ctx.db, sql, {actor, action, from, to}, limit, offset);
    WriteAudit(ctx.db, ctx.req, read);
  });
  return ListReply(ctx, page.rows, page.total, limit, offset);
}

}  // namespace

void AddAdminRoutes(std::vector<ApiRoute>& routes, Services& s) {
  routes.push_back({"GET",
                    "/api/v1/admin/users",
                    Role::kAdmin,
                    false,
                    true,
                    "admin",
                    "List users (audited)",
                    {{"role", "query", "string", {"ADMIN", "ANALYST", "VIEWER"}, "role"},
                     {"active", "query", "boolean", {}, "active flag"},
                     LimitDoc(),
                     OffsetDoc(),
                     FormatDoc()},
                    "",
                    ListUsers});
  routes.push_back(
      {"POST",
       "/api/v1/admin/users",
       Role::kAdmin,
       false,
       false,
       "admin",
       "Create a user (password checked for strength, hashed with argon2id)",
       {},
       R"({"type":"object","required":["username","password","role"],"properties":{"username":{"type":"string"},"password":{"type":"string"},"role":{"enum":["ADMIN","ANALYST","VIEWER"]},"email":{"type":"string"}}})",
       [&s](Ctx& c) { return CreateUser(c, s.hashing); }});
  routes.push_back(
      {"PATCH",
       "/api/v1/admin/users/{id}",
       Role::kAdmin,
       false,
       false,
       "admin",
       "Change a user's role or active flag, or reset the password",
       {IdDoc("id")},
       R"({"type":"object","properties":{"role":{"enum":["ADMIN","ANALYST","VIEWER"]},"active":{"type":"boolean"},"password":{"type":"string"}}})",
       [&s](Ctx& c) { return PatchUser(c, s.users, s.hashing); }});
  routes.push_back({"GET",
                    "/api/v1/admin/audit-logs",
                    Role::kAdmin,
                    false,
                    true,
                    "admin",
                    "Read the audit log, newest first (audited)",
                    {{"actor", "query", "string", {}, "exact actor"},
                     {"action", "query", "string", {}, "exact action, e.g. LOGIN_FAILURE"},
                     {"from", "query", "date", {}, "first day (UTC)"},
                     {"to", "query", "date", {}, "last day (UTC), inclusive"},
                     LimitDoc(),
                     OffsetDoc(),
                     FormatDoc()},
                    "",
                    AuditLogs});
}

}  // namespace corrente::server
