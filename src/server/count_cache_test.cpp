#include "server/count_cache.h"

#include <gtest/gtest.h>

namespace corrente::server {
namespace {

using namespace std::chrono_literals;

TEST(CountCache, ServesWithinItsGenerationAndTtl) {
  CountCache c(1000ms);
  auto t0 = CountCache::Clock::now();
  EXPECT_FALSE(c.Get("family=A", 7, t0));
  c.Put("family=A", 42, 7, t0);
  EXPECT_EQ(c.Get("family=A", 7, t0 + 999ms), 42);
  EXPECT_FALSE(c.Get("family=B", 7, t0));  // another filter
  EXPECT_EQ(c.Hits(), 1u);
}

TEST(CountCache, ANewGenerationEndsEveryCount) {
  CountCache c;
  auto t0 = CountCache::Clock::now();
  c.Put("k", 5, 7, t0);
  EXPECT_FALSE(c.Get("k", 8, t0));  // a write or a publish since
  EXPECT_FALSE(c.Get("k", 7, t0));  // and the entry is gone
  c.Put("late", 5, 7, t0);          // computed before the invalidation, stored after it
  EXPECT_FALSE(c.Get("late", 8, t0));
}

TEST(CountCache, ACountOlderThanTheTtlIsCountedAgain) {
  CountCache c(1000ms);
  auto t0 = CountCache::Clock::now();
  c.Put("k", 5, 1, t0);
  EXPECT_FALSE(c.Get("k", 1, t0 + 1000ms));
  EXPECT_EQ(c.Entries(), 0u);
}

TEST(CountCache, PastItsBudgetEverythingGoes) {
  CountCache c(1000ms, 3);
  auto t0 = CountCache::Clock::now();
  for (int i = 0; i < 3; ++i) c.Put("k" + std::to_string(i), i, 1, t0);
  c.Put("k1", 10, 1, t0);  // a replacement keeps the others
  EXPECT_EQ(c.Entries(), 3u);
  c.Put("k3", 3, 1, t0);
  EXPECT_EQ(c.Entries(), 1u);
  EXPECT_EQ(c.Get("k3", 1, t0), 3);
}

TEST(CountCache, ALongKeyIsNotKept) {
  CountCache c;
  auto t0 = CountCache::Clock::now();
  const std::string long_key(CountCache::kMaxKeyBytes + 1, 'q');
  c.Put(long_key, 5, 1, t0);
  EXPECT_FALSE(c.Get(long_key, 1, t0));
  const std::string key(CountCache::kMaxKeyBytes, 'q');
  c.Put(key, 5, 1, t0);
  EXPECT_EQ(c.Get(key, 1, t0), 5);
}

}  // namespace
}  // namespace corrente::server
