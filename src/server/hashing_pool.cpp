#include "server/hashing_pool.h"

#include <pthread.h>
#include <sched.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <exception>

#include "common/cpu_time.h"
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
  options_.duty = std::clamp(options_.duty, 0.01, 1.0);
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
  rest_cv_.notify_all();
  for (auto& t : threads_) t.join();
}

void HashingPool::Work() {
  // Linux nice values are per thread: request workers win the cores from argon2id.
  if (options_.nice > 0)
    setpriority(PRIO_PROCESS, static_cast<id_t>(::syscall(SYS_gettid)), options_.nice);
#ifdef SCHED_IDLE
  if (options_.idle_class) {
    sched_param idle{};
    pthread_setschedparam(pthread_self(), SCHED_IDLE, &idle);
  }
#endif
  std::unique_lock l(mu_);
  for (;;) {
    cv_.wait(l, [&] { return stop_ || !queue_.empty(); });
    if (stop_) return;
    auto job = std::move(queue_.front());
    queue_.pop_front();
    if (job->abandoned) continue;
    l.unlock();
    const double cpu0 = ThreadCpuSeconds();
    std::exception_ptr error;
    try {
      job->fn();
    } catch (...) {
      error = std::current_exception();
    }
    const double rest = (ThreadCpuSeconds() - cpu0) * (1 / options_.duty - 1);
    l.lock();
    job->error = error;
    job->done = true;
    job->cv_done.notify_all();
    if (rest > 0)  // the caller has its answer; the next job waits (a stop ends the rest)
      rest_cv_.wait_for(l, std::chrono::duration<double>(rest), [&] { return stop_; });
  }
}

void HashingPool::Run(std::function<void()> fn) {
  auto job = std::make_shared<Job>();
  job->fn = std::move(fn);
  std::unique_lock l(mu_);
  if (stop_ || queue_.size() >= options_.queue) {
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
  if (!stop_ && queue_.size() < options_.queue) return false;
  ++refused_;
  return true;
}

size_t HashingPool::Queued() const {
  std::lock_guard l(mu_);
  return queue_.size();
}

}  // namespace corrente::server
