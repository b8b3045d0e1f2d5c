#include "server/hashing_pool.h"

#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <exception>

#include "common/password.h"

namespace corrente::server {

// One call: `done` is set under the pool's mutex and signalled on `cv_done`.
struct HashingPool::Job {
  std::function<void()> fn;
  std::exception_ptr error;
  bool done = false;
  bool abandoned = false;  // the caller stopped waiting: skip it if not started
  std::condition_variable cv_done;
};

HashingPool::HashingPool(Options o) : options_(o) {
  options_.threads = std::max(1, options_.threads);
  options_.rate = std::max(0.0, options_.rate);
  options_.burst = std::max(1.0, options_.burst > 0 ? options_.burst : options_.rate);
  tokens_ = options_.burst;
  refilled_ = std::chrono::steady_clock::now();
  for (int i = 0; i < options_.threads; ++i) threads_.emplace_back([this] { Work(); });
}

HashingPool::~HashingPool() {
  {
    std::lock_guard l(mu_);
    stop_ = true;
    for (auto& j : queue_) {
      j->error = std::make_exception_ptr(Busy("the server is stopping"));
      j->done = true;
      j->cv_done.notify_all();
    }
    queue_.clear();
  }
  cv_.notify_all();
  for (auto& t : threads_) t.join();
}

void HashingPool::Work() {
  // Linux nice values are per thread: request workers win the cores from argon2id.
  if (options_.nice > 0)
    setpriority(PRIO_PROCESS, static_cast<id_t>(::syscall(SYS_gettid)), options_.nice);
  std::unique_lock l(mu_);
  for (;;) {
    cv_.wait(l, [&] { return stop_ || !queue_.empty(); });
    if (stop_) return;
    auto job = std::move(queue_.front());
    queue_.pop_front();
    if (job->abandoned) continue;
    l.unlock();
    std::exception_ptr error;
    try {
      job->fn();
    } catch (...) {
      error = std::current_exception();
    }
    l.lock();
    job->error = error;
    job->done = true;
    job->cv_done.notify_all();
  }
}

bool HashingPool::Admits(bool take) {
  if (stop_ || queue_.size() >= options_.queue) return false;
  if (options_.rate <= 0) return true;
  auto now = std::chrono::steady_clock::now();
  tokens_ = std::min(options_.burst,
                     tokens_ + options_.rate * std::chrono::duration<double>(now - refilled_).count());
  refilled_ = now;
  if (tokens_ < 1) return false;
  if (take) tokens_ -= 1;
  return true;
}

void HashingPool::Run(std::function<void()> fn) {
  auto job = std::make_shared<Job>();
  job->fn = std::move(fn);
  std::unique_lock l(mu_);
  if (!Admits(true)) {
    ++refused_;
    throw Busy("too many password checks in progress");
  }
  queue_.push_back(job);
  cv_.notify_one();
  if (!job->cv_done.wait_for(l, options_.wait, [&] { return job->done; })) {
    job->abandoned = true;  // a running job still finishes; a queued one is skipped
    ++refused_;
    throw Busy("password check timed out");
  }
  if (job->error) std::rethrow_exception(job->error);
}

// The jobs own copies of what they use: a caller that timed out is gone while its job may
// still be running.
bool HashingPool::Verify(std::string_view password, const std::string& hash) {
  auto ok = std::make_shared<bool>(false);
  Run([this, ok, pw = std::string(password), hash] {
    ++checks_;
    *ok = VerifyPassword(pw, hash);
  });
  return *ok;
}

HashingPool::Checked HashingPool::VerifyAndUpgrade(std::string_view password,
                                                   const std::string& hash) {
  auto out = std::make_shared<Checked>();
  Run([this, out, pw = std::string(password), hash] {
    ++checks_;
    out->ok = VerifyPassword(pw, hash);
    if (!out->ok || !PasswordNeedsRehash(hash)) return;
    ++hashes_;
    out->rehashed = HashPassword(pw);
  });
  return *out;
}

std::string HashingPool::Hash(std::string_view password) {
  auto out = std::make_shared<std::string>();
  Run([this, out, pw = std::string(password)] {
    ++hashes_;
    *out = HashPassword(pw);
  });
  return *out;
}

bool HashingPool::Refuses() {
  std::lock_guard l(mu_);
  if (Admits(false)) return false;
  ++refused_;
  return true;
}

size_t HashingPool::Queued() const {
  std::lock_guard l(mu_);
  return queue_.size();
}

}  // namespace corrente::server
