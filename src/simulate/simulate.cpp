#include "simulate/simulate.h"

#include <algorithm>
#include <atomic>
#include <mutex>
#include <thread>

#include "decide/cycles.h"
#include "decide/policy.h"

namespace corrente::simulate {

double StockoutRate(const Outcome& o) { return o.demand > 0 ? o.lost / o.demand : 0; }

double AverageUnits(const Outcome& o) {
  // Per day of the period (summed over series): the total stock a planner holds on average.
  return o.days > 0 ? o.on_hand_days / static_cast<double>(o.days) : 0;
}

double Turns(const Outcome& o) {
  if (o.days <= 0 || o.on_hand_value <= 0) return 0;
  // on_hand_value / days is the average value per series-day; served_cost / days the cost
  // served per series-day: their ratio is per day, times 365 per year.
  return o.served_cost / o.on_hand_value * 365.0;
}

std::vector<double> SharedCycles(const Dataset& data, double base_days) {
  std::vector<double> rate;
  rate.reserve(data.series.size());
  for (const SimSeries& s : data.series) {
    const int n = static_cast<int>(s.demand.size());
    const int start = std::clamp(s.start >= 0 ? s.start : data.start, 0, n);
    const int from = std::max(0, start - 90);
    rate.push_back(decide::ComputeMeanStd(std::span<const double>(s.demand).subspan(
                       static_cast<size_t>(from), static_cast<size_t>(start - from)))
                       .mean);
  }
  decide::CycleBounds b;
  b.base_days = base_days;
  return decide::OrderCycles(rate, b);
}

std::vector<PolicyRun> Simulate(const Dataset& data, const SimulationOptions& opt,
                                const std::function<void(int64_t, int64_t)>& progress) {
  std::vector<PolicyRun> runs;
  for (auto m : opt.policies) runs.push_back({decide::PolicyMethodName(m), m, 0, {}, {}});
  for (double s : opt.sweep)
    for (auto m : opt.policies) runs.push_back({decide::PolicyMethodName(m), m, s, {}, {}});
  const size_t n = data.series.size();
  const std::vector<double> cycles =
      opt.shared_cycles ? SharedCycles(data, opt.replay.review_days) : std::vector<double>{};
  const int64_t total = static_cast<int64_t>(runs.size() * n);
  std::atomic<size_t> next{0};
  std::atomic<int64_t> done{0};
  std::mutex mu;
  const int jobs = opt.jobs > 0 ? opt.jobs
                                : std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
  std::vector<std::thread> pool;
  for (int j = 0; j < jobs; ++j) {
    pool.emplace_back([&] {
      // Each worker keeps its own totals and merges once: no lock per series.
      std::vector<PolicyRun> local(runs.size());
      for (;;) {
        size_t i = next++;
        if (i >= n) break;
        const SimSeries& s = data.series[i];
        for (size_t r = 0; r < runs.size(); ++r) {
          ReplayOptions ro = opt.replay;
          if (runs[r].service > 0) ro.service_override = runs[r].service;
          if (!cycles.empty() && runs[r].method != decide::PolicyMethod::kSpec)
            ro.review_days = cycles[i];
          Outcome o = Replay(s, runs[r].method, ro);
          local[r].total.Add(o);
          local[r].by_class[s.abc == 'A' || s.abc == 'B' ? s.abc : 'C'].Add(o);
        }
        int64_t d = done += static_cast<int64_t>(runs.size());
        if (progress) {
          std::lock_guard lock(mu);
          progress(d, total);
        }
      }
      std::lock_guard lock(mu);
      for (size_t r = 0; r < runs.size(); ++r) {
        runs[r].total.Add(local[r].total);
        for (auto& [c, o] : local[r].by_class) runs[r].by_class[c].Add(o);
      }
    });
  }
  for (auto& t : pool) t.join();
  return runs;
}

}  // namespace corrente::simulate
