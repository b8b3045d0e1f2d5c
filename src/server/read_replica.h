#pragma once
// Read-only queries on a streaming replica (DATABASE_READ_URL), with the primary as the
// fallback. A monitor thread samples the primary's WAL position and the replica's replay
// position twice a second; after a write at once, then at 10 ms doubling to 500 ms while the
// replica has not replayed the newest sample (at most 100 rounds a second). The replica's lag is the age of the newest primary sample it has
// replayed. GET requests go to the replica while it is up and at most `max_lag` behind, and
// not for a user whose own write the replica has not replayed yet (reads after own writes),
// nor before it has replayed what the primary had at the response cache's last invalidation:
// a response read there would be cached, or shared with coalesced requests, as current.
// Thread-safe.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <optional>
#include <stop_token>
#include <string>
#include <thread>
#include <unordered_map>

#include "pg/pool.h"

namespace corrente::server {

class ReadReplica {
 public:
  ReadReplica(std::string primary_dsn, std::string read_dsn, size_t pool_size, double max_lag_seconds);
  ~ReadReplica();

  pg::Pool& Pool() { return pool_; }
  using Clock = std::chrono::steady_clock;
  // True when a read for `user_id` (0: anonymous) may go to the replica now: it has replayed
  // what the primary had at `since` (the cache's last invalidation) and the user's writes.
  bool Usable(int64_t user_id, Clock::time_point since = {}) const;
  // Records a write by `user_id`: its reads stay on the primary until the replica replays it.
  void NoteWrite(int64_t user_id);
  // The response cache was dropped (a write, a NOTIFY): the monitor's next round starts now.
  void Wake();
  // For /metrics: up (0/1), lag in seconds (nullopt when unknown), reads sent each way.
  bool Up() const { return up_.load(); }
  std::optional<double> LagSeconds() const;
  uint64_t ReplicaReads() const { return replica_reads_.load(); }
  uint64_t PrimaryReads() const { return primary_reads_.load(); }
  void CountRead(bool on_replica) { (on_replica ? replica_reads_ : primary_reads_)++; }
  double MaxLag() const { return max_lag_; }

 private:
  void Monitor(std::stop_token st);

  std::string primary_dsn_, read_dsn_;
  pg::Pool pool_;
  double max_lag_;
  std::atomic<bool> up_{false};
  std::atomic<uint64_t> replica_reads_{0}, primary_reads_{0};
  mutable std::mutex mu_;
  std::deque<std::pair<Clock::time_point, uint64_t>> samples_;  // primary WAL positions
  std::optional<Clock::time_point> replayed_at_;  // newest sample the replica has replayed
  std::unordered_map<int64_t, Clock::time_point> writes_;
  std::mutex wake_mu_;
  std::condition_variable_any wake_cv_;
  bool woken_ = false;  // a write since the monitor's last round
  std::jthread monitor_;
};

// Parses a PostgreSQL LSN ("16/B374D848") into a number; 0 when malformed.
uint64_t ParseLsn(const std::string& lsn);

}  // namespace corrente::server
