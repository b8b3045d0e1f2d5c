#include "server/login_rate.h"

#include <arpa/inet.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>

namespace corrente::server {
namespace {

constexpr size_t kKeys = 100000;

std::optional<double> Number(std::string_view s) {
  double v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size() || !std::isfinite(v)) return std::nullopt;
  return v;
}

}  // namespace

std::optional<RateLimit> ParseRateLimit(std::string_view text) {
  if (text == "off") return RateLimit{};
  auto slash = text.find('/');
  if (slash == std::string_view::npos) return std::nullopt;
  auto burst = Number(text.substr(0, slash)), per_minute = Number(text.substr(slash + 1));
  if (!burst || !per_minute || *burst < 1 || *burst > 1e6 || *per_minute <= 0 ||
      *per_minute > 1e6)
    return std::nullopt;
  return RateLimit{std::floor(*burst), *per_minute};
}

std::string FormatRateLimit(const RateLimit& r) {
  if (!r.Enabled()) return "off";
  char buf[64];
  std::snprintf(buf, sizeof buf, "%g/%g", r.burst, r.per_minute);
  return buf;
}

std::string ClientKey(const std::string& address) {
  in6_addr a{};
  if (address.find(':') == std::string::npos || inet_pton(AF_INET6, address.c_str(), &a) != 1)
    return address;
  static constexpr unsigned char kMapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  char text[INET6_ADDRSTRLEN] = {};
  if (std::equal(kMapped, kMapped + 12, a.s6_addr)) {
    inet_ntop(AF_INET, a.s6_addr + 12, text, sizeof text);
    return text;
  }
  std::fill(a.s6_addr + 8, a.s6_addr + 16, 0);
  inet_ntop(AF_INET6, &a, text, sizeof text);
  return std::string(text) + "/64";
}

double RefilledTokens(double tokens, SteadyTime then, SteadyTime now, const RateLimit& r) {
  double minutes = std::chrono::duration<double, std::ratio<60>>(now - then).count();
  return std::min(r.burst, tokens + std::max(0.0, minutes) * r.per_minute);
}

int64_t SecondsToToken(double tokens, const RateLimit& r) {
  double seconds = (1 - tokens) * 60 / r.per_minute;
  return std::max<int64_t>(1, static_cast<int64_t>(std::ceil(seconds - 1e-9)));
}

LoginRate::Bucket& LoginRate::At(const std::string& key, SteadyTime now) {
  // Full buckets hold nothing worth keeping: forget them when the map grows, at most once a
  // second. Past twice the bound (attempts from that many addresses or names within a refill)
  // start over: every bucket full again, rather than memory without end.
  if (buckets_.size() > kKeys && now - swept_ >= std::chrono::seconds(1)) {
    swept_ = now;
    std::erase_if(buckets_, [&](const auto& kv) {
      return RefilledTokens(kv.second.tokens, kv.second.at, now, limit_) >= limit_.burst;
    });
  }
  if (buckets_.size() > 2 * kKeys) buckets_.clear();
  auto [it, added] = buckets_.try_emplace(key, Bucket{limit_.burst, now});
  Bucket& b = it->second;
  if (!added) b = {RefilledTokens(b.tokens, b.at, now, limit_), std::max(b.at, now)};
  return b;
}

int64_t LoginRate::Take(const std::string& key, SteadyTime now) {
  if (!limit_.Enabled()) return 0;
  std::lock_guard l(mu_);
  Bucket& b = At(key, now);
  if (b.tokens < 1) {
    ++refused_;
    return SecondsToToken(b.tokens, limit_);
  }
  b.tokens -= 1;
  return 0;
}

void LoginRate::Refund(const std::string& key, SteadyTime now) {
  if (!limit_.Enabled()) return;
  std::lock_guard l(mu_);
  Bucket& b = At(key, now);
  b.tokens = std::min(limit_.burst, b.tokens + 1);
}

int64_t LoginRate::Wait(const std::string& key, SteadyTime now) {
  if (!limit_.Enabled()) return 0;
  std::lock_guard l(mu_);
  auto it = buckets_.find(key);
  if (it == buckets_.end()) return 0;
  double tokens = RefilledTokens(it->second.tokens, it->second.at, now, limit_);
  return tokens < 1 ? SecondsToToken(tokens, limit_) : 0;
}

}  // namespace corrente::server
