#pragma once
// A small pool of threads of its own for argon2id (password hashing and verification).
// Each costs 19 MiB and about 20 ms of a core, so on the request workers a login
// storm held every worker and core and other requests waited seconds. Here at most
// `threads` run at once, at a lower CPU priority than the workers and for at most `duty` of a
// core each, and at most `queue` wait;
// past that a call is refused at once (Busy), and the caller answers 503 with Retry-After.
// Thread-safe. The destructor drops queued work and joins the threads.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace corrente::server {

class HashingPool {
 public:
  struct Options {
    int threads = 1;
    size_t queue = 4;                      // calls waiting for a thread, beyond those running
    std::chrono::milliseconds wait{5000};  // the longest a caller waits for its result
    int nice = 10;                         // added to the threads' nice value (Linux)
    // The share of a core each thread may use: after a job that took c seconds of CPU the
    // thread rests c * (1 / duty - 1) before the next, so a login flood cannot keep argon2id
    // on a core more than `duty` of the time (1 = no rest). Meanwhile calls queue, and past
    // the queue they are refused at once.
    double duty = 1;
    // Linux: run the threads in the SCHED_IDLE class, so any other runnable thread (a request
    // worker, an I/O thread, PostgreSQL) preempts argon2id at once, however long the hash has
    // run. On a saturated core a hash then waits for idle time (up to `wait`, then Busy).
    bool idle_class = false;
  };
  // The pool is full, or the result did not come within Options::wait.
  class Busy : public std::runtime_error {
   public:
    using std::runtime_error::runtime_error;
  };

  explicit HashingPool(Options o);
  ~HashingPool();
  HashingPool(const HashingPool&) = delete;
  HashingPool& operator=(const HashingPool&) = delete;

  // VerifyPassword / HashPassword on the pool; the caller blocks until done. Throw Busy.
  bool Verify(std::string_view password, const std::string& hash);
  // Verify, and when it succeeds on a hash that PasswordNeedsRehash (a migrated bcrypt one, an
  // older argon2id one), the current hash of the same password to store in its place: one job,
  // one place in the pool.
  struct Checked {
    bool ok = false;
    std::optional<std::string> rehashed;
  };
  Checked VerifyAndUpgrade(std::string_view password, const std::string& hash);
  std::string Hash(std::string_view password);
  // Runs `fn` on the pool and waits for it (rethrowing what it throws). Throws Busy. `fn`
  // must own what it uses: after a timeout it may still run while its caller is gone.
  void Run(std::function<void()> fn);

  const Options& Config() const { return options_; }
  uint64_t Checks() const { return checks_.load(); }    // verifications run
  uint64_t Hashes() const { return hashes_.load(); }    // hashes computed
  uint64_t Refused() const { return refused_.load(); }  // calls refused (full or timed out)
  size_t Queued() const;
  // True, counted as refused, when the queue is full now: a caller can refuse before doing
  // work it would waste. A hint only; Run() still decides.
  bool Refuses();

 private:
  struct Job;
  void Work();

  Options options_;
  mutable std::mutex mu_;
  std::condition_variable cv_, rest_cv_;  // a job queued; the pool stopping (ends a rest)
  std::deque<std::shared_ptr<Job>> queue_;
  bool stop_ = false;
  std::atomic<uint64_t> checks_{0}, hashes_{0}, refused_{0};
  std::vector<std::thread> threads_;
};

}  // namespace corrente::server
