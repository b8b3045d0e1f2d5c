#pragma once
// A cap on one client's requests in flight (queued for a worker, running, or streaming their
// body): per account for a request with a valid token, per client address otherwise. One
// account's slow requests then hold at most `per_client` of the request workers, and the rest
// serve everyone else; a request past the cap is refused (429 with Retry-After) at once, on the
// I/O thread. Thread-safe.
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

namespace corrente::server {

// The cap from the number of request workers: half of them (at least 1), so one client never
// holds more than half the pool, and a browser's six parallel requests fit with 12 or more.
size_t InFlightPerClient(int workers);

class InFlightLimit {
 public:
  explicit InFlightLimit(size_t per_client) : per_client_(per_client) {}
  // A slot of `key` (released when the last copy of the returned pointer goes), or null when
  // `key` already holds per_client slots (counted as refused).
  std::shared_ptr<void> TryEnter(const std::string& key);
  size_t PerClient() const { return per_client_; }
  uint64_t Refused() const { return refused_.load(); }
  // Keys holding a slot now (a key is forgotten when its last slot goes).
  size_t Keys() const;

 private:
  void Leave(const std::string& key);

  size_t per_client_;
  mutable std::mutex mu_;
  std::unordered_map<std::string, size_t> held_;
  std::atomic<uint64_t> refused_{0};
};

}  // namespace corrente::server
