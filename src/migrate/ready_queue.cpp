#include "migrate/ready_queue.h"

#include <algorithm>

namespace corrente::migrate {
namespace {

bool Lower(const std::pair<int64_t, std::function<void()>>& a,
           const std::pair<int64_t, std::function<void()>>& b) {
  return a.first < b.first;
}

}  // namespace

ReadyQueue::ReadyQueue(int jobs) {
  for (int j = 0; j < std::max(1, jobs); ++j) threads_.emplace_back([this] { Work(); });
}

ReadyQueue::~ReadyQueue() { Join(); }

void ReadyQueue::Add(int64_t priority, std::function<void()> task) {
  {
    std::lock_guard lock(mu_);
    tasks_.emplace_back(priority, std::move(task));
    std::push_heap(tasks_.begin(), tasks_.end(), Lower);
  }
  cv_.notify_one();
}

void ReadyQueue::Finish() {
  Join();
  std::lock_guard lock(mu_);
  if (error_) std::rethrow_exception(std::exchange(error_, nullptr));
}

void ReadyQueue::Join() {
  {
    std::lock_guard lock(mu_);
    closed_ = true;
  }
  cv_.notify_all();
  for (auto& t : threads_)
    if (t.joinable()) t.join();
}

void ReadyQueue::Work() {
  for (;;) {
    std::function<void()> task;
    {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [&] { return !tasks_.empty() || closed_; });
      if (tasks_.empty()) return;
      std::pop_heap(tasks_.begin(), tasks_.end(), Lower);
      task = std::move(tasks_.back().second);
      tasks_.pop_back();
    }
    try {
      task();
    } catch (...) {
      std::lock_guard lock(mu_);
      if (!error_) error_ = std::current_exception();
    }
  }
}

}  // namespace corrente::migrate
