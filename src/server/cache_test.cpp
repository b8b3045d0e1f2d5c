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

TEST(ResponseCache, InvalidationIsTimedForTheReadReplica) {
  ResponseCache c(4);
  EXPECT_EQ(c.InvalidatedAt(), std::chrono::steady_clock::time_point{});
  auto before = std::chrono::steady_clock::now();
  c.Invalidate();
  auto at = c.InvalidatedAt();
  EXPECT_GE(at, before);
  EXPECT_LE(at, std::chrono::steady_clock::now());
  c.Invalidate();
  EXPECT_GE(c.InvalidatedAt(), at);
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

// One account asking many distinct URLs twice each: it stores at most an eighth of the entries,
// and another account's entries are never evicted for it (before the share, the cache filled
// and half of everything went, the other's hot entries with it, on every 40 more Puts here).
TEST(ResponseCache, OneOwnerStoresAtMostItsShareAndEvictsNoOneElse) {
  ResponseCache c(80);  // a share of 10 entries
  for (int i = 0; i < 10; ++i) c.Put("hot" + std::to_string(i), Body("h"), c.Generation(), 2);
  for (int i = 0; i < 10000; ++i) c.Put("churn" + std::to_string(i), Body("x"), c.Generation(), 1);
  int hot = 0, churn = 0;
  for (int i = 0; i < 10; ++i) hot += c.Get("hot" + std::to_string(i)).has_value();
  for (int i = 0; i < 10000; ++i) churn += c.Get("churn" + std::to_string(i)).has_value();
  EXPECT_EQ(hot, 10);
  EXPECT_EQ(churn, 10);
  EXPECT_TRUE(c.Get("churn9999"));  // the latest is stored, in the place of one of its own
  EXPECT_EQ(c.Entries(), 20u);
  EXPECT_EQ(c.OverShare(), 9990u);
  c.Put("churn9999", Body("replaced"), c.Generation(), 1);  // a replacement of its own fits
  EXPECT_EQ(c.Get("churn9999")->Body(), "replaced");
  EXPECT_EQ(c.Entries(), 20u);
  EXPECT_EQ(c.OverShare(), 9990u);
  c.Invalidate();  // the shares start again
  c.Put("after", Body("y"), c.Generation(), 1);
  EXPECT_TRUE(c.Get("after"));
}

// attack15: a full share kept every new response of the account out, its hot URLs included,
// until the next invalidation (each of them then went to a worker, and to its in-flight cap).
TEST(ResponseCache, AFullShareStillTakesTheOwnersNewHotEntry) {
  ResponseCache c(80);  // a share of 10 entries
  for (int i = 0; i < 10; ++i) c.Put("once" + std::to_string(i), Body("x"), c.Generation(), 1);
  c.Put("hot", Body("h"), c.Generation(), 1);
  EXPECT_TRUE(c.Get("hot"));
  int kept = 0;
  for (int i = 0; i < 10; ++i) kept += c.Get("once" + std::to_string(i)).has_value();
  EXPECT_EQ(kept, 9);
  EXPECT_EQ(c.Entries(), 10u);
}

TEST(ResponseCache, AnOwnersShareCountsBytesAndFreesWithEvictions) {
  // 1,000 bytes: a share of 125. Entries of 50 bytes (48 + a 2-byte key).
  ResponseCache c(1000, 1000);
  const std::string body(48, 'b');
  c.Put("a0", Body(body), c.Generation(), 1);
  c.Put("a1", Body(body), c.Generation(), 1);
  c.Put("a2", Body(body), c.Generation(), 1);  // 150 bytes: one of its own goes
  EXPECT_TRUE(c.Get("a2"));
  EXPECT_EQ(c.Get("a0").has_value() + c.Get("a1").has_value(), 1);
  EXPECT_EQ(c.OverShare(), 1u);
  EXPECT_EQ(c.Bytes(), 100u);
  c.Put("a3", Body(std::string(8, 'c')), c.Generation(), 1);  // 110 bytes: fits
  EXPECT_EQ(c.OverShare(), 1u);
  EXPECT_EQ(c.Entries(), 3u);
  c.Put("big", Body(std::string(200, 'd')), c.Generation(), 1);  // larger than the share
  EXPECT_FALSE(c.Get("big"));
  EXPECT_EQ(c.Entries(), 3u);  // and nothing of its own went for it
  EXPECT_EQ(c.OverShare(), 2u);
}

TEST(ResponseCache, AnEvictedEntryFreesItsOwnersShare) {
  ResponseCache c(16);  // a share of 2 entries
  c.Put("a", Body("x"), c.Generation(), 1);
  c.Put("b", Body("x"), c.Generation(), 1);
  c.Put("c", Body("x"), c.Generation(), 1);
  EXPECT_TRUE(c.Get("c"));
  EXPECT_EQ(c.Get("a").has_value() + c.Get("b").has_value(), 1);
  EXPECT_EQ(c.OverShare(), 1u);
  for (int i = 0; i < 15; ++i) c.Put("z" + std::to_string(i), Body("z"), c.Generation());
  EXPECT_LE(c.Entries(), 16u);
  int kept = c.Get("a").has_value() + c.Get("b").has_value() + c.Get("c").has_value();
  c.Put("d", Body("x"), c.Generation(), 1);
  EXPECT_TRUE(c.Get("d"));
  EXPECT_EQ(c.OverShare(), kept < 2 ? 1u : 2u);  // past its share only if it still held two
}

}  // namespace
}  // namespace corrente::server
