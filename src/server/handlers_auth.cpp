// POST /api/v1/auth/login, GET /auth/me, POST /auth/refresh, POST /auth/logout,
// POST /auth/logout-all.
#include <boost/json.hpp>

#include "common/log.h"
#include "common/password.h"
#include "server/handlers.h"

namespace corrente::server {
namespace {

// One login's place in both throttles, reserved before its password is checked. A failure
// counts on both; a success clears the account's failures and frees its place on the
// address; a login whose password was never checked (the hashing pool was full, the
// database failed) frees both. Then a token of both login rates (login_rate.h): spent once the
// password is checked, given back otherwise.
class LoginAttempt {
 public:
  LoginAttempt(Services& s, std::string account, std::string address)
      : s_(s), account_(std::move(account)), address_(std::move(address)) {
    wait_ = s_.account_throttle.Reserve(account_);
    if (wait_ > 0) return;
    wait_ = s_.address_throttle.Reserve(address_);
    if (wait_ > 0) {
      s_.account_throttle.Release(account_);
      return;
    }
    rate_wait_ = s_.address_rate.Take(address_);
    if (rate_wait_ > 0) return;
    rate_wait_ = s_.account_rate.Take(account_);
    if (rate_wait_ > 0) s_.address_rate.Refund(address_);
  }
  ~LoginAttempt() {
    if (wait_ > 0 || ended_) return;
    s_.account_throttle.Release(account_);
    s_.address_throttle.Release(address_);
    if (rate_wait_ > 0) return;
    s_.address_rate.Refund(address_);
    s_.account_rate.Refund(account_);
  }
  LoginAttempt(const LoginAttempt&) = delete;
  LoginAttempt& operator=(const LoginAttempt&) = delete;
  // Seconds to wait when either throttle refused the attempt (nothing is reserved then).
  int64_t Refused() const { return wait_; }
  // Seconds to wait when a login rate refused it (no token is held then).
  int64_t RateLimited() const { return wait_ > 0 ? 0 : rate_wait_; }
  void Failed() {
    ended_ = true;
    s_.account_throttle.Fail(account_);
    s_.address_throttle.Fail(address_);
  }
  void Succeeded() {
    ended_ = true;
    s_.account_throttle.Success(account_);
    s_.address_throttle.Release(address_);
  }

 private:
  Services& s_;
  std::string account_, address_;
  int64_t wait_ = 0, rate_wait_ = 0;
  bool ended_ = false;
};

// Verifying against this when the user does not exist keeps the timing of "no such user"
// and "wrong password" alike.
const std::string& DummyHash() {
  static const std::string h = HashPassword(RandomPassword(24));
  return h;
}

std::string TokenJson(const std::string& token, const Jwt& jwt, const Principal& p) {
  return "{\"access_token\":" + JsonString(token) +
         ",\"token_type\":\"bearer\",\"expires_in\":" + std::to_string(jwt.Ttl().count()) +
         ",\"role\":\"" + RoleName(p.role) + "\",\"username\":" + JsonString(p.username) + "}";
}

// 429 with Retry-After: `seconds`.
ApiError TooMany(int64_t seconds, const std::string& why) {
  ApiError e(429, "too_many_requests", why + "; try again in " + std::to_string(seconds) + " s");
  e.headers.emplace_back("Retry-After", std::to_string(seconds));
  return e;
}

ApiError Throttled(int64_t seconds) {
  return TooMany(seconds, "too many failed or concurrent logins");
}

}  // namespace

ApiError LoginRateLimited(int64_t seconds) {
  return TooMany(seconds, "too many logins from this address or for this account");
}

size_t WriteThrottledSummaries(pg::Pool& pool, ThrottledLogins& throttled, bool all) {
  auto summaries = throttled.Take(ThrottledLogins::Clock::now(), all);
  if (summaries.empty()) return 0;
  Db db(pool);
  pg::Transaction tx(db.Conn());
  for (const auto& sm : summaries) {
    std::string top = sm.TopAddress();
    db.Q("INSERT INTO support.audit_logs (actor, action, entity_type, details, ip_address)"
         " VALUES ($1, 'LOGIN_FAILURE', 'user', $2::jsonb, $3::inet)",
         sm.username, sm.DetailsJson(),
         top.empty() ? std::optional<std::string>() : std::optional<std::string>(top));
  }
  tx.Commit();
  return summaries.size();
}

namespace {

Response Login(Ctx& ctx, Services& s) {
  boost::system::error_code ec;
  auto body = boost::json::parse(ctx.req.body, ec);
  if (ec || !body.is_object())
    throw ApiError(400, "invalid_body", "body must be a JSON object {username, password}");
  const auto& o = body.as_object();
  Params p(ctx.req);
  const auto* u = o.if_contains("username");
  const auto* pw = o.if_contains("password");
  // A NUL would end the name in libpq ("viewer\u0000x" logged in as viewer) while the throttle
  // counted it as another account.
  if (!u || !u->is_string() || u->as_string().empty() || u->as_string().size() > 64 ||
      std::string_view(u->as_string()).find('\0') != std::string_view::npos)
    p.Fail("username", "is required (a string of at most 64 characters, no NUL)");
  if (!pw || !pw->is_string() || pw->as_string().empty() || pw->as_string().size() > 1024)
    p.Fail("password", "is required (a string of at most 1024 characters)");
  p.Check();
  std::string username(u->as_string()), password(pw->as_string());
  std::string account_key = username, address_key = ClientKey(ctx.req.remote_address);
  for (auto& c : account_key) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));

  // `rehashed`: a migrated (bcrypt) or older argon2id hash verified; its successor is stored
  // with the success, unless the hash changed meanwhile (a password reset wins).
  std::optional<std::string> rehashed, old_hash;
  auto audit = [&](const char* action, const std::string& details, std::optional<int64_t> uid) {
    InTransaction(ctx, [&] {
      WriteAudit(ctx.db, ctx.req, {username, action, std::string("user"), uid, details});
      if (!uid || std::string_view(action) != "LOGIN_SUCCESS") return;
      ctx.db.Q("UPDATE support.users SET last_login = now() WHERE user_id = $1", *uid);
      if (!rehashed) return;
      auto up = ctx.db.Q(
          "UPDATE support.users SET password_hash = $2, updated_at = now()"
          " WHERE user_id = $1 AND password_hash = $3",
          *uid, *rehashed, *old_hash);
      if (up.AffectedRows() == 1)
        WriteAudit(ctx.db, ctx.req,
                   {username, "PASSWORD_REHASH", std::string("user"), uid,
                    "{\"from\":" + JsonString(HashScheme(*old_hash)) + ",\"to\":\"argon2id\"}"});
    });
  };

  LoginAttempt attempt(s, account_key, address_key);
  if (attempt.Refused() > 0) {
    // The window's first refusal of this account has its row now; the rest one summary row
    // when the window ends (throttled_logins.h), not an INSERT per attempt.
    if (s.throttled.Record(account_key, username, ctx.req.remote_address))
      audit("LOGIN_FAILURE", "{\"reason\":\"throttled\"}", std::nullopt);
    throw Throttled(attempt.Refused());
  }
  // Past a login rate: refused unchecked and not audited, like a full hashing pool (a flood
  // must not turn into a database write per attempt); counted on /metrics.
  if (attempt.RateLimited() > 0) throw LoginRateLimited(attempt.RateLimited());
  // Refused before the database is asked when the hashing pool is already full.
  if (s.hashing.Refuses()) throw HashingPool::Busy("too many password checks in progress");
  auto r = ctx.db.Q(
      "SELECT user_id, password_hash, role, active, token_version FROM support.users"
      " WHERE username = $1",
      username);
  bool found = r.Rows() == 1;
  if (found) old_hash = r.GetString(0, 1);
  auto checked = s.hashing.VerifyAndUpgrade(password, found ? *old_hash : DummyHash());
  bool ok = checked.ok;
  bool active = found && r.GetBool(0, 3);
  if (active) rehashed = std::move(checked.rehashed);
  if (!found || !ok || !active) {
    attempt.Failed();
    std::string reason = !found ? "unknown_user" : !ok ? "bad_password" : "inactive";
    audit("LOGIN_FAILURE", "{\"reason\":\"" + reason + "\"}",
          found ? std::optional<int64_t>(r.GetInt(0, 0)) : std::nullopt);
    throw ApiError(401, "invalid_credentials", "invalid username or password");
  }
  attempt.Succeeded();
  Principal pr;
  pr.user_id = r.GetInt(0, 0);
  pr.username = username;
  pr.role = ParseRole(r.Get(0, 2)).value_or(Role::kViewer);
  pr.token_version = r.GetInt(0, 4);
  // The version read with the hash: a change committed since then ends this token too.
  s.users.Set(pr.user_id, {true, pr.token_version});
  std::string token = s.jwt.Issue(pr);
  audit("LOGIN_SUCCESS", "{\"jti\":" + JsonString(pr.jti) + "}", pr.user_id);
  return Envelope(TokenJson(token, s.jwt, pr));
}

Response Me(Ctx& ctx) {
  auto r = ctx.db.Q(
      "SELECT user_id, username, email, role, active, last_login, password_changed_at, created_at"
      " FROM support.users WHERE user_id = $1",
      ctx.user->user_id);
  if (r.Rows() == 0 || !r.GetBool(0, 4))
    throw ApiError(401, "unauthorized", "the user no longer exists or is inactive");
  std::string obj;
  AppendRowJson(obj, r, 0);
  return Envelope(obj, "{\"token_expires_at\":" + std::to_string(ctx.user->expires_at) + "}");
}

// Revokes the caller's token in the same transaction as its audit row; the commit's NOTIFY
// tells every server (the listener adds it to their in-memory set). Only one request revokes a
// token: another that raced it (a logout and a refresh, two refreshes) or came after its
// revocation on a server that has not heard yet gets 401, so a logout cannot be outlived by a
// refresh's new token, nor one token refreshed into two.
void RevokeCurrent(Ctx& ctx, Services& s, const char* action, const std::string& details) {
  InTransaction(ctx, [&] {
    auto inserted = ctx.db.Q(
        "INSERT INTO support.revoked_tokens (jti, user_id, expires_at) VALUES ($1, $2, "
        "to_timestamp($3))"
        " ON CONFLICT (jti) DO NOTHING",
        ctx.user->jti, ctx.user->user_id, ctx.user->expires_at);
    if (inserted.AffectedRows() != 1)
      throw ApiError(401, "invalid_token", "token has been revoked");
    WriteAudit(ctx.db, ctx.req,
               {ctx.user->username, action, std::string("user"), ctx.user->user_id, details});
    ctx.db.Q("SELECT pg_notify('corrente_revoked', $1)",
             ctx.user->jti + " " + std::to_string(ctx.user->expires_at));
  });
  s.revoked.Add(ctx.user->jti, ctx.user->expires_at);
}

// The account is read again: a token whose version is behind the account's (a change this
// server has not heard of yet) is not renewed.
Response Refresh(Ctx& ctx, Services& s) {
  auto r =
      ctx.db.Q("SELECT username, role, active, token_version FROM support.users WHERE user_id = $1",
               ctx.user->user_id);
  if (r.Rows() == 0 || !r.GetBool(0, 2))
    throw ApiError(401, "unauthorized", "the user no longer exists or is inactive");
  if (r.GetInt(0, 3) != ctx.user->token_version)
    throw ApiError(401, "invalid_token",
                   "the token predates a change to the account; log in again");
  Principal pr;
  pr.user_id = ctx.user->user_id;
  pr.username = r.GetString(0, 0);
  pr.role = ParseRole(r.Get(0, 1)).value_or(Role::kViewer);
  pr.token_version = ctx.user->token_version;
  std::string token = s.jwt.Issue(pr);
  RevokeCurrent(
      ctx, s, "TOKEN_REFRESH",
      "{\"old_jti\":" + JsonString(ctx.user->jti) + ",\"new_jti\":" + JsonString(pr.jti) + "}");
  return Envelope(TokenJson(token, s.jwt, pr));
}

Response Logout(Ctx& ctx, Services& s) {
  RevokeCurrent(ctx, s, "LOGOUT", "{\"jti\":" + JsonString(ctx.user->jti) + "}");
  return Envelope("{\"revoked\":true}");
}

// Ends every token of the caller's account, on every server: the version goes up.
Response LogoutAll(Ctx& ctx, Services& s) {
  UserStates::State state;
  InTransaction(ctx, [&] {
    auto r = ctx.db.Q(
        "UPDATE support.users SET token_version = token_version + 1, updated_at = now()"
        " WHERE user_id = $1 RETURNING active, token_version",
        ctx.user->user_id);
    if (r.Rows() == 0) throw ApiError(401, "unauthorized", "the user no longer exists");
    state = {r.GetBool(0, 0), r.GetInt(0, 1)};
    ctx.db.Q("SELECT pg_notify('corrente_revoked', $1)", AccountNotice(ctx.user->user_id, state));
    WriteAudit(ctx.db, ctx.req,
               {ctx.user->username, "LOGOUT_ALL", std::string("user"), ctx.user->user_id,
                "{\"token_version\":" + std::to_string(state.token_version) + "}"});
  });
  s.users.Set(ctx.user->user_id, state);
  return Envelope("{\"revoked_all\":true}");
}

}  // namespace

void AddAuthRoutes(std::vector<ApiRoute>& routes, Services& s) {
  (void)DummyHash();  // computed once at start-up, not on the first failed login
  routes.push_back(
      {"POST",
       "/api/v1/auth/login",
       std::nullopt,
       false,
       false,
       "auth",
       "Exchange username and password for a bearer token (throttled after repeated failures)",
       {},
       R"({"type":"object","required":["username","password"],"properties":{"username":{"type":"string"},"password":{"type":"string"}}})",
       [&s](Ctx& c) { return Login(c, s); }});
  routes.push_back({"GET",
                    "/api/v1/auth/me",
                    Role::kViewer,
                    false,
                    false,
                    "auth",
                    "The caller's account",
                    {},
                    "",
                    Me});
  routes.push_back({"POST",
                    "/api/v1/auth/refresh",
                    Role::kViewer,
                    false,
                    false,
                    "auth",
                    "Swap a still-valid token for a fresh one (the old one is revoked)",
                    {},
                    "",
                    [&s](Ctx& c) { return Refresh(c, s); }});
  routes.push_back({"POST",
                    "/api/v1/auth/logout",
                    Role::kViewer,
                    false,
                    false,
                    "auth",
                    "Revoke the caller's token until it expires",
                    {},
                    "",
                    [&s](Ctx& c) { return Logout(c, s); }});
  routes.push_back({"POST",
                    "/api/v1/auth/logout-all",
                    Role::kViewer,
                    false,
                    false,
                    "auth",
                    "End every token of the caller's account, on every server",
                    {},
                    "",
                    [&s](Ctx& c) { return LogoutAll(c, s); }});
}

}  // namespace corrente::server
