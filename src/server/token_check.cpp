#include "server/token_check.h"

#include <strings.h>

#include <memory>
#include <mutex>

namespace corrente::server {

TokenCheck TokenChecker::Check(const Request& req) const {
  checks_++;
  TokenCheck c;
  // Read before the sets it guards: a change counted after this read is seen by Require().
  c.changes = Changes();
  auto refuse = [&c](ApiError e) {
    c.refusal = std::move(e);
    return c;
  };
  auto h = req.Header("authorization");
  if (!h) return refuse(ApiError(401, "unauthorized", "missing Authorization: Bearer token"));
  if (h->size() < 8 || strncasecmp(h->c_str(), "Bearer ", 7) != 0)
    return refuse(ApiError(401, "unauthorized", "Authorization must be a Bearer token"));
  // Until the listener has loaded the revoked tokens and the accounts' versions, a token
  // ended before a restart would pass: none is accepted meanwhile.
  if (!revoked_.Loaded() || !users_.Loaded()) {
    ApiError e(503, "service_unavailable", "the server is starting; retry shortly");
    e.headers.emplace_back("Retry-After", "1");
    return refuse(std::move(e));
  }
  std::string_view token = std::string_view(*h).substr(7);
  std::optional<Principal> p = Verified(token);
  if (!p) {
    std::string why, copy(token);
    p = jwt_.Verify(copy, &why);
    if (!p) return refuse(ApiError(401, "invalid_token", why));
    Remember(copy, *p);
  }
  if (revoked_.Contains(p->jti))
    return refuse(ApiError(401, "invalid_token", "token has been revoked"));
  if (auto why = users_.Refuse(*p)) return refuse(ApiError(401, "invalid_token", *why));
  c.principal = std::move(p);
  c.authorization = *h;
  return c;
}

const TokenCheck& TokenChecker::Carried(Request& req) const {
  if (!req.token) {
    const std::string* h = req.Header("authorization");
    if (req.previous_token && Current(*req.previous_token) && h &&
        *h == req.previous_token->authorization)
      req.token = std::move(req.previous_token);
    else
      req.token = std::make_shared<const TokenCheck>(Check(req));
  }
  return *req.token;
}

bool TokenChecker::Current(const TokenCheck& c) const {
  return c.principal && c.changes == Changes() && c.principal->expires_at > NowUnix();
}

Principal TokenChecker::Require(const Request& req, Role min_role) const {
  std::optional<TokenCheck> fresh;
  const TokenCheck* c = req.token.get();
  // A revocation or account change since the carried check, or an expiry: checked again.
  if (!c || (c->principal ? !Current(*c) : c->changes != Changes())) c = &fresh.emplace(Check(req));
  if (c->refusal) throw *c->refusal;
  if (static_cast<int>(c->principal->role) < static_cast<int>(min_role))
    throw ApiError(403, "forbidden", std::string("needs role ") + RoleName(min_role) + " or above");
  return *c->principal;
}

std::optional<Principal> TokenChecker::Verified(std::string_view token) const {
  std::shared_lock l(verified_mu_);
  auto it = verified_.find(token);
  if (it == verified_.end()) return std::nullopt;
  if (it->second.expires_at <= NowUnix()) return std::nullopt;
  return it->second;
}

void TokenChecker::Remember(const std::string& token, const Principal& p) const {
  std::unique_lock l(verified_mu_);
  if (verified_.size() >= 10000) verified_.clear();
  verified_.emplace(token, p);
}

}  // namespace corrente::server
