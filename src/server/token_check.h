#pragma once
// A request's bearer-token check, done once: on the I/O thread, where it keys the client's slot
// of requests in flight and the response cache, and carried on the request (Request::token) to
// the worker, which does not check again. The moment that counts is the worker's start, as
// before: the worker takes the carried check only while no revocation or account change has
// landed since it was made (the two counters unchanged: two atomic loads) and the token has
// not expired; otherwise it checks again. A refusal is carried as well (401 missing, malformed,
// invalid, revoked or ended token; 503 before the listener's first load), and the role (403)
// is compared per route. Thread-safe.
#include <atomic>
#include <cstdint>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "server/api.h"
#include "server/auth.h"
#include "server/router.h"

namespace corrente::server {

struct TokenCheck {
  std::optional<Principal> principal;  // the caller, when the token passed
  std::optional<ApiError> refusal;     // else why not
  std::string authorization;           // the header it was made for (a passed check's)
  uint64_t changes = 0;  // revocations and account changes the check had seen (Changes())
};

class TokenChecker {
 public:
  TokenChecker(const Jwt& jwt, const RevokedTokens& revoked, const UserStates& users)
      : jwt_(jwt), revoked_(revoked), users_(users) {}
  // Checks the request's Authorization header now (the role aside).
  TokenCheck Check(const Request& req) const;
  // The request's check, made now unless it carries one (then kept on it): for the I/O thread.
  // The connection's previous check (Request::previous_token) is taken when it was made for
  // the same header and is current, as the worker takes the carried one.
  const TokenCheck& Carried(Request& req) const;
  // The caller when its token passes and its role is at least `min_role`; else throws the
  // ApiError (401, 403 or 503). Takes the request's carried check while it is current.
  Principal Require(const Request& req, Role min_role) const;
  // Tokens checked (Check() calls), for the tests.
  uint64_t Checks() const { return checks_.load(); }

 private:
  uint64_t Changes() const { return revoked_.Changes() + users_.Changes(); }
  // A passed check with no revocation or account change since, whose token has not expired.
  bool Current(const TokenCheck& c) const;
  // Tokens that passed verification, so a hot client does not pay for HMAC and JSON parsing on
  // every request. Expiry and revocation are still checked each time.
  std::optional<Principal> Verified(std::string_view token) const;
  void Remember(const std::string& token, const Principal& p) const;

  const Jwt& jwt_;
  const RevokedTokens& revoked_;
  const UserStates& users_;
  mutable std::atomic<uint64_t> checks_{0};
  mutable std::shared_mutex verified_mu_;
  // Looked up by the header's view of the token, without a copy.
  struct TokenHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  mutable std::unordered_map<std::string, Principal, TokenHash, std::equal_to<>> verified_;
};

}  // namespace corrente::server
