#pragma once
// Progress reporting for long work. On a TTY it redraws one line (bar, count, rate, ETA);
// otherwise it logs a structured line at most every few seconds. Thread-safe: Advance()
// may be called from worker threads.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>

namespace corrente {

class Progress {
 public:
  Progress(std::string label, int64_t total);
  ~Progress();
  Progress(const Progress&) = delete;
  Progress& operator=(const Progress&) = delete;

  void Advance(int64_t n = 1);
  void Finish();

 private:
  void Render(bool final);

  std::string label_;
  int64_t total_;
  std::atomic<int64_t> done_{0};
  bool tty_;
  bool finished_ = false;
  std::chrono::steady_clock::time_point start_;
  std::chrono::steady_clock::time_point last_render_;
  std::mutex mu_;
};

}  // namespace corrente
