#pragma once
// Runs `fn` on `threads` threads released at the same moment; returns how many returned true.
// For tests of what concurrent callers may not slip past (throttles, rates).
#include <atomic>
#include <functional>
#include <thread>
#include <vector>

namespace corrente::testing {

inline int CountTogether(int threads, const std::function<bool()>& fn) {
  std::atomic<int> yes{0};
  std::atomic<bool> go{false};
  std::vector<std::thread> pool;
  for (int i = 0; i < threads; ++i)
    pool.emplace_back([&] {
      while (!go.load()) std::this_thread::yield();
      if (fn()) ++yes;
    });
  go = true;
  for (auto& th : pool) th.join();
  return yes.load();
}

}  // namespace corrente::testing
