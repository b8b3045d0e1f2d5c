#include "migrate/stats_worker.h"

#include <string>

#include "common/cpu_time.h"
#include "migrate/canon.h"

namespace corrente::migrate {

void StatsWorker::Finish() {
  if (!thread_.joinable()) return;
  Hand();
  {
    std::lock_guard lock(mu_);
    done_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

void StatsWorker::Hand() {
  if (used_ == 0) return;
  std::unique_lock lock(mu_);
  cv_.wait(lock, [&] { return full_.size() < 2; });
  full_.push_back({std::move(fill_), used_});
  used_ = 0;
  bytes_ = 0;
  if (!free_.empty()) {
    fill_ = std::move(free_.back());
    free_.pop_back();
  } else {
    fill_.clear();
  }
  cv_.notify_all();
}

void StatsWorker::Run() {
  double cpu = ThreadCpuSeconds();
  CanonRow row;
  for (;;) {
    Batch b;
    {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [&] { return !full_.empty() || done_; });
      if (full_.empty()) {
        if (cpu_us_) *cpu_us_ += static_cast<int64_t>((ThreadCpuSeconds() - cpu) * 1e6);
        return;
      }
      b = std::move(full_.front());
      full_.erase(full_.begin());
    }
    cv_.notify_all();
    for (size_t r = 0; r < b.used; ++r) {
      FillRow(t_, b.rows[r], &row);
      if (out_) Accumulate(t_, row, out_);
      if (hasher_) hasher_->Add(row);
      for (auto& v : b.rows[r])
        if (v.s.capacity() > 65536) std::string().swap(v.s);  // no big blobs kept for reuse
    }
    std::lock_guard lock(mu_);
    free_.push_back(std::move(b.rows));
  }
}

}  // namespace corrente::migrate
