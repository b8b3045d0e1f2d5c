#include "server/tarpit.h"

namespace corrente::server {

Tarpit::Hold::~Hold() {
  if (tarpit_) tarpit_->Leave(address_);
}

Tarpit::Hold& Tarpit::Hold::operator=(Hold&& o) noexcept {
  if (this != &o) {
    if (tarpit_) tarpit_->Leave(address_);
    tarpit_ = o.tarpit_;
    address_ = std::move(o.address_);
    o.tarpit_ = nullptr;
  }
  return *this;
}

Tarpit::Hold Tarpit::Enter(const std::string& address) {
  std::lock_guard l(mu_);
  auto it = by_address_.find(address);
  size_t mine = it == by_address_.end() ? 0 : it->second;
  if (held_ >= total_ || mine >= per_address_) {
    ++overflowed_;
    return {};
  }
  ++held_;
  ++entered_;
  if (it == by_address_.end())
    by_address_.emplace(address, 1);
  else
    ++it->second;
  return Hold(this, address);
}

void Tarpit::Leave(const std::string& address) {
  std::lock_guard l(mu_);
  --held_;
  auto it = by_address_.find(address);
  if (it != by_address_.end() && --it->second == 0) by_address_.erase(it);
}

size_t Tarpit::held() const {
  std::lock_guard l(mu_);
  return held_;
}

size_t Tarpit::entered() const {
  std::lock_guard l(mu_);
  return entered_;
}

size_t Tarpit::overflowed() const {
  std::lock_guard l(mu_);
  return overflowed_;
}

}  // namespace corrente::server
