#pragma once
// The response cache: complete 200 responses keyed on route, normalized query, role and
// format. Thread-safe. Invalidate() drops everything (NOTIFY corrente_data, any write).
// A response is stored from the second time its key is asked for (Admit), so one-off URLs
// neither fill the cache nor evict what is asked for again; and each account stores at most an
// eighth of the budget (entries and bytes), so that one client asking many URLs twice each
// cannot fill it and have the others' entries evicted. Past its share an account's new entry
// takes the place of its own entries (picked at random), never of anyone else's.
#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <optional>
#include <shared_mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "server/router.h"

namespace corrente::server {

class ResponseCache {
 public:
  explicit ResponseCache(size_t max_entries = 20000, size_t max_bytes = 256u << 20);
  // Key from the method, path, sorted query parameters, role and wanted format.
  static std::string Key(const Request& req, const std::string& role, bool csv);
  std::optional<Response> Get(const std::string& key);
  // Stores `res` (replacing an entry with the same key) unless the cache was invalidated since
  // `generation` was read, so a response computed from old data never lands after an
  // invalidation. When `owner` (the account asking; 0: none) would hold more than its share
  // (kOwnerShare) of the entries or bytes, its own entries go, at random, until it fits (one
  // larger than the whole share is not stored). Bodies should be shared (Share/Precompress) so
  // that hits copy no bytes.
  static constexpr size_t kOwnerShare = 8;  // an owner stores at most 1/8 of the budget
  void Put(const std::string& key, const Response& res, uint64_t generation, uint64_t owner = 0);
  // True when `key` was asked for before, as far as a table of the last 65,536 keys' hashes
  // (one per slot) remembers; otherwise notes it and answers false. Lock-free. The hash is
  // seeded at random per process, so no client can pick keys that share a chosen key's slot
  // to keep it from being stored.
  bool Admit(const std::string& key);
  void Invalidate();
  uint64_t Generation() const { return generation_.load(); }
  // When Invalidate() last ran: a read replica must have replayed this far for what it
  // answers to be stored or shared (read_replica.h).
  std::chrono::steady_clock::time_point InvalidatedAt() const {
    return std::chrono::steady_clock::time_point(
        std::chrono::steady_clock::duration(invalidated_at_.load()));
  }
  size_t Entries() const;
  size_t Bytes() const;
  uint64_t Hits() const { return hits_.load(); }
  uint64_t Misses() const { return misses_.load(); }
  uint64_t Invalidations() const { return invalidations_.load(); }
  uint64_t NotAdmitted() const { return not_admitted_.load(); }
  uint64_t OverShare() const { return over_share_.load(); }  // Puts past an owner's share

 private:
  struct Entry {
    Response res;
    uint64_t owner;
    size_t at = 0;  // its key's index in its owner's keys
  };
  struct Usage {
    size_t entries = 0, bytes = 0;
    std::vector<const std::string*> keys;  // the owner's entries' keys (in map_'s nodes)
  };
  void Forget(const std::string& key, const Entry& e);  // an entry's bytes and owner's usage
  bool PastShare(uint64_t owner, size_t bytes) const;   // one more entry of `bytes` too many?

  size_t max_entries_, max_bytes_;
  uint64_t seed_;
  mutable std::shared_mutex mu_;
  std::unordered_map<std::string, Entry> map_;
  std::unordered_map<uint64_t, Usage> owners_;
  size_t bytes_ = 0;
  uint64_t pick_;  // xorshift state for picking an owner's entry to drop
  std::atomic<uint64_t> generation_{0}, hits_{0}, misses_{0}, invalidations_{0}, not_admitted_{0},
      over_share_{0};
  std::atomic<std::chrono::steady_clock::rep> invalidated_at_{0};
  std::array<std::atomic<uint64_t>, 1u << 16> seen_{};
};

// A strong ETag for a body: its quoted 64-bit XXH3 hash.
std::string MakeEtag(const std::string& body);

}  // namespace corrente::server
