#pragma once
// Logins refused by the failure throttle, audited in bounded form. The first refused attempt
// of an account in a window is written at once (as before: an auditor sees the lock being
// hit); the others are counted here, per account and client address, and written as one
// summary row per account when the window ends. A flood on a locked account is then two
// INSERTs a window, not one per attempt. Pure bookkeeping, no database: thread-safe.
#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

namespace corrente::server {

class ThrottledLogins {
 public:
  using Clock = std::chrono::system_clock;

  // `window`: how long attempts of one account are gathered into one row. At most
  // `max_accounts` accounts are tracked per window (past that they are gathered under the
  // account "*"), and `max_addresses` addresses per account (the rest counted as other).
  explicit ThrottledLogins(std::chrono::seconds window = std::chrono::seconds(60),
                           size_t max_accounts = 10000, size_t max_addresses = 20);

  // One refused attempt of `account` (the key the throttle counts: lower-cased) typed as
  // `username` from `address`. True when it is the first of the account's window: the caller
  // writes its audit row at once. Otherwise it is counted for the window's summary.
  bool Record(const std::string& account, const std::string& username, const std::string& address,
              Clock::time_point now = Clock::now());

  struct Summary {
    std::string username;  // as typed in the window's first attempt ("*": past max_accounts)
    int64_t attempts = 0;  // after the first, which has its own row
    std::map<std::string, int64_t> addresses;
    int64_t other_addresses = 0;  // attempts from addresses past max_addresses
    Clock::time_point first, last;
    std::string DetailsJson() const;  // the audit row's details
    std::string TopAddress() const;   // the address with the most attempts (the row's ip)
  };

  // Removes and returns the summaries of windows that ended by `now` (every one with `all`,
  // at shutdown); windows with no attempt past their first leave nothing.
  std::vector<Summary> Take(Clock::time_point now = Clock::now(), bool all = false);

  // Accounts with a window open (for tests and /metrics).
  size_t Open() const;

 private:
  struct Window {
    Clock::time_point started;
    Summary summary;
  };
  Window& Add(Window& w, const std::string& address, Clock::time_point now);

  const std::chrono::seconds window_;
  const size_t max_accounts_, max_addresses_;
  mutable std::mutex mu_;
  std::unordered_map<std::string, Window> windows_;
};

}  // namespace corrente::server
