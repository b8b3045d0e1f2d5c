#include "server/login_rate.h"

#include <gtest/gtest.h>

#include "testlib/together.h"

namespace corrente::server {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

TEST(RateLimitParse, BurstSlashPerMinuteOrOff) {
  auto r = ParseRateLimit("20/30");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->burst, 20);
  EXPECT_EQ(r->per_minute, 30);
  EXPECT_TRUE(r->Enabled());
  EXPECT_EQ(FormatRateLimit(*r), "20/30");
  EXPECT_EQ(FormatRateLimit(*ParseRateLimit("3/0.5")), "3/0.5");
  ASSERT_TRUE(ParseRateLimit("off"));
  EXPECT_FALSE(ParseRateLimit("off")->Enabled());
  EXPECT_EQ(FormatRateLimit(*ParseRateLimit("off")), "off");
  for (const char* bad : {"", "20", "/30", "20/", "0/30", "20/0", "20/-1", "x/30", "20/30x", "20 /30"})
    EXPECT_FALSE(ParseRateLimit(bad)) << bad;
}

TEST(RateLimitMath, RefillIsLinearAndCapped) {
  RateLimit r{10, 30};  // one token every 2 s
  SteadyTime t0{};
  EXPECT_DOUBLE_EQ(RefilledTokens(0, t0, t0 + seconds(2), r), 1);
  EXPECT_DOUBLE_EQ(RefilledTokens(0.5, t0, t0 + seconds(3), r), 2);
  EXPECT_DOUBLE_EQ(RefilledTokens(9, t0, t0 + seconds(60), r), 10);  // capped at the burst
  EXPECT_DOUBLE_EQ(RefilledTokens(3, t0 + seconds(5), t0, r), 3);    // time never runs back
  EXPECT_EQ(SecondsToToken(0, r), 2);
  EXPECT_EQ(SecondsToToken(0.75, r), 1);  // half a second, rounded up to a whole one
  EXPECT_EQ(SecondsToToken(0, RateLimit{1, 1}), 60);
}

TEST(LoginRate, BurstThenRefusedUntilRefill) {
  LoginRate rate({3, 60});  // a token a second
  SteadyTime t0{};
  for (int i = 0; i < 3; ++i) EXPECT_EQ(rate.Take("a", t0), 0) << i;
  EXPECT_EQ(rate.Take("a", t0), 1);
  EXPECT_EQ(rate.Wait("a", t0), 1);
  EXPECT_EQ(rate.Take("b", t0), 0);  // another key has its own bucket
  EXPECT_EQ(rate.Take("a", t0 + milliseconds(500)), 1);
  EXPECT_EQ(rate.Take("a", t0 + milliseconds(1000)), 0);  // one token back after a second
  EXPECT_EQ(rate.Take("a", t0 + milliseconds(1000)), 1);
  EXPECT_EQ(rate.Wait("a", t0 + seconds(10)), 0);  // refilled: 3 again, no more
  for (int i = 0; i < 3; ++i) EXPECT_EQ(rate.Take("a", t0 + seconds(10)), 0) << i;
  EXPECT_GT(rate.Take("a", t0 + seconds(10)), 0);
  EXPECT_EQ(rate.Refused(), 4u);
}

TEST(LoginRate, RefundGivesBackAnUncheckedAttempt) {
  LoginRate rate({2, 1});
  SteadyTime t0{};
  ASSERT_EQ(rate.Take("a", t0), 0);
  ASSERT_EQ(rate.Take("a", t0), 0);
  EXPECT_EQ(rate.Take("a", t0), 60);
  rate.Refund("a", t0);
  EXPECT_EQ(rate.Wait("a", t0), 0);
  EXPECT_EQ(rate.Take("a", t0), 0);
  rate.Refund("b", t0);  // never more than the burst
  EXPECT_EQ(rate.Take("b", t0), 0);
  EXPECT_EQ(rate.Take("b", t0), 0);
  EXPECT_EQ(rate.Take("b", t0), 60);
}

TEST(LoginRate, OffAdmitsEverything) {
  LoginRate rate(*ParseRateLimit("off"));
  for (int i = 0; i < 1000; ++i) ASSERT_EQ(rate.Take("a"), 0);
  EXPECT_EQ(rate.Wait("a"), 0);
  EXPECT_EQ(rate.Refused(), 0u);
}

TEST(LoginRate, ConcurrentTakesNeverExceedTheBurst) {
  LoginRate rate({7, 0.001});  // no refill within the test
  EXPECT_EQ(corrente::testing::CountTogether(40, [&] { return rate.Take("office") == 0; }), 7);
  EXPECT_EQ(rate.Refused(), 33u);
}

TEST(LoginRate, ManyKeysStayBounded) {
  LoginRate rate({10, 6});
  auto t0 = std::chrono::steady_clock::now();
  // Ever-new names within one refill: none is full, so only the bound clears them.
  for (int i = 0; i < 250000; ++i) ASSERT_EQ(rate.Take("name" + std::to_string(i), t0), 0);
  EXPECT_LE(rate.Keys(), 200001u);
  // A minute later they are full again and one sweep forgets them.
  auto t1 = t0 + std::chrono::minutes(2);
  for (int i = 0; i < 100001; ++i) ASSERT_EQ(rate.Take("late" + std::to_string(i), t1), 0);
  ASSERT_EQ(rate.Take("one more", t1 + std::chrono::seconds(2)), 0);
  EXPECT_LE(rate.Keys(), 100003u);
}

TEST(ClientKey, IPv6IsThrottledByItsSlash64AndMappedIPv4AsIPv4) {
  EXPECT_EQ(ClientKey("127.0.0.1"), "127.0.0.1");
  EXPECT_EQ(ClientKey("::ffff:10.1.2.3"), "10.1.2.3");
  EXPECT_EQ(ClientKey("2001:db8:1:2:aaaa:bbbb:cccc:dddd"), "2001:db8:1:2::/64");
  // Another address of the same /64 shares its key; the next /64 does not.
  EXPECT_EQ(ClientKey("2001:db8:1:2::1"), ClientKey("2001:db8:1:2:ffff::9"));
  EXPECT_NE(ClientKey("2001:db8:1:3::1"), ClientKey("2001:db8:1:2::1"));
  EXPECT_EQ(ClientKey("::1"), "::/64");
  EXPECT_EQ(ClientKey(""), "");
  EXPECT_EQ(ClientKey("not:an:address"), "not:an:address");
}

}  // namespace
}  // namespace corrente::server
