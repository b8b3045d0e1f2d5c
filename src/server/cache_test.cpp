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

TEST(ResponseCache, PastItsEntryBudgetHalfGoes) {
  ResponseCache c(10);
  for (int i = 0; i < 10; ++i) c.Put("k" + std::to_string(i), Body("x"), c.Generation());
  EXPECT_EQ(c.Entries(), 10u);
  c.Put("new", Body("y"), c.Generation());  // past 10 entries: down to 5, then the new one
  EXPECT_EQ(c.Entries(), 6u);
  EXPECT_EQ(c.Get("new")->Body(), "y");
  int kept = 0;
  for (int i = 0; i < 10; ++i) kept += c.Get("k" + std::to_string(i)).has_value();
  EXPECT_EQ(kept, 5);
}

TEST(ResponseCache, PastItsByteBudgetHalfGoesAndTheCountStaysExact) {
  // Entries of 100 bytes (98 of body + a 2-byte key) in a budget of 1,000 bytes.
  ResponseCache c(1000, 1000);
  const std::string body(98, 'b');
  for (int i = 0; i < 10; ++i) c.Put("k" + std::to_string(i), Body(body), c.Generation());
  EXPECT_EQ(c.Bytes(), 1000u);
  c.Put("kx", Body(body), c.Generation());
  EXPECT_EQ(c.Bytes(), 600u);  // down to 500 bytes, then the new entry
  EXPECT_EQ(c.Entries(), 6u);
  c.Put("kx", Body(std::string(8, 'c')), c.Generation());  // a replacement counts its own size
  EXPECT_EQ(c.Bytes(), 510u);
  c.Invalidate();
  EXPECT_EQ(c.Bytes(), 0u);
}

TEST(ResponseCache, AKeyIsAdmittedFromItsSecondRequest) {
  ResponseCache c;
  EXPECT_FALSE(c.Admit("GET /a"));
  EXPECT_TRUE(c.Admit("GET /a"));
  EXPECT_TRUE(c.Admit("GET /a"));
  EXPECT_FALSE(c.Admit("GET /b"));
  EXPECT_EQ(c.NotAdmitted(), 2u);
}

TEST(ResponseCache, OneOffKeysForgetOlderOnesButNeverAdmitThemselves) {
  // 200,000 one-off keys (three times the table): none is admitted, and a key asked for
  // again after them may have been forgotten (its slot taken), which costs one more miss.
  ResponseCache c;
  int admitted = 0;
  for (int i = 0; i < 200000; ++i) admitted += c.Admit("GET /x?nocache=" + std::to_string(i));
  EXPECT_EQ(admitted, 0);
  EXPECT_FALSE(c.Admit("GET /hot"));
  for (int i = 0; i < 1000; ++i) c.Admit("GET /y?n=" + std::to_string(i));
  // 1,000 others over 65,536 slots leave /hot's slot alone (std::hash is fixed per build; a
  // collision would be 1.5 % likely), so its second ask is admitted.
  EXPECT_TRUE(c.Admit("GET /hot"));
}

}  // namespace
}  // namespace corrente::server
