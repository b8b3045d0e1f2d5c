#pragma once
// Authentication: HS256 JWTs with the algorithm pinned (libjwt), the signing secret, the
// in-memory set of revoked token ids, and failed-login throttling. All classes here are
// thread-safe.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <unordered_map>
#include <unordered_set>

#include "common/config.h"
#include "server/api.h"

namespace corrente::server {

inline constexpr const char* kJwtIssuer = "corrente";
inline constexpr const char* kJwtAudience = "corrente-api";

// Seconds since the Unix epoch: the clock a token's expiry is read against.
int64_t NowUnix();

// The signing secret: CORRENTE_JWT_SECRET (at least 32 bytes), else the 0600 file
// <CORRENTE_HOME>/jwt_secret. In development a missing file is created with 32 random bytes
// (hex); in production a missing secret is an error. Throws std::runtime_error.
std::string LoadJwtSecret(const Config& config);

class RevokedTokens {
 public:
  bool Contains(const std::string& jti) const;
  void Add(const std::string& jti, int64_t expires_at);
  // Replaces the set (used after (re)loading it from support.revoked_tokens).
  void Reset(std::unordered_map<std::string, int64_t> all);
  size_t Size() const;
  // True once Reset() has run: before, a revoked token would pass (tokens are refused then).
  bool Loaded() const { return loaded_; }
  // Counts Add() and Reset() calls, each counted after its change is made (token_check.h).
  uint64_t Changes() const { return changes_.load(); }

 private:
  mutable std::shared_mutex mu_;
  std::unordered_map<std::string, int64_t> jti_;  // -> expiry (unix seconds)
  std::atomic<bool> loaded_{false};
  std::atomic<uint64_t> changes_{0};
};

// What the server knows about each account, so that deactivating a user, changing their
// role, resetting their password or logging out everywhere ends the tokens issued before:
// each bumps support.users.token_version, and a token whose version is lower than the
// account's is refused. Kept current by the handlers (after their commit) and by NOTIFY
// corrente_revoked from other servers; a state never replaces one of a higher version.
class UserStates {
 public:
  struct State {
    bool active = true;
    int64_t token_version = 0;
  };
  // nullopt when the token's account is unknown to the server or the token is acceptable;
  // otherwise the reason to refuse it.
  std::optional<std::string> Refuse(const Principal& p) const;
  // Takes `s` unless the server already knows a higher version of the account.
  void Set(int64_t user_id, State s);
  // Set() for each account of a full reload; accounts missing from `all` are kept.
  void Reset(const std::unordered_map<int64_t, State>& all);
  // True once Reset() has run: before, a token older than its account's version would pass.
  bool Loaded() const { return loaded_; }
  // Counts Set() calls (Reset()'s included), each counted after its change (token_check.h).
  uint64_t Changes() const { return changes_.load(); }

 private:
  mutable std::shared_mutex mu_;
  std::unordered_map<int64_t, State> users_;
  std::atomic<bool> loaded_{false};
  std::atomic<uint64_t> changes_{0};
};

// The NOTIFY corrente_revoked payload announcing an account's state:
// "account <id> <active 0|1> <token_version>". ParseAccountNotice is nullopt for other
// payloads (a token's "<jti> <exp>").
std::string AccountNotice(int64_t user_id, const UserStates::State& s);
std::optional<std::pair<int64_t, UserStates::State>> ParseAccountNotice(const std::string& payload);

class Jwt {
 public:
  Jwt(std::string secret, std::chrono::seconds ttl) : secret_(std::move(secret)), ttl_(ttl) {}
  // Signs a token for the user; sets p.jti and p.expires_at.
  std::string Issue(Principal& p) const;
  // Verifies signature (HS256 only), exp, iss, aud, and the claims we rely on.
  // nullopt with `why` filled when the token is not acceptable.
  std::optional<Principal> Verify(const std::string& token, std::string* why) const;
  std::chrono::seconds Ttl() const { return ttl_; }

 private:
  std::string secret_;
  std::chrono::seconds ttl_;
};

// Counts failed logins per key (an account or a client address) in a window that starts at
// the key's first failure. An attempt is counted before its password is checked (Reserve), so
// concurrent attempts cannot all pass the check: failures plus attempts in progress never
// exceed `max_failures`, however many requests arrive at once.
class LoginThrottle {
 public:
  LoginThrottle(int max_failures, std::chrono::seconds window)
      : max_(max_failures), window_(window) {}
  // Reserves a place for one attempt and returns 0; or reserves nothing and returns the
  // seconds to wait: until the window ends when the failures used it up, 1 when attempts in
  // progress hold the remaining places.
  int64_t Reserve(const std::string& key);
  // Ends a reserved attempt: Fail counts it as a failure; Release forgets it (its password
  // was not checked, or it succeeded on an address); Success also forgets the key's failures
  // (a successful login to that account).
  void Fail(const std::string& key);
  void Release(const std::string& key);
  void Success(const std::string& key);

 private:
  struct Entry {
    int failures = 0;
    int pending = 0;  // reserved, not yet ended
    std::chrono::steady_clock::time_point first;
  };
  // Ends one pending attempt; erases the entry when nothing is left in it. Holds mu_.
  void EndPending(std::unordered_map<std::string, Entry>::iterator it);

  int max_;
  std::chrono::seconds window_;
  std::mutex mu_;
  std::unordered_map<std::string, Entry> entries_;
  std::chrono::steady_clock::time_point swept_{};  // at most one sweep a second, not one per attempt
};

}  // namespace corrente::server
