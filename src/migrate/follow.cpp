#include "migrate/follow.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <exception>
#include <thread>

namespace corrente::migrate {

double NextWait(double interval, int failures, double max_backoff) {
  interval = std::max(0.0, interval);
  if (failures <= 0) return interval;
  const double grown = std::max(interval, 1.0) * std::pow(2.0, std::min(failures, 30));
  return std::min(std::max(interval, max_backoff), grown);
}

void Follow(const EngineOptions& options, const FollowOptions& follow,
            const std::atomic<bool>& stop, const std::function<void(const PassReport&)>& report) {
  using Clock = std::chrono::steady_clock;
  auto since = [](Clock::time_point t) {
    return std::chrono::duration<double>(Clock::now() - t).count();
  };
  bool synced = false;
  Clock::time_point last_ok_start{};
  int failures = 0;
  for (int64_t pass = 1; !stop.load(); ++pass) {
    PassReport rep;
    rep.pass = pass;
    const Clock::time_point start = Clock::now();
    try {
      rep.tables = RunSync(options);
      for (const SyncTableResult& t : rep.tables)  // the table that failed the pass
        if (!t.error.empty() && t.error.rfind(kSyncPassRolledBack, 0) != 0)
          rep.error += (rep.error.empty() ? "" : "; ") + t.table + ": " + t.error;
      if (rep.error.empty() && !rep.tables.empty() && !rep.tables.front().error.empty())
        rep.error = rep.tables.front().error;  // it failed at the commit
    } catch (const std::exception& e) {
      rep.error = e.what();
    }
    rep.seconds = since(start);
    if (rep.error.empty()) {
      failures = 0;
      synced = true;
      last_ok_start = start;
    } else {
      ++failures;
    }
    rep.lag_seconds = synced ? since(last_ok_start) : -1;
    rep.next_in_seconds = NextWait(follow.interval_seconds, failures, follow.max_backoff_seconds);
    const bool last = follow.max_passes > 0 && pass >= follow.max_passes;
    if (last) rep.next_in_seconds = 0;
    report(rep);
    if (last) break;
    const Clock::time_point until =
        Clock::now() + std::chrono::duration_cast<Clock::duration>(
                           std::chrono::duration<double>(rep.next_in_seconds));
    while (!stop.load() && Clock::now() < until)
      std::this_thread::sleep_for(std::min<Clock::duration>(std::chrono::milliseconds(100),
                                                            until - Clock::now()));
  }
}

}  // namespace corrente::migrate
