#include "server/cache.h"

#include <gtest/gtest.h>

namespace corrente::server {
namespace {

Response Body(const std::string& b) { return Response{200, "application/json", b, {}}; }

TEST(ResponseCache, AdmitsEverythingBelowHalfItsBudget) {
  ResponseCache c(8);
  for (int i = 0; i < 3; ++i) {
    std::string k = "k" + std::to_string(i);
    ASSERT_TRUE(c.Admit(k));
    c.Put(k, Body("x"), c.Generation());
  }
  EXPECT_EQ(c.Entries(), 3u);
  EXPECT_TRUE(c.Admit("once"));  // 3 of 8: still admitted on the first miss
}

TEST(ResponseCache, PastHalfAKeyIsAdmittedOnItsSecondMiss) {
  ResponseCache c(8);
  for (int i = 0; i < 4; ++i) c.Put("k" + std::to_string(i), Body("x"), c.Generation());
  EXPECT_FALSE(c.Admit("new"));
  EXPECT_FALSE(c.Admit("other"));
  EXPECT_TRUE(c.Admit("new"));
  EXPECT_TRUE(c.Admit("other"));
  c.Put("new", Body("n"), c.Generation());
  EXPECT_EQ(c.Get("new")->Body(), "n");
  EXPECT_EQ(c.Get("k0")->Body(), "x");  // the stored entries were not churned out
}

TEST(ResponseCache, BytesCountTowardsThePressureToo) {
  ResponseCache c(1000, 100);
  c.Put("big", Body(std::string(60, 'b')), c.Generation());
  EXPECT_FALSE(c.Admit("next"));
  EXPECT_TRUE(c.Admit("next"));
}

TEST(ResponseCache, InvalidationEmptiesAndAdmitsAgain) {
  ResponseCache c(4);
  for (int i = 0; i < 2; ++i) c.Put("k" + std::to_string(i), Body("x"), c.Generation());
  EXPECT_FALSE(c.Admit("fresh"));
  uint64_t before = c.Generation();
  c.Invalidate();
  EXPECT_EQ(c.Entries(), 0u);
  EXPECT_TRUE(c.Admit("another"));
  c.Put("stale", Body("old"), before);  // computed before the invalidation: never stored
  EXPECT_FALSE(c.Get("stale"));
}

}  // namespace
}  // namespace corrente::server
