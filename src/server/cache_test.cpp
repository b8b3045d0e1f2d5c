#include "server/cache.h"

#include <gtest/gtest.h>

namespace corrente::server {
namespace {

Response Body(const std::string& b) { return Response{200, "application/json", b, {}}; }

TEST(ResponseCache, InvalidationEmptiesAndRefusesStalePuts) {
  ResponseCache c(4);
  c.Put("k", Body("x"), c.Generation());
  EXPECT_EQ(c.Get("k")->Body(), "x");
  uint64_t before = c.Generation();
  c.Invalidate();
  EXPECT_EQ(c.Entries(), 0u);
  c.Put("stale", Body("old"), before);  // computed before the invalidation: never stored
  EXPECT_FALSE(c.Get("stale"));
}

TEST(ResponseCache, PastItsBudgetItStartsAgain) {
  ResponseCache c(2);
  for (int i = 0; i < 3; ++i) c.Put("k" + std::to_string(i), Body("x"), c.Generation());
  EXPECT_EQ(c.Entries(), 1u);
  EXPECT_EQ(c.Get("k2")->Body(), "x");
}

}  // namespace
}  // namespace corrente::server
