#pragma once
// `migrate sync --follow`: sync passes until stopped, for a cutover's dual-run period.
#include <atomic>
#include <functional>
#include <string>
#include <vector>

#include "migrate/engine.h"

namespace corrente::migrate {

struct FollowOptions {
  double interval_seconds = 5;       // between the end of a pass and the next
  double max_backoff_seconds = 300;  // the longest wait after failures
  int64_t max_passes = 0;            // 0: until stopped
};

struct PassReport {
  int64_t pass = 0;                     // 1, 2, ...
  std::vector<SyncTableResult> tables;  // empty when the pass failed as a whole
  std::string error;                    // the source or the target was unavailable, or a table failed
  double seconds = 0;                   // the pass's duration
  // Changes made in the source before this long ago are in the target: the time since the
  // start of the last pass that succeeded (growing while passes fail). Negative: none yet.
  double lag_seconds = -1;
  double next_in_seconds = 0;  // the wait before the next pass
};

// The wait after `failures` consecutive failed passes (0: a normal interval): the interval
// doubled per failure, at most `max_backoff`. Pure.
double NextWait(double interval, int failures, double max_backoff);

// Runs RunSync passes until `stop` is set (checked at least every 100 ms while waiting) or
// `max_passes` ran. Each table's pass is one transaction (RunSync), so a kill -9 between or
// during passes loses nothing: the next start diffs again. A pass that throws or has a failed
// table is retried after NextWait. `report` is called after every pass.
void Follow(const EngineOptions& options, const FollowOptions& follow,
            const std::atomic<bool>& stop, const std::function<void(const PassReport&)>& report);

}  // namespace corrente::migrate
