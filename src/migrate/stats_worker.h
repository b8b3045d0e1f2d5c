#pragma once
// copy --verify and copy --manifest: the source side's stats and the manifest's SHA-256 of
// the rows as they are sent, taken on a thread of their own so that the loading thread does
// not wait for them. Memory: four batches of up to 1,024 rows or 1 MB of values each, reused.
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <thread>
#include <vector>

#include "migrate/engine.h"
#include "migrate/manifest.h"
#include "migrate/plan.h"

namespace corrente::migrate {

class StatsWorker {
 public:
  // `out` and/or `hasher` (either may be null); the thread's CPU microseconds are added to
  // `cpu_us` when it ends.
  StatsWorker(const TablePlan& t, SideStats* out, LoadHasher* hasher, std::atomic<int64_t>* cpu_us)
      : t_(t), out_(out), hasher_(hasher), cpu_us_(cpu_us), thread_([this] { Run(); }) {}
  StatsWorker(const StatsWorker&) = delete;
  StatsWorker& operator=(const StatsWorker&) = delete;
  ~StatsWorker() { Finish(); }

  // Takes the row: `vals` is swapped with a spent one, which the caller overwrites next.
  void Add(std::vector<TargetValue>& vals) {
    for (const auto& v : vals) bytes_ += sizeof v + v.s.size();
    if (fill_.size() <= used_) fill_.emplace_back();
    fill_[used_++].swap(vals);
    if (used_ == kRows || bytes_ >= kBytes) Hand();
  }
  // Waits until every row added is counted.
  void Finish();

 private:
  static constexpr size_t kRows = 1024;
  static constexpr size_t kBytes = size_t{1} << 20;
  struct Batch {
    std::vector<std::vector<TargetValue>> rows;
    size_t used = 0;
  };

  void Hand();
  void Run();

  const TablePlan& t_;
  SideStats* out_;
  LoadHasher* hasher_;
  std::atomic<int64_t>* cpu_us_;
  std::vector<std::vector<TargetValue>> fill_;
  size_t used_ = 0, bytes_ = 0;
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<Batch> full_;
  std::vector<std::vector<std::vector<TargetValue>>> free_;
  bool done_ = false;
  std::thread thread_;  // last: starts when the rest is ready
};

}  // namespace corrente::migrate
