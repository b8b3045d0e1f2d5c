#pragma once
// The totals of list pages, kept per filter for a short while. Every page of one filter has
// the same exact count(*), and on the items list that count was a fifth of the statement's
// PostgreSQL time. An entry serves while the response cache's generation is the one it was
// computed under (any write or NOTIFY corrente_data ends it) and for at most `ttl`, which
// bounds how long a write that notifies no one (a migration into a live database) can leave a
// total behind the rows. Thread-safe.
#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

namespace corrente::server {

class CountCache {
 public:
  using Clock = std::chrono::steady_clock;
  explicit CountCache(std::chrono::milliseconds ttl = std::chrono::milliseconds(1000),
                      size_t max_entries = 4096)
      : ttl_(ttl), max_entries_(max_entries) {}
  // The count stored for `key` under `generation`, younger than the ttl at `now`.
  std::optional<int64_t> Get(const std::string& key, uint64_t generation,
                             Clock::time_point now = Clock::now());
  // `generation`: read before the count was computed, so a count of old data never serves
  // after an invalidation. Past max_entries every entry goes. A key longer than kMaxKeyBytes
  // (a long search text) is not kept, so the cache stays under 4 MiB.
  static constexpr size_t kMaxKeyBytes = 1024;
  void Put(const std::string& key, int64_t n, uint64_t generation,
           Clock::time_point now = Clock::now());
  uint64_t Hits() const;
  size_t Entries() const;

 private:
  struct Entry {
    int64_t n;
    uint64_t generation;
    Clock::time_point at;
  };
  std::chrono::milliseconds ttl_;
  size_t max_entries_;
  mutable std::mutex mu_;
  std::unordered_map<std::string, Entry> map_;
  uint64_t hits_ = 0;
};

}  // namespace corrente::server
