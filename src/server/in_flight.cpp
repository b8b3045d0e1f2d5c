#include "server/in_flight.h"

#include <algorithm>

namespace corrente::server {

size_t InFlightPerClient(int workers) { return static_cast<size_t>(std::max(1, workers / 2)); }

std::shared_ptr<void> InFlightLimit::TryEnter(const std::string& key) {
  {
    std::lock_guard l(mu_);
    size_t& n = held_[key];
    if (n >= per_client_) {
      if (n == 0) held_.erase(key);  // per_client_ 0: nothing is ever held
      ++refused_;
      return nullptr;
    }
    ++n;
  }
  // The deleter owns a copy of the key; `this` outlives every slot (the server's lifetime).
  return std::shared_ptr<void>(new std::string(key), [this](void* p) {
    auto* k = static_cast<std::string*>(p);
    Leave(*k);
    delete k;
  });
}

void InFlightLimit::Leave(const std::string& key) {
  std::lock_guard l(mu_);
  auto it = held_.find(key);
  if (it == held_.end()) return;
  if (--it->second == 0) held_.erase(it);
}

size_t InFlightLimit::Keys() const {
  std::lock_guard l(mu_);
  return held_.size();
}

}  // namespace corrente::server
