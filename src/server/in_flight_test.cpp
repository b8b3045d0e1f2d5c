#include "server/in_flight.h"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

namespace corrente::server {
namespace {

TEST(InFlight, SizedFromTheWorkers) {
  EXPECT_EQ(InFlightPerClient(16), 8u);
  EXPECT_EQ(InFlightPerClient(3), 1u);
  EXPECT_EQ(InFlightPerClient(1), 1u);
}

TEST(InFlight, OneKeyIsCappedAndOthersAreNot) {
  InFlightLimit limit(2);
  auto a1 = limit.TryEnter("u1");
  auto a2 = limit.TryEnter("u1");
  ASSERT_TRUE(a1 && a2);
  EXPECT_EQ(limit.TryEnter("u1"), nullptr);
  EXPECT_EQ(limit.Refused(), 1u);
  auto b = limit.TryEnter("u2");  // another client is not touched
  EXPECT_NE(b, nullptr);
  EXPECT_EQ(limit.Keys(), 2u);
  a1.reset();  // a slot back: the next request of u1 passes
  auto a3 = limit.TryEnter("u1");
  EXPECT_NE(a3, nullptr);
  EXPECT_EQ(limit.TryEnter("u1"), nullptr);
  EXPECT_EQ(limit.Refused(), 2u);
}

TEST(InFlight, AKeyIsForgottenWithItsLastSlot) {
  InFlightLimit limit(3);
  {
    auto s = limit.TryEnter("a 1.2.3.4");
    auto copy = s;  // copies share the slot
    EXPECT_EQ(limit.Keys(), 1u);
  }
  EXPECT_EQ(limit.Keys(), 0u);
  InFlightLimit none(0);
  EXPECT_EQ(none.TryEnter("x"), nullptr);
  EXPECT_EQ(none.Keys(), 0u);
}

TEST(InFlight, ConcurrentEntriesNeverExceedTheCap) {
  InFlightLimit limit(4);
  std::atomic<int> now{0}, most{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t)
    threads.emplace_back([&] {
      for (int i = 0; i < 2000; ++i) {
        auto s = limit.TryEnter("one");
        if (!s) continue;
        int n = ++now;
        int m = most.load();
        while (n > m && !most.compare_exchange_weak(m, n)) {
        }
        --now;
      }
    });
  for (auto& t : threads) t.join();
  EXPECT_LE(most.load(), 4);
  EXPECT_GE(most.load(), 1);
  EXPECT_EQ(limit.Keys(), 0u);
}

}  // namespace
}  // namespace corrente::server
