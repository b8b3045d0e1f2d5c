#pragma once
// Runs tasks on a fixed number of threads as they become ready, the highest priority first;
// tasks can be added while others run. The copy queues a table's index builds as soon as
// its last rows are loaded, so they overlap the loads of the other tables.
#include <condition_variable>
#include <cstdint>
#include <exception>
#include <functional>
#include <mutex>
#include <thread>
#include <utility>
#include <vector>

namespace corrente::migrate {

class ReadyQueue {
 public:
  explicit ReadyQueue(int jobs);
  ReadyQueue(const ReadyQueue&) = delete;
  ReadyQueue& operator=(const ReadyQueue&) = delete;
  // Without Finish (an exception on the way out): runs what is queued, drops its errors.
  ~ReadyQueue();

  void Add(int64_t priority, std::function<void()> task);
  // No more tasks: waits for every task, then rethrows the first exception one threw (the
  // others still ran).
  void Finish();

 private:
  void Work();
  void Join();

  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::pair<int64_t, std::function<void()>>> tasks_;  // a max-heap on priority
  bool closed_ = false;
  std::exception_ptr error_;
  std::vector<std::thread> threads_;
};

}  // namespace corrente::migrate
