#pragma once
// Operational metrics read at scrape time, for the alert rules and the Grafana dashboard in
// deploy/: pool use and waits, the database (reachable, buffer cache hit ratio, statements
// slower than 100 ms from pg_stat_statements), the pipeline (last run's duration and outcome,
// age of the last success), sync lag (staging.migration_sync_log, when a sync has run), the
// response cache hit ratio, the read replica (up, lag, whether reads go to it now) and free disk
// space. A metric whose source is missing or not
// readable is left out, never reported as zero. Thread-safe (reads only).
#include <chrono>
#include <cstdint>
#include <string>

#include "pg/pool.h"
#include "server/read_replica.h"

namespace corrente::server {

struct OpsSources {
  pg::Pool* pool = nullptr;
  uint64_t cache_hits = 0, cache_misses = 0;
  std::chrono::steady_clock::time_point cache_invalidated_at;  // the replica must replay past it
  std::string disk_path;  // the file system to watch (CORRENTE_HOME)
  ReadReplica* replica = nullptr;  // DATABASE_READ_URL's, when set
};

// Prometheus text lines (HELP, TYPE, samples) for `/metrics`.
std::string OpsMetrics(const OpsSources& sources);

}  // namespace corrente::server
