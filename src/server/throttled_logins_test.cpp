#include "server/throttled_logins.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

namespace corrente::server {
namespace {

using std::chrono::seconds;
using T = ThrottledLogins::Clock::time_point;

TEST(ThrottledLogins, FirstOfAWindowIsWrittenTheRestSummarised) {
  ThrottledLogins t(seconds(60));
  T t0 = ThrottledLogins::Clock::from_time_t(1'800'000'000);
  EXPECT_TRUE(t.Record("admin", "Admin", "10.0.0.1", t0));
  for (int i = 1; i <= 999; ++i)
    EXPECT_FALSE(t.Record("admin", "ADMIN", i % 3 ? "10.0.0.1" : "10.0.0.2", t0 + seconds(i % 60)));
  EXPECT_TRUE(t.Take(t0 + seconds(59)).empty());  // the window is still open
  auto s = t.Take(t0 + seconds(60));
  ASSERT_EQ(s.size(), 1u);
  EXPECT_EQ(s[0].username, "Admin");  // as typed first
  EXPECT_EQ(s[0].attempts, 999);
  EXPECT_EQ(s[0].addresses.at("10.0.0.1"), 666);
  EXPECT_EQ(s[0].addresses.at("10.0.0.2"), 333);
  EXPECT_EQ(s[0].TopAddress(), "10.0.0.1");
  auto d = boost::json::parse(s[0].DetailsJson()).as_object();
  EXPECT_EQ(d.at("reason").as_string(), "throttled");
  EXPECT_EQ(d.at("attempts").as_int64(), 999);
  EXPECT_EQ(d.at("first_at").as_string(), "2027-01-15T08:00:01Z");
  EXPECT_EQ(t.Open(), 0u);
  // The next window starts with a row of its own again.
  EXPECT_TRUE(t.Record("admin", "admin", "10.0.0.1", t0 + seconds(61)));
}

TEST(ThrottledLogins, AWindowWithOneAttemptLeavesNoSummary) {
  ThrottledLogins t(seconds(60));
  T t0 = ThrottledLogins::Clock::from_time_t(1'800'000'000);
  EXPECT_TRUE(t.Record("a", "a", "1.1.1.1", t0));
  EXPECT_TRUE(t.Take(t0 + seconds(120)).empty());
  EXPECT_EQ(t.Open(), 0u);
}

TEST(ThrottledLogins, AttemptsAfterAnEndedWindowWaitForItsSummary) {
  ThrottledLogins t(seconds(60));
  T t0 = ThrottledLogins::Clock::from_time_t(1'800'000'000);
  EXPECT_TRUE(t.Record("a", "a", "1.1.1.1", t0));
  EXPECT_FALSE(t.Record("a", "a", "1.1.1.1", t0 + seconds(10)));
  EXPECT_FALSE(t.Record("a", "a", "1.1.1.1", t0 + seconds(70)));  // not yet taken: counted there
  auto s = t.Take(t0 + seconds(71));
  ASSERT_EQ(s.size(), 1u);
  EXPECT_EQ(s[0].attempts, 2);
}

TEST(ThrottledLogins, BoundedInAccountsAndAddresses) {
  ThrottledLogins t(seconds(60), /*max_accounts=*/3, /*max_addresses=*/2);
  T t0 = ThrottledLogins::Clock::from_time_t(1'800'000'000);
  int firsts = 0;
  for (int i = 0; i < 100; ++i)
    firsts += t.Record("user" + std::to_string(i), "user" + std::to_string(i),
                       "10.0.0." + std::to_string(i % 7), t0);
  EXPECT_EQ(firsts, 3);  // the rest are gathered under "*"
  EXPECT_LE(t.Open(), 4u);
  for (int i = 0; i < 10; ++i) t.Record("user0", "user0", "10.0.1." + std::to_string(i), t0);
  auto s = t.Take(t0, /*all=*/true);
  int64_t total = 0;
  for (const auto& x : s) {
    EXPECT_LE(x.addresses.size(), 2u);
    total += x.attempts;
  }
  EXPECT_EQ(total, 97 + 10);  // every attempt past the 3 written at once is counted
}

}  // namespace
}  // namespace corrente::server
