#include "server/throttled_logins.h"

#include <algorithm>

#include "common/json.h"

namespace corrente::server {
namespace {

std::string Iso(ThrottledLogins::Clock::time_point t) {
  std::time_t s = ThrottledLogins::Clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&s, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

}  // namespace

ThrottledLogins::ThrottledLogins(std::chrono::seconds window, size_t max_accounts,
                                 size_t max_addresses)
    : window_(window), max_accounts_(max_accounts), max_addresses_(max_addresses) {}

ThrottledLogins::Window& ThrottledLogins::Add(Window& w, const std::string& address,
                                              Clock::time_point now) {
  Summary& s = w.summary;
  if (s.attempts == 0) s.first = now;
  s.last = now;
  s.attempts++;
  if (auto it = s.addresses.find(address); it != s.addresses.end())
    it->second++;
  else if (s.addresses.size() < max_addresses_)
    s.addresses.emplace(address, 1);
  else
    s.other_addresses++;
  return w;
}

bool ThrottledLogins::Record(const std::string& account, const std::string& username,
                             const std::string& address, Clock::time_point now) {
  std::lock_guard l(mu_);
  auto it = windows_.find(account);
  if (it != windows_.end() && now - it->second.started < window_) {
    Add(it->second, address, now);
    return false;
  }
  if (it != windows_.end()) {
    // The account's last window ended and was not taken yet: its count stays for Take(); a
    // new window starts under the same key only once that one is written.
    if (it->second.summary.attempts > 0) {
      Add(it->second, address, now);
      return false;
    }
    windows_.erase(it);
  }
  if (windows_.size() >= max_accounts_) {
    // Many accounts at once (unknown names from a botnet): one summary for all the rest.
    auto& all = windows_["*"];
    if (all.summary.username.empty()) {
      all.started = now;
      all.summary.username = "*";
    }
    Add(all, address, now);
    return false;
  }
  Window& w = windows_[account];
  w.started = now;
  w.summary.username = username;
  return true;
}

std::vector<ThrottledLogins::Summary> ThrottledLogins::Take(Clock::time_point now, bool all) {
  std::vector<Summary> out;
  std::lock_guard l(mu_);
  for (auto it = windows_.begin(); it != windows_.end();) {
    if (all || now - it->second.started >= window_) {
      if (it->second.summary.attempts > 0) out.push_back(std::move(it->second.summary));
      it = windows_.erase(it);
    } else {
      ++it;
    }
  }
  return out;
}

size_t ThrottledLogins::Open() const {
  std::lock_guard l(mu_);
  return windows_.size();
}

std::string ThrottledLogins::Summary::DetailsJson() const {
  std::string a;
  for (const auto& [addr, n] : addresses)
    a += (a.empty() ? "" : ",") + JsonString(addr) + ":" + std::to_string(n);
  return "{\"reason\":\"throttled\",\"summary\":true,\"attempts\":" + std::to_string(attempts) +
         ",\"addresses\":{" + a + "},\"other_addresses\":" + std::to_string(other_addresses) +
         ",\"first_at\":\"" + Iso(first) + "\",\"last_at\":\"" + Iso(last) + "\"}";
}

std::string ThrottledLogins::Summary::TopAddress() const {
  auto it = std::max_element(addresses.begin(), addresses.end(),
                             [](const auto& a, const auto& b) { return a.second < b.second; });
  return it == addresses.end() ? std::string() : it->first;
}

}  // namespace corrente::server
