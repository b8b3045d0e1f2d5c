#include "server/count_cache.h"

namespace corrente::server {

std::optional<int64_t> CountCache::Get(const std::string& key, uint64_t generation,
                                       Clock::time_point now) {
  std::lock_guard l(mu_);
  auto it = map_.find(key);
  if (it == map_.end()) return std::nullopt;
  const Entry& e = it->second;
  if (e.generation != generation || now - e.at >= ttl_ || now < e.at) {
    map_.erase(it);
    return std::nullopt;
  }
  ++hits_;
  return e.n;
}

void CountCache::Put(const std::string& key, int64_t n, uint64_t generation,
                     Clock::time_point now) {
  if (key.size() > kMaxKeyBytes) return;
  std::lock_guard l(mu_);
  if (map_.size() >= max_entries_ && !map_.contains(key)) map_.clear();
  map_[key] = Entry{n, generation, now};
}

uint64_t CountCache::Hits() const {
  std::lock_guard l(mu_);
  return hits_;
}

size_t CountCache::Entries() const {
  std::lock_guard l(mu_);
  return map_.size();
}

}  // namespace corrente::server
