#include "server/hashing_pool.h"

#include <gtest/gtest.h>
#include <pthread.h>
#include <sched.h>

#include <atomic>
#include <ctime>
#include <future>
#include <thread>
#include <vector>

#include "common/password.h"

namespace corrente::server {
namespace {

using namespace std::chrono_literals;

TEST(HashingPool, HashesAndVerifiesAndCounts) {
  HashingPool pool({1, 4, 5000ms, 0});
  std::string h = pool.Hash("Correct-Horse-9");
  EXPECT_TRUE(pool.Verify("Correct-Horse-9", h));
  EXPECT_FALSE(pool.Verify("wrong", h));
  EXPECT_EQ(pool.Hashes(), 1u);
  EXPECT_EQ(pool.Checks(), 2u);
  EXPECT_EQ(pool.Refused(), 0u);
}

// A migrated bcrypt hash (htpasswd -bnBC 4) is upgraded to argon2id in the same job; an
// argon2id hash or a wrong password is not.
TEST(HashingPool, VerifyAndUpgradeRehashesBcryptOnly) {
  HashingPool pool({1, 4, 5000ms, 0});
  const std::string bcrypt = "$2y$04$v7Mm2zAES32p8Ke1EjuLCOLW0eZhPkvJajqd.5r1Owu4.JDjDdjA2";
  auto bad = pool.VerifyAndUpgrade("shorter", bcrypt);
  EXPECT_FALSE(bad.ok);
  EXPECT_FALSE(bad.rehashed);
  auto good = pool.VerifyAndUpgrade("short", bcrypt);
  ASSERT_TRUE(good.ok);
  ASSERT_TRUE(good.rehashed);
  EXPECT_EQ(good.rehashed->rfind("$argon2id$", 0), 0u);
  auto again = pool.VerifyAndUpgrade("short", *good.rehashed);
  EXPECT_TRUE(again.ok);
  EXPECT_FALSE(again.rehashed);
  EXPECT_EQ(pool.Checks(), 3u);
  EXPECT_EQ(pool.Hashes(), 1u);
}

TEST(HashingPool, AFullQueueIsRefusedAtOnce) {
  HashingPool pool({1, 2, 5000ms, 0});
  std::promise<void> release;
  std::shared_future<void> gate = release.get_future().share();
  std::atomic<int> started{0};
  // One running (held at the gate) and two queued fill it.
  std::vector<std::future<void>> callers;
  for (int i = 0; i < 3; ++i) {
    callers.push_back(std::async(std::launch::async, [&, gate] {
      pool.Run([&started, gate] {
        ++started;
        gate.wait();
      });
    }));
    // The first must be running before the others queue: had it still been queued, the third
    // would find the queue full and be refused, and this loop would wait for ever.
    while (i == 0 ? started.load() < 1 : pool.Queued() < static_cast<size_t>(i))
      std::this_thread::sleep_for(1ms);
  }
  auto t0 = std::chrono::steady_clock::now();
  EXPECT_THROW(pool.Run([] {}), HashingPool::Busy);
  EXPECT_TRUE(pool.Refuses());
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 100ms);  // no waiting for a slot
  EXPECT_EQ(pool.Refused(), 2u);
  release.set_value();
  for (auto& c : callers) EXPECT_NO_THROW(c.get());
  EXPECT_EQ(started.load(), 3);
  EXPECT_NO_THROW(pool.Run([] {}));
}

TEST(HashingPool, ATimedOutCallerIsRefusedAndItsQueuedJobSkipped) {
  HashingPool pool({1, 4, 50ms, 0});
  std::promise<void> release;
  std::shared_future<void> gate = release.get_future().share();
  auto holder = std::async(std::launch::async, [&, gate] {
    EXPECT_THROW(pool.Run([gate] { gate.wait(); }), HashingPool::Busy);  // times out, runs on
  });
  while (pool.Queued() > 0 || pool.Refused() == 0) std::this_thread::sleep_for(1ms);
  auto ran = std::make_shared<std::atomic<bool>>(false);
  EXPECT_THROW(pool.Run([ran] { *ran = true; }), HashingPool::Busy);  // queued, then abandoned
  release.set_value();
  holder.get();
  EXPECT_NO_THROW(pool.Run([] {}));
  EXPECT_FALSE(ran->load());
}

TEST(HashingPool, RethrowsWhatTheJobThrows) {
  HashingPool pool({1, 1, 5000ms, 0});
  EXPECT_THROW(pool.Run([] { throw std::runtime_error("boom"); }), std::runtime_error);
  EXPECT_NO_THROW(pool.Run([] {}));
}

// The duty cap: at duty 0.25 a thread rests three times a job's CPU time after it, so a
// second job starts only after that rest; the first caller has its answer before it.
TEST(HashingPool, TheDutyCapRestsBetweenJobs) {
  HashingPool::Options o{1, 4, 5000ms, 0};
  o.duty = 0.25;
  HashingPool pool(o);
  auto burn = [] {  // 30 ms of the thread's CPU, however long a loaded machine takes to give it
    auto cpu = [] {
      timespec ts{};
      clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
      return std::chrono::seconds(ts.tv_sec) + std::chrono::nanoseconds(ts.tv_nsec);
    };
    auto until = cpu() + 30ms;
    volatile uint64_t x = 0;
    while (cpu() < until) x = x + 1;
  };
  auto t0 = std::chrono::steady_clock::now();
  pool.Run(burn);
  auto first = std::chrono::steady_clock::now() - t0;
  pool.Run(burn);
  auto both = std::chrono::steady_clock::now() - t0;
  // 30 ms of work, then 90 ms of rest (30 ms of CPU at a duty of a quarter), then 30 ms of work:
  // the second answer comes at least the rest after the first, on any machine.
  EXPECT_GT(both, first + 85ms) << std::chrono::duration<double>(both).count();
}

// A rest ends when the pool stops, and queued callers are refused rather than left waiting.
TEST(HashingPool, StoppingEndsARest) {
  auto t0 = std::chrono::steady_clock::now();
  {
    HashingPool::Options o{1, 4, 5000ms, 0};
    o.duty = 0.01;  // 30 ms of work would rest about 3 s
    HashingPool pool(o);
    pool.Run([] {
      auto until = std::chrono::steady_clock::now() + 30ms;
      volatile uint64_t x = 0;
      while (std::chrono::steady_clock::now() < until) x = x + 1;
    });
  }
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 1000ms);
}

// The threads run in the SCHED_IDLE class when asked (Linux), in the normal one otherwise.
TEST(HashingPool, IdleClassIsTheThreadsPolicy) {
  auto policy = [](bool idle) {
    HashingPool::Options o{1, 4, 5000ms, 0};
    o.idle_class = idle;
    HashingPool pool(o);
    int p = -1;
    pool.Run([&p] {
      sched_param sp{};
      pthread_getschedparam(pthread_self(), &p, &sp);
    });
    return p;
  };
  EXPECT_EQ(policy(false), SCHED_OTHER);
#ifdef SCHED_IDLE
  EXPECT_EQ(policy(true), SCHED_IDLE);
#endif
}

}  // namespace
}  // namespace corrente::server
