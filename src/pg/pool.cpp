#include "pg/pool.h"

namespace corrente::pg {

Pool::Pool(std::string dsn, size_t max_size, std::function<void(Connection&)> on_connect)
    : dsn_(std::move(dsn)), max_size_(max_size), on_connect_(std::move(on_connect)) {}

Pool::Lease::~Lease() {
  if (pool_ && conn_) pool_->Release(std::move(conn_));
}

Pool::Lease Pool::Acquire(std::chrono::milliseconds wait) {
  std::unique_lock lock(mu_);
  auto available = [&] { return !idle_.empty() || open_ < max_size_; };
  if (!available()) {
    auto t0 = std::chrono::steady_clock::now();
    bool got = cv_.wait_for(lock, wait, available);
    waits_.waited++;
    waits_.wait_seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (!got) {
      waits_.timeouts++;
      throw Error(ErrorKind::kTransient, "53300", "all database connections are busy");
    }
  }
  waits_.acquired++;
  if (!idle_.empty()) {
    auto c = std::move(idle_.back());
    idle_.pop_back();
    return Lease(this, std::move(c));
  }
  ++open_;
  lock.unlock();
  try {
    auto c = std::make_unique<Connection>(Connection::Open(dsn_));
    if (on_connect_) on_connect_(*c);
    return Lease(this, std::move(c));
  } catch (...) {
    std::lock_guard g(mu_);
    --open_;
    cv_.notify_one();
    throw;
  }
}

void Pool::Release(std::unique_ptr<Connection> c) {
  std::lock_guard g(mu_);
  // A connection left mid-transaction or broken is closed rather than reused.
  if (c->IsOk() && PQtransactionStatus(c->Raw()) == PQTRANS_IDLE) {
    idle_.push_back(std::move(c));
  } else {
    --open_;
  }
  cv_.notify_one();
}

size_t Pool::Idle() const {
  std::lock_guard g(mu_);
  return idle_.size();
}

Pool::WaitStats Pool::Waits() const {
  std::lock_guard g(mu_);
  return waits_;
}

size_t Pool::Open() const {
  std::lock_guard g(mu_);
  return open_;
}

}  // namespace corrente::pg
