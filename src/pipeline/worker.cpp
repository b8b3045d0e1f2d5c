// `corrente pipeline worker`: claims slices of a run started with --workers and computes them
// (docs/scale.md). One transaction per slice: the claim (a row lock taken with FOR UPDATE SKIP
// LOCKED), every row the slice writes and its DONE. A worker killed mid-slice loses the lock
// with its session and its writes with the transaction, so another worker claims the slice
// again and the run never holds half of it.
#include <unistd.h>

#include <cstdlib>
#include <set>
#include <thread>

#include "common/json.h"
#include "pipeline/runner.h"

namespace corrente::pipeline::detail {
namespace {

// The stages a worker runs per slice; the others run once, on the coordinator.
constexpr const char* kSliceStages[] = {"features", "forecast",        "backtest",
                                        "policy",   "recommendations", "alerts"};

// Elements of a PostgreSQL array's text form ("{1,2.5,3}"), numbers only.
std::vector<double> ParseNumbers(const std::string& text) {
  std::vector<double> out;
  const char* p = text.c_str();
  while (*p && *p != '}') {
    if (*p == '{' || *p == ',') {
      ++p;
      continue;
    }
    char* end = nullptr;
    out.push_back(std::strtod(p, &end));
    if (end == p) throw std::runtime_error("unexpected array text: " + text.substr(0, 80));
    p = end;
  }
  return out;
}

std::string WorkerName() {
  char host[256] = {0};
  gethostname(host, sizeof host - 1);
  return std::string(host) + ":" + std::to_string(getpid());
}

}  // namespace

int64_t Runner::Work(int64_t run_id) {
  start_ = Clock::now();
  auto w = reader_.Execute(
      "SELECT as_of - DATE '1970-01-01', first_day - DATE '1970-01-01', computed_at_us,"
      " computed_at, horizon, feature_days, history_days, yearly_season, review_days, hold_days,"
      " promo_days, policy, global_model FROM analytics.pipeline_work WHERE run_id = $1",
      run_id);
  if (w.Rows() == 0)
    throw std::runtime_error("pipeline run " + std::to_string(run_id) +
                             " has no slices (was it started with --workers?)");
  run_id_ = run_id;
  as_of_ = w.GetInt(0, 0);
  first_day_ = w.GetInt(0, 1);
  computed_at_us_ = w.GetInt(0, 2);
  computed_at_sql_ = w.GetString(0, 3);
  opt_.as_of = as_of_;
  opt_.horizon = static_cast<int>(w.GetInt(0, 4));
  opt_.feature_days = static_cast<int>(w.GetInt(0, 5));
  opt_.history_days = static_cast<int>(w.GetInt(0, 6));
  opt_.yearly_season = w.GetString(0, 7);
  opt_.review_days = w.GetDouble(0, 8);
  opt_.hold_days = w.GetDouble(0, 9);
  opt_.promo_days = w.GetDouble(0, 10);
  opt_.policy = w.GetString(0, 11);
  opt_.global_model = w.GetBool(0, 12);
  opt_.stages.clear();
  LoadItems();
  slice_mode_ = true;
  const std::string name = WorkerName();
  int64_t done = 0;
  for (;;) {
    tx_.emplace(writer_);
    auto c = writer_.Execute(
        "SELECT slice, item_ids::text, site_ids::text, abc, cycle_days::text"
        " FROM analytics.pipeline_slices WHERE run_id = $1 AND state = 'PENDING'"
        " ORDER BY slice LIMIT 1 FOR UPDATE SKIP LOCKED",
        run_id_);
    if (c.Rows() == 0) {
      tx_->Commit();
      tx_.reset();
      break;
    }
    const int64_t slice = c.GetInt(0, 0);
    try {
      const auto items = ParseNumbers(c.GetString(0, 1)), sites = ParseNumbers(c.GetString(0, 2));
      const std::string abc = c.GetString(0, 3);
      slice_cycles_ = ParseNumbers(c.GetString(0, 4));
      if (sites.size() != items.size() || abc.size() != items.size() ||
          slice_cycles_.size() != items.size())
        throw std::runtime_error("slice " + std::to_string(slice) + " is malformed");
      pairs_.clear();
      std::set<int32_t> distinct;
      for (size_t k = 0; k < items.size(); ++k) {
        const Pair p{static_cast<int32_t>(items[k]), static_cast<int32_t>(sites[k])};
        pairs_.push_back(p);
        items_[p.item].abc = abc[k];
        distinct.insert(p.item);
      }
      slice_items_ = "{";
      for (int32_t i : distinct) slice_items_ += (slice_items_.size() > 1 ? "," : "") + std::to_string(i);
      slice_items_ += "}";
      outcomes_.clear();
      policy_.clear();
      open_orders_.clear();
      reports_.clear();
      extra_stats_.clear();
      ScanDemandOutliers();  // the slice's series: the days the coordinator counted
      for (const char* stage : kSliceStages)
        for (const StageInfo& s : kStages)
          if (std::string(s.name) == stage) Stage(s, BodyOf(stage));
      std::string stats = "{";
      for (const auto& r : reports_)
        stats += (stats.size() > 1 ? "," : "") + JsonString(r.name) + ":[" +
                 JsonNumber(r.seconds) + "," + std::to_string(r.rows) + "]";
      stats += "}";
      auto pause = std::getenv("CORRENTE_PIPELINE_SLICE_PAUSE");
      if (pause && done == 0) {
        // Test hook: a window in which the worker holds its first slice computed, uncommitted.
        spdlog::warn("pipeline worker {} run={} slice={} computed; pausing {}s before commit",
                     name, run_id_, slice, pause);
        std::this_thread::sleep_for(std::chrono::duration<double>(std::atof(pause)));
      }
      writer_.Execute(
          "UPDATE analytics.pipeline_slices SET state = 'DONE', worker = $3, finished_at = now(),"
          " stats = $4::jsonb WHERE run_id = $1 AND slice = $2",
          run_id_, slice, name, stats);
      tx_->Commit();
      tx_.reset();
      ++done;
      spdlog::info("pipeline worker {} run={} slice={} done: {} series", name, run_id_, slice,
                   pairs_.size());
    } catch (const std::exception& e) {
      tx_.reset();
      try {
        reader_.Execute(
            "UPDATE analytics.pipeline_slices SET state = 'FAILED', worker = $3, error = $4,"
            " finished_at = now() WHERE run_id = $1 AND slice = $2 AND state = 'PENDING'",
            run_id_, slice, name, std::string(e.what()));
      } catch (const std::exception& e2) {
        spdlog::error("pipeline worker {}: could not mark slice {} FAILED: {}", name, slice,
                      e2.what());
      }
      throw;
    }
  }
  return done;
}

}  // namespace corrente::pipeline::detail
