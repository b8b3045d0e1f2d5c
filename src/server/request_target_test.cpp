#include "server/request_target.h"

#include <gtest/gtest.h>

#include <random>

namespace corrente::server {
namespace {

TEST(RequestTarget, PlainTargetsAreSplitDirectly) {
  auto t = ParseTarget("/api/v1/forecasts?item_id=7&site_id=1&item_id=8");
  ASSERT_TRUE(t);
  EXPECT_EQ(t->path, "/api/v1/forecasts");
  EXPECT_EQ(t->query, (std::map<std::string, std::string>{{"item_id", "8"}, {"site_id", "1"}}));
  EXPECT_EQ(ParseTarget("//api//v1/items/")->path, "/api/v1/items");
  EXPECT_EQ(ParseTarget("/api-docs/")->path, "/api-docs/");
  EXPECT_EQ(ParseTarget("/x?sort=-priority&from=2026-01-01&at=12:00,13:00")->query.at("at"),
            "12:00,13:00");
}

TEST(RequestTarget, OthersAreDecodedByBoostUrl) {
  auto t = ParseTarget("/a%20b?q=caf%C3%A9+au+lait&flag&=x");
  ASSERT_TRUE(t);
  EXPECT_EQ(t->path, "/a b");
  EXPECT_EQ(t->query.at("q"), "café au lait");
  EXPECT_EQ(t->query.at("flag"), "");
  EXPECT_FALSE(ParseTarget("api/v1"));
  EXPECT_FALSE(ParseTarget("http://example.com/x"));
  EXPECT_FALSE(ParseTarget("/a b"));
  EXPECT_FALSE(ParseTarget("/a%zz"));
  EXPECT_FALSE(ParseTarget(""));
}

TEST(RequestTarget, DirectReadingEqualsBoostUrlsOnRandomTargets) {
  // Targets built from characters that matter to either reading: both must agree on every one
  // (refused, or the same path and parameters).
  const std::string alphabet = "/?&=ab1-._~%+,:#@!$'()*;[] \x7f\x80\xff\r\nAZ";
  std::mt19937 rng(20261207);
  size_t direct = 0;
  for (int i = 0; i < 200000; ++i) {
    std::string t = i % 2 ? "/" : "";
    size_t n = rng() % 24;
    for (size_t k = 0; k < n; ++k) {
      // Mostly plain characters, so that many targets take the direct path.
      t += rng() % 3 ? "ab1-._=&?/"[rng() % 10] : alphabet[rng() % alphabet.size()];
    }
    auto fast = ParseTarget(t);
    auto boost = ParseTargetWithBoost(t);
    ASSERT_EQ(fast.has_value(), boost.has_value()) << t;
    if (fast) {
      ASSERT_EQ(fast->path, boost->path) << t;
      ASSERT_EQ(fast->query, boost->query) << t;
    }
    direct += fast && t.find_first_of("%+") == std::string::npos;
  }
  EXPECT_GT(direct, 10000u);  // the direct reading was exercised
}

}  // namespace
}  // namespace corrente::server
