#pragma once
// A bounded pool of connections. Thread-safe. Acquire() blocks up to a timeout; a lease
// returns its connection on destruction, or drops it when the link is broken, so the pool
// heals itself after a server restart.
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <vector>

#include "pg/pg.h"

namespace corrente::pg {

class Pool {
 public:
  // `on_connect` runs on every new connection (for example to prepare statements).
  Pool(std::string dsn, size_t max_size, std::function<void(Connection&)> on_connect = {});

  class Lease {
   public:
    Lease(Pool* pool, std::unique_ptr<Connection> c) : pool_(pool), conn_(std::move(c)) {}
    Lease(Lease&&) noexcept = default;
    ~Lease();
    Connection& operator*() { return *conn_; }
    Connection* operator->() { return conn_.get(); }

   private:
    Pool* pool_;
    std::unique_ptr<Connection> conn_;
  };

  // Throws Error(kConnection) when no connection can be opened, and Error(kTransient) when
  // all are busy past `wait`.
  Lease Acquire(std::chrono::milliseconds wait = std::chrono::milliseconds(2000));
  size_t Idle() const;
  size_t Open() const;
  // Since construction: acquisitions, those that had to wait for a connection (all busy),
  // the total time spent waiting, and those that timed out.
  struct WaitStats {
    uint64_t acquired = 0, waited = 0, timeouts = 0;
    double wait_seconds = 0;
  };
  WaitStats Waits() const;

 private:
  void Release(std::unique_ptr<Connection> c);

  std::string dsn_;
  size_t max_size_;
  std::function<void(Connection&)> on_connect_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::unique_ptr<Connection>> idle_;
  size_t open_ = 0;
  WaitStats waits_;
};

}  // namespace corrente::pg
