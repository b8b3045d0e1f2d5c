#pragma once
// Where refused answers wait (a tarpit). A login refused because the hashing pool is full or
// the throttle holds the account or address is answered only after a delay (Response::hold),
// on a timer of the connection's strand: no thread waits. Flood clients are closed-loop (the
// next request as soon as the answer arrives), so an instant refusal invites another one;
// held for a second, each flooding connection sends one request a second.
// Bounded, so held connections cannot exhaust the server: at most `per_address` held at once
// for one client address and `total` in all (the connection cap bounds them too). Past a
// bound the answer goes out at once and the connection closes. Thread-safe.
#include <cstddef>
#include <mutex>
#include <string>
#include <unordered_map>

namespace corrente::server {

class Tarpit {
 public:
  Tarpit(size_t total, size_t per_address) : total_(total), per_address_(per_address) {}

  // One held answer's place; released by its destructor. Empty (false) past a bound.
  class Hold {
   public:
    Hold() = default;
    Hold(Hold&& o) noexcept : tarpit_(o.tarpit_), address_(std::move(o.address_)) {
      o.tarpit_ = nullptr;
    }
    Hold& operator=(Hold&& o) noexcept;
    ~Hold();
    explicit operator bool() const { return tarpit_ != nullptr; }

   private:
    friend class Tarpit;
    Hold(Tarpit* t, std::string address) : tarpit_(t), address_(std::move(address)) {}
    Tarpit* tarpit_ = nullptr;
    std::string address_;
  };

  Hold Enter(const std::string& address);

  size_t held() const;
  size_t entered() const;     // answers held, in all
  size_t overflowed() const;  // answers sent at once because a bound was reached
  size_t total() const { return total_; }
  size_t per_address() const { return per_address_; }

 private:
  void Leave(const std::string& address);

  const size_t total_, per_address_;
  mutable std::mutex mu_;
  size_t held_ = 0, entered_ = 0, overflowed_ = 0;
  std::unordered_map<std::string, size_t> by_address_;
};

}  // namespace corrente::server
