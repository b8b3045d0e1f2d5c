#include "server/cache.h"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <mutex>
#include <random>
#include <vector>

#define XXH_INLINE_ALL
#include <xxhash.h>

namespace corrente::server {

std::string ResponseCache::Key(const Request& req, const std::string& role, bool csv) {
  // std::map keeps the query sorted, so ?a=1&b=2 and ?b=2&a=1 share an entry. Lengths are
  // written before each part so that no value can forge another key.
  size_t n = req.method.size() + req.path.size() + role.size() + 8;
  for (const auto& [name, value] : req.query) n += name.size() + value.size() + 24;
  std::string k;
  k.reserve(n);
  k += req.method;
  k += ' ';
  k += req.path;
  k += ' ';
  k += role;
  k += csv ? " csv" : " json";
  for (const auto& [name, value] : req.query) {
    if (name == "format") continue;
    k += '\n';
    k += std::to_string(name.size());
    k += ':';
    k += name;
    k += std::to_string(value.size());
    k += ':';
    k += value;
  }
  return k;
}

std::optional<Response> ResponseCache::Get(const std::string& key) {
  std::shared_lock l(mu_);
  auto it = map_.find(key);
  if (it == map_.end()) {
    misses_++;
    return std::nullopt;
  }
  hits_++;
  return it->second.res;
}

namespace {

size_t EntryBytes(const std::string& key, const Response& r) {
  return r.Body().size() + (r.gzip_body ? r.gzip_body->size() : 0) + key.size();
}

}  // namespace

void ResponseCache::Forget(const std::string& key, const Entry& e) {
  size_t n = EntryBytes(key, e.res);
  bytes_ -= n;
  if (e.owner == 0) return;
  auto u = owners_.find(e.owner);
  auto& keys = u->second.keys;
  const std::string* last = keys.back();  // moved into the forgotten key's place
  keys[e.at] = last;
  keys.pop_back();
  if (last != &key) map_.find(*last)->second.at = e.at;
  if (--u->second.entries == 0)
    owners_.erase(u);
  else
    u->second.bytes -= n;
}

bool ResponseCache::PastShare(uint64_t owner, size_t bytes) const {
  auto u = owners_.find(owner);
  return owner != 0 && u != owners_.end() &&
         (u->second.entries + 1 > std::max<size_t>(1, max_entries_ / kOwnerShare) ||
          u->second.bytes + bytes > max_bytes_ / kOwnerShare);
}

void ResponseCache::Put(const std::string& key, const Response& res, uint64_t generation,
                        uint64_t owner) {
  // Declared before the lock, so destroyed after it is released: freeing thousands of
  // bodies must not hold up every lookup, the I/O threads' included.
  std::vector<decltype(map_)::node_type> dropped;
  std::unique_lock l(mu_);
  if (generation != generation_.load()) return;
  if (auto old = map_.find(key); old != map_.end()) {
    Forget(old->first, old->second);
    dropped.push_back(map_.extract(old));
  }
  size_t n = EntryBytes(key, res);
  if (PastShare(owner, n)) {
    // Past its share the owner's new response takes the place of its own entries, never of
    // anyone else's: a client asking many distinct URLs twice each churned the whole cache.
    // Refusing it instead kept such a client's hot URLs out of the cache until the next
    // invalidation, so each of them went to a worker and its in-flight cap (attack15).
    over_share_++;
    if (n > max_bytes_ / kOwnerShare) return;  // alone larger than the share
    while (PastShare(owner, n)) {
      const auto& keys = owners_.find(owner)->second.keys;
      pick_ ^= pick_ << 13;
      pick_ ^= pick_ >> 7;
      pick_ ^= pick_ << 17;
      auto it = map_.find(*keys[pick_ % keys.size()]);
      Forget(it->first, it->second);
      dropped.push_back(map_.extract(it));
    }
  }
  if (map_.size() >= max_entries_ || bytes_ + n > max_bytes_) {
    // Full: entries go, in the map's order (about at random), until half the budget is free.
    // Dropping all of them at once cost every hot entry, and under a stream of one-off URLs
    // it cost a quarter of the uncached throughput (docs/api-bench.md).
    dropped.reserve(dropped.size() + map_.size() / 2 + 1);
    for (auto it = map_.begin();
         it != map_.end() && (map_.size() > max_entries_ / 2 || bytes_ > max_bytes_ / 2);) {
      auto next = std::next(it);
      Forget(it->first, it->second);
      dropped.push_back(map_.extract(it));
      it = next;
    }
  }
  auto it = map_.emplace(key, Entry{res, owner}).first;
  bytes_ += n;
  if (owner != 0) {
    Usage& u = owners_[owner];
    u.entries++;
    u.bytes += n;
    it->second.at = u.keys.size();
    u.keys.push_back(&it->first);
  }
}

ResponseCache::ResponseCache(size_t max_entries, size_t max_bytes)
    : max_entries_(max_entries), max_bytes_(max_bytes) {
  std::random_device rd;
  seed_ = (static_cast<uint64_t>(rd()) << 32) ^ rd();
  pick_ = seed_ | 1;  // xorshift needs a non-zero state
}

bool ResponseCache::Admit(const std::string& key) {
  uint64_t h = XXH3_64bits_withSeed(key.data(), key.size(), seed_) | 1;  // 0: an empty slot
  auto& slot = seen_[(h >> 17) & (seen_.size() - 1)];
  if (slot.load(std::memory_order_relaxed) == h) return true;
  slot.store(h, std::memory_order_relaxed);
  not_admitted_++;
  return false;
}

void ResponseCache::Invalidate() {
  decltype(map_) dropped;  // freed after the lock is released
  std::unique_lock l(mu_);
  invalidated_at_ = std::chrono::steady_clock::now().time_since_epoch().count();
  generation_++;
  invalidations_++;
  dropped.swap(map_);
  owners_.clear();
  bytes_ = 0;
}

size_t ResponseCache::Entries() const {
  std::shared_lock l(mu_);
  return map_.size();
}

size_t ResponseCache::Bytes() const {
  std::shared_lock l(mu_);
  return bytes_;
}

std::string MakeEtag(const std::string& body) {
  // XXH3: a tenth of the instructions of the FNV-1a over words it replaced (9 % of an uncached
  // 31 KB list's user-space instructions, callgrind), and a better spread.
  uint64_t h = XXH3_64bits(body.data(), body.size());
  char buf[24];
  std::snprintf(buf, sizeof buf, "\"%016llx\"", static_cast<unsigned long long>(h));
  return buf;
}

}  // namespace corrente::server
