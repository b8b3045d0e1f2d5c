#include "migrate/ready_queue.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <stdexcept>
#include <string>

namespace corrente::migrate {
namespace {

TEST(ReadyQueue, RunsEveryTaskAddedWhileOthersRun) {
  std::atomic<int> ran{0};
  ReadyQueue q(2);
  for (int i = 0; i < 10; ++i)
    q.Add(i, [&, i] {
      ++ran;
      if (i < 3) q.Add(100 + i, [&] { ++ran; });  // queued by a running task
    });
  q.Finish();
  EXPECT_EQ(ran.load(), 13);
}

TEST(ReadyQueue, HighestPriorityFirst) {
  std::mutex mu;
  std::vector<int> order;
  ReadyQueue q(1);
  std::atomic<bool> go{false};
  q.Add(0, [&] {  // holds the one thread while the rest is queued
    while (!go) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  });
  for (int p : {3, 9, 1, 7})
    q.Add(p, [&, p] {
      std::lock_guard lock(mu);
      order.push_back(p);
    });
  go = true;
  q.Finish();
  EXPECT_EQ(order, (std::vector<int>{9, 7, 3, 1}));
}

TEST(ReadyQueue, FirstErrorRethrownAfterTheOthersRan) {
  std::atomic<int> ran{0};
  ReadyQueue q(2);
  q.Add(5, [] { throw std::runtime_error("index failed"); });
  for (int i = 0; i < 4; ++i) q.Add(1, [&] { ++ran; });
  try {
    q.Finish();
    FAIL() << "no exception";
  } catch (const std::runtime_error& e) {
    EXPECT_EQ(std::string(e.what()), "index failed");
  }
  EXPECT_EQ(ran.load(), 4);
}

TEST(ReadyQueue, DestructorRunsWhatIsQueued) {
  std::atomic<int> ran{0};
  {
    ReadyQueue q(2);
    for (int i = 0; i < 5; ++i) q.Add(i, [&] { ++ran; });
  }
  EXPECT_EQ(ran.load(), 5);
}

}  // namespace
}  // namespace corrente::migrate
