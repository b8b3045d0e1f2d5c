#include "server/token_check.h"

#include <gtest/gtest.h>
#include <sodium.h>

namespace corrente::server {
namespace {

struct Fixture {
  Jwt jwt{std::string(40, 'k'), std::chrono::seconds(60)};
  RevokedTokens revoked;
  UserStates users;
  TokenChecker checker{jwt, revoked, users};
  Principal who;
  std::string token;

  explicit Fixture(Role role = Role::kAnalyst) {
    EXPECT_GE(sodium_init(), 0);
    revoked.Reset({});
    users.Reset({{5, {true, 1}}});
    who.user_id = 5;
    who.username = "ana";
    who.role = role;
    who.token_version = 1;
    token = jwt.Issue(who);
  }
  Request Req(const std::string& authorization) const {
    Request r;
    r.headers["authorization"] = authorization;
    return r;
  }
  int Status(const Request& r, Role min_role) const {
    try {
      checker.Require(r, min_role);
      return 200;
    } catch (const ApiError& e) {
      return e.Status();
    }
  }
};

TEST(TokenCheck, CarriedOnceAndTakenByTheWorker) {
  Fixture f;
  Request r = f.Req("Bearer " + f.token);
  const TokenCheck& c = f.checker.Carried(r);
  ASSERT_TRUE(c.principal);
  EXPECT_EQ(c.principal->user_id, 5);
  f.checker.Carried(r);  // the fast path's second look: the same check
  EXPECT_EQ(f.checker.Checks(), 1u);
  EXPECT_EQ(f.checker.Require(r, Role::kViewer).username, "ana");  // the worker
  EXPECT_EQ(f.checker.Checks(), 1u);
  EXPECT_EQ(f.Status(r, Role::kAdmin), 403);  // the role per route, still no new check
  EXPECT_EQ(f.checker.Checks(), 1u);
  Request bare = f.Req("Bearer " + f.token);  // nothing carried: checked on the spot
  EXPECT_EQ(f.Status(bare, Role::kAnalyst), 200);
  EXPECT_EQ(f.checker.Checks(), 2u);
}

TEST(TokenCheck, RefusalsAreCarriedAsTheyWere) {
  Fixture f;
  auto carried = [&](const std::string& auth) {
    Request r = auth.empty() ? Request{} : f.Req(auth);
    f.checker.Carried(r);
    return f.Status(r, Role::kViewer);
  };
  EXPECT_EQ(carried(""), 401);
  EXPECT_EQ(carried("Basic abc"), 401);
  EXPECT_EQ(carried("Bearer not.a.token"), 401);
  Request r = f.Req("Bearer x");
  EXPECT_EQ(f.checker.Carried(r).refusal->Code(), "invalid_token");
}

TEST(TokenCheck, ARevocationAfterTheCarriedCheckIsHonoured) {
  Fixture f;
  Request r = f.Req("Bearer " + f.token);
  ASSERT_TRUE(f.checker.Carried(r).principal);
  f.revoked.Add(f.who.jti, f.who.expires_at);  // lands between the I/O thread and the worker
  EXPECT_EQ(f.Status(r, Role::kViewer), 401);
  EXPECT_EQ(f.checker.Checks(), 2u);
}

TEST(TokenCheck, AnAccountChangeAfterTheCarriedCheckIsHonoured) {
  Fixture f;
  Request r = f.Req("Bearer " + f.token);
  ASSERT_TRUE(f.checker.Carried(r).principal);
  f.users.Set(5, {true, 2});  // a password change: older tokens end
  EXPECT_EQ(f.Status(r, Role::kViewer), 401);
  Request other = f.Req("Bearer " + f.token);
  ASSERT_TRUE(f.checker.Carried(other).refusal);
  f.users.Set(6, {false, 9});  // someone else's change: checked again, still refused
  EXPECT_EQ(f.Status(other, Role::kViewer), 401);
}

TEST(TokenCheck, TheConnectionsPreviousCheckIsTakenOnlyWhileCurrent) {
  Fixture f;
  Request first = f.Req("Bearer " + f.token);
  ASSERT_TRUE(f.checker.Carried(first).principal);
  EXPECT_EQ(f.checker.Checks(), 1u);
  Request next = f.Req("Bearer " + f.token);  // the same connection, the same header
  next.previous_token = first.token;
  EXPECT_EQ(f.checker.Carried(next).principal->user_id, 5);
  EXPECT_EQ(next.token, first.token);
  EXPECT_EQ(f.checker.Checks(), 1u);  // not checked again
  // A revocation since: checked again, and refused.
  f.revoked.Add(f.who.jti, f.who.expires_at);
  Request after = f.Req("Bearer " + f.token);
  after.previous_token = first.token;
  EXPECT_TRUE(f.checker.Carried(after).refusal);
  EXPECT_EQ(f.checker.Checks(), 2u);
  // A refusal is never taken from the previous request: each request's own check.
  Request again = f.Req("Bearer " + f.token);
  again.previous_token = after.token;
  EXPECT_TRUE(f.checker.Carried(again).refusal);
  EXPECT_EQ(f.checker.Checks(), 3u);
}

TEST(TokenCheck, APreviousCheckOfAnotherHeaderIsNotTaken) {
  Fixture f;
  Request first = f.Req("Bearer " + f.token);
  ASSERT_TRUE(f.checker.Carried(first).principal);
  Principal other = f.who;
  other.user_id = 6;
  f.users.Set(6, {true, 1});
  Request next = f.Req("Bearer " + f.jwt.Issue(other));  // the same connection, another token
  next.previous_token = first.token;
  EXPECT_EQ(f.checker.Carried(next).principal->user_id, 6);
  EXPECT_NE(next.token, first.token);
  Request none;  // no header at all
  none.previous_token = first.token;
  EXPECT_TRUE(f.checker.Carried(none).refusal);
  EXPECT_EQ(f.checker.Checks(), 3u);
}

TEST(TokenCheck, AnExpiredPreviousCheckIsNotTaken) {
  Fixture f;
  TokenCheck c = f.checker.Check(f.Req("Bearer " + f.token));  // current in every other way
  ASSERT_TRUE(c.principal);
  c.principal->expires_at = 1;  // long past
  auto old = std::make_shared<const TokenCheck>(c);
  Request r = f.Req("Bearer " + f.token);
  r.previous_token = old;
  EXPECT_TRUE(f.checker.Carried(r).principal);
  EXPECT_NE(r.token, old);
  EXPECT_EQ(f.checker.Checks(), 2u);
}

TEST(TokenCheck, RefusedWithA503UntilLoadedThenAcceptedByTheWorker) {
  Jwt jwt(std::string(40, 'k'), std::chrono::seconds(60));
  RevokedTokens revoked;
  UserStates users;
  TokenChecker checker(jwt, revoked, users);
  ASSERT_GE(sodium_init(), 0);
  Principal p;
  p.user_id = 1;
  Request r;
  r.headers["authorization"] = "Bearer " + jwt.Issue(p);
  ASSERT_TRUE(checker.Carried(r).refusal);
  EXPECT_EQ(checker.Carried(r).refusal->Status(), 503);
  revoked.Reset({});
  users.Reset({});
  EXPECT_EQ(checker.Require(r, Role::kViewer).user_id, 1);  // loaded since: checked again
}

}  // namespace
}  // namespace corrente::server
