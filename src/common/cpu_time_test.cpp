#include "common/cpu_time.h"

#include <gtest/gtest.h>

#include <chrono>
#include <thread>

namespace corrente {
namespace {

// A fixed amount of work (tens of milliseconds of CPU, however loaded the machine), stored
// where the compiler must write it before the clock is read again.
volatile unsigned g_sink = 0;
[[gnu::noinline]] unsigned Spin(unsigned seed) {
  unsigned x = seed;
  for (int i = 0; i < 30000000; ++i) x = x * 1664525u + 1013904223u + (x >> 7);
  g_sink = x;
  return x | 1u;
}

TEST(CpuTime, ThreadClockCountsWorkNotSleep) {
  double t0 = ThreadCpuSeconds();
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  double slept = ThreadCpuSeconds() - t0;
  EXPECT_LT(slept, 0.05);
  t0 = ThreadCpuSeconds();
  EXPECT_NE(Spin(static_cast<unsigned>(t0)), 0u);
  EXPECT_GT(ThreadCpuSeconds() - t0, 0.005);
}

TEST(CpuTime, ProcessClockIncludesOtherThreads) {
  double p0 = ProcessCpuSeconds(), t0 = ThreadCpuSeconds();
  unsigned x = 0;
  std::thread worker([&] { x = Spin(static_cast<unsigned>(p0)); });
  worker.join();
  EXPECT_NE(x, 0u);
  EXPECT_LT(ThreadCpuSeconds() - t0, 0.05);  // this thread only waited
  EXPECT_GT(ProcessCpuSeconds() - p0, 0.005);
}

}  // namespace
}  // namespace corrente
