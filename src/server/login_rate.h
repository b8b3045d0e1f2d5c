#pragma once
// A rate on every login attempt, the right password or not: a token bucket per key (a client
// address, an account). A bucket holds at most `burst` tokens and gains `per_minute` a minute;
// an attempt takes one before its password is checked, and without one it is refused (429 with
// Retry-After, held by the tarpit) without hashing. The failed-login throttle (auth.h) stops
// guessing; this stops a flood of valid logins from keeping argon2id busy. Thread-safe.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace corrente::server {

struct RateLimit {
  double burst = 0;       // tokens a full bucket holds
  double per_minute = 0;  // tokens gained a minute
  bool Enabled() const { return burst >= 1 && per_minute > 0; }
};

// "BURST/PER_MINUTE" (e.g. "20/30"; BURST >= 1, PER_MINUTE > 0) or "off"; nullopt otherwise.
std::optional<RateLimit> ParseRateLimit(std::string_view text);
std::string FormatRateLimit(const RateLimit& r);

// Pure bucket arithmetic: the tokens a bucket holds at `now` that held `tokens` at `then`, and
// the whole seconds until a bucket holding `tokens` (< 1) has one (at least 1).
using SteadyTime = std::chrono::steady_clock::time_point;
double RefilledTokens(double tokens, SteadyTime then, SteadyTime now, const RateLimit& r);
int64_t SecondsToToken(double tokens, const RateLimit& r);

// The key that a client address is throttled under (LoginRate, the failed-login throttle): an
// IPv4 address as it is (also when it arrives IPv4-mapped, "::ffff:a.b.c.d"), and an IPv6 one
// as its /64, the block one client gets, or each of its 2^64 addresses would have a bucket of
// its own. Anything else is returned unchanged.
std::string ClientKey(const std::string& address);

class LoginRate {
 public:
  explicit LoginRate(RateLimit limit) : limit_(limit) {}
  // Takes a token of `key` and returns 0; or takes nothing and returns the seconds to wait.
  int64_t Take(const std::string& key, SteadyTime now = std::chrono::steady_clock::now());
  // Gives back a token Take gave (the attempt checked no password).
  void Refund(const std::string& key, SteadyTime now = std::chrono::steady_clock::now());
  // What Take would return now, taking nothing.
  int64_t Wait(const std::string& key, SteadyTime now = std::chrono::steady_clock::now());
  // Counts a refusal made from Wait (Take counts its own).
  void CountRefused() { ++refused_; }
  const RateLimit& Limit() const { return limit_; }
  uint64_t Refused() const { return refused_.load(); }
  size_t Keys() {
    std::lock_guard l(mu_);
    return buckets_.size();
  }

 private:
  struct Bucket {
    double tokens;
    SteadyTime at;
  };
  // The key's bucket refilled to `now` (a new one is full). Holds mu_.
  Bucket& At(const std::string& key, SteadyTime now);

  const RateLimit limit_;
  std::mutex mu_;
  std::unordered_map<std::string, Bucket> buckets_;
  SteadyTime swept_{};  // at most one sweep a second, not one per attempt
  std::atomic<uint64_t> refused_{0};
};

}  // namespace corrente::server
