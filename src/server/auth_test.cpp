#include "server/auth.h"

#include <gtest/gtest.h>
#include <sodium.h>

#include "testlib/together.h"

namespace corrente::server {
namespace {

TEST(Jwt, IssueVerifyAndTamper) {
  ASSERT_GE(sodium_init(), 0);
  Jwt jwt(std::string(40, 'k'), std::chrono::seconds(60));
  Principal p;
  p.user_id = 7;
  p.username = "ana";
  p.role = Role::kAnalyst;
  p.token_version = 3;
  std::string t = jwt.Issue(p);
  std::string why;
  auto v = jwt.Verify(t, &why);
  ASSERT_TRUE(v) << why;
  EXPECT_EQ(v->username, "ana");
  EXPECT_EQ(v->role, Role::kAnalyst);
  EXPECT_EQ(v->jti, p.jti);
  EXPECT_EQ(v->token_version, 3);
  Jwt other(std::string(40, 'x'), std::chrono::seconds(60));
  EXPECT_FALSE(other.Verify(t, &why));
  // alg none: header {"alg":"none","typ":"JWT"} with the same claims and no signature.
  std::string none = "eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0." +
                     t.substr(t.find('.') + 1, t.rfind('.') - t.find('.') - 1) + ".";
  EXPECT_FALSE(jwt.Verify(none, &why));
  EXPECT_FALSE(jwt.Verify("garbage", &why));
}

Principal Token(int64_t version) {
  Principal p;
  p.user_id = 5;
  p.token_version = version;
  return p;
}

TEST(UserStates, AnOlderVersionIsRefusedAtOnce) {
  UserStates users;
  EXPECT_FALSE(users.Refuse(Token(0)));  // unknown account: the signature is all we have
  users.Set(5, {true, 2});
  EXPECT_TRUE(users.Refuse(Token(1)));
  EXPECT_FALSE(users.Refuse(Token(2)));
  EXPECT_FALSE(users.Refuse(Token(3)));  // issued after a change this server has not heard of
  users.Set(5, {false, 3});
  EXPECT_TRUE(users.Refuse(Token(3)));  // inactive
}

TEST(UserStates, ALateNoticeNeverUndoesANewerChange) {
  UserStates users;
  users.Set(5, {false, 4});
  users.Set(5, {true, 3});  // e.g. a login that read the row before the deactivation
  EXPECT_TRUE(users.Refuse(Token(4)));
  users.Reset({{5, {true, 2}}, {6, {true, 1}}});  // a reload that raced the notice
  EXPECT_TRUE(users.Refuse(Token(4)));
  EXPECT_TRUE(users.Refuse([] {
    Principal p = Token(0);
    p.user_id = 6;
    return p;
  }()));
  users.Set(5, {true, 5});  // reactivated
  EXPECT_FALSE(users.Refuse(Token(5)));
}

TEST(UserStates, AccountNoticeRoundTrips) {
  auto n = ParseAccountNotice(AccountNotice(42, {false, 9}));
  ASSERT_TRUE(n);
  EXPECT_EQ(n->first, 42);
  EXPECT_FALSE(n->second.active);
  EXPECT_EQ(n->second.token_version, 9);
  for (const char* bad : {"0123abcd 1700000000", "account 1 1", "account x 1 2", "account 1 1 2 3",
                          "account -1 1 2", "account 1 1 -2", "user 1 1 2", ""})
    EXPECT_FALSE(ParseAccountNotice(bad)) << bad;
}

TEST(Throttle, LocksAfterMaxFailures) {
  LoginThrottle t(3, std::chrono::seconds(60));
  for (int i = 0; i < 3; ++i) {
    ASSERT_EQ(t.Reserve("u"), 0);
    t.Fail("u");
  }
  EXPECT_GT(t.Reserve("u"), 1);  // until the window ends
  EXPECT_EQ(t.Reserve("v"), 0);
  t.Success("u");  // e.g. an admin reset; the account's count starts again
  EXPECT_EQ(t.Reserve("u"), 0);
}

TEST(Throttle, AttemptsInProgressHoldTheirPlaces) {
  LoginThrottle t(3, std::chrono::seconds(60));
  ASSERT_EQ(t.Reserve("u"), 0);
  t.Fail("u");
  ASSERT_EQ(t.Reserve("u"), 0);
  ASSERT_EQ(t.Reserve("u"), 0);
  EXPECT_EQ(t.Reserve("u"), 1);  // two in progress fill it: retry in a second
  t.Release("u");                // one was never checked
  ASSERT_EQ(t.Reserve("u"), 0);
  t.Success("u");  // the other succeeded: failures forgotten, one still in progress
  EXPECT_EQ(t.Reserve("u"), 0);
  EXPECT_EQ(t.Reserve("u"), 0);
  EXPECT_EQ(t.Reserve("u"), 1);
}

TEST(Throttle, ConcurrentAttemptsCannotPassTogether) {
  LoginThrottle t(5, std::chrono::seconds(60));
  int admitted = corrente::testing::CountTogether(40, [&] {
    if (t.Reserve("one-user") != 0) return false;
    t.Fail("one-user");
    return true;
  });
  EXPECT_EQ(admitted, 5);
}

}  // namespace
}  // namespace corrente::server
