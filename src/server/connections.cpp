#include "server/connections.h"

#include <sys/resource.h>

#include <algorithm>

namespace corrente::server {

ConnectionTable::ConnectionTable(size_t max_open) : max_open_(std::max<size_t>(1, max_open)) {}

ConnectionTable::Handle ConnectionTable::Open(std::function<void()> evict) {
  auto h = std::make_shared<Entry>();
  h->evict = std::move(evict);
  std::function<void()> evict_victim;
  {
    std::lock_guard lock(mu_);
    if (open_ >= max_open_) {
      if (idle_.empty()) {
        ++refused_;
        return nullptr;
      }
      Entry* oldest = idle_.front();
      idle_.pop_front();
      oldest->idle = false;
      oldest->open = false;
      --open_;
      ++evicted_;
      // A copy: the owner may end and free its entry as soon as the lock is released.
      evict_victim = oldest->evict;
    }
    ++open_;
  }
  if (evict_victim) evict_victim();
  return h;
}

bool ConnectionTable::SetIdle(const Handle& h, bool idle) {
  std::lock_guard lock(mu_);
  if (!h->open) return false;
  if (h->idle == idle) return true;
  h->idle = idle;
  if (idle) {
    h->pos = idle_.insert(idle_.end(), h.get());
  } else {
    idle_.erase(h->pos);
  }
  return true;
}

void ConnectionTable::Close(const Handle& h) {
  std::lock_guard lock(mu_);
  if (!h->open) return;
  if (h->idle) idle_.erase(h->pos);
  h->idle = false;
  h->open = false;
  --open_;
}

size_t ConnectionTable::open() const {
  std::lock_guard lock(mu_);
  return open_;
}
size_t ConnectionTable::idle() const {
  std::lock_guard lock(mu_);
  return idle_.size();
}
size_t ConnectionTable::evicted() const {
  std::lock_guard lock(mu_);
  return evicted_;
}
size_t ConnectionTable::refused() const {
  std::lock_guard lock(mu_);
  return refused_;
}

size_t RaiseOpenFileLimit() {
  rlimit lim{};
  if (getrlimit(RLIMIT_NOFILE, &lim) != 0) return 1024;
  if (lim.rlim_cur < lim.rlim_max) {
    rlimit want = lim;
    want.rlim_cur = lim.rlim_max == RLIM_INFINITY ? 65536 : lim.rlim_max;
    if (setrlimit(RLIMIT_NOFILE, &want) == 0) lim = want;
  }
  return lim.rlim_cur == RLIM_INFINITY ? 65536 : static_cast<size_t>(lim.rlim_cur);
}

size_t DefaultMaxConnections(size_t open_file_limit) {
  const size_t reserve = 128;
  size_t room = open_file_limit > reserve * 2 ? open_file_limit - reserve : open_file_limit / 2;
  return std::clamp<size_t>(room, 16, 10000);
}

}  // namespace corrente::server
