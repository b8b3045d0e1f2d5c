#include "server/simulation_jobs.h"

#include <spdlog/spdlog.h>

#include "pg/pg.h"
#include "simulate/report.h"

namespace corrente::server {

SimulationJobs::SimulationJobs(std::string dsn) : dsn_(std::move(dsn)) {
  try {
    auto c = pg::Connection::Open(dsn_);
    c.ExecScript(
        "UPDATE analytics.simulation_runs SET status = 'FAILED', finished_at = now(),"
        " error = 'abandoned: the server stopped before the simulation finished'"
        " WHERE status = 'RUNNING'");
  } catch (const std::exception& e) {
    spdlog::warn("simulations: could not mark abandoned runs: {}", e.what());
  }
}

SimulationJobs::~SimulationJobs() {
  if (thread_.joinable()) thread_.join();
}

bool SimulationJobs::Busy() const {
  std::lock_guard lock(mu_);
  return busy_;
}

bool SimulationJobs::Start(int64_t id, WhatIf w) {
  std::lock_guard lock(mu_);
  if (busy_) return false;
  busy_ = true;
  if (thread_.joinable()) thread_.join();  // the previous job, already finished
  thread_ = std::thread([this, id, w = std::move(w)] {
    Run(id, w);
    std::lock_guard l(mu_);
    busy_ = false;
  });
  return true;
}

void SimulationJobs::Run(int64_t id, const WhatIf& w) {
  try {
    auto conn = pg::Connection::Open(dsn_);
    try {
      simulate::Dataset data = simulate::LoadFromDatabase(conn, w.source);
      // The same sample, the same seed: first as things are, then with the changes.
      simulate::SimulationOptions base;
      base.policies = w.changed.policies;
      base.replay.start = data.start;
      base.replay.end = data.end;
      base.replay.seed = w.changed.replay.seed;
      base.replay.refit_every = w.changed.replay.refit_every;
      base.replay.backorders = w.changed.replay.backorders;
      base.jobs = 1;
      simulate::SimulationOptions changed = w.changed;
      changed.replay.start = data.start;
      changed.replay.end = data.end;
      changed.jobs = 1;
      auto before = simulate::Simulate(data, base);
      auto after = simulate::Simulate(data, changed);
      auto delta = [&](size_t i) {
        const auto& a = before[i].total;
        const auto& b = after[i].total;
        char buf[256];
        std::snprintf(buf, sizeof buf,
                      "{\"policy\":\"%s\",\"stockout_rate_points\":%.6g,"
                      "\"avg_on_hand_units\":%.6g,\"avg_on_hand_units_pct\":%.6g}",
                      before[i].name.c_str(),
                      (simulate::StockoutRate(b) - simulate::StockoutRate(a)) * 100,
                      simulate::AverageUnits(b) - simulate::AverageUnits(a),
                      simulate::AverageUnits(a) > 0
                          ? (simulate::AverageUnits(b) / simulate::AverageUnits(a) - 1) * 100
                          : 0.0);
        return std::string(buf);
      };
      std::string deltas = "[";
      for (size_t i = 0; i < before.size() && i < after.size(); ++i)
        deltas += (i ? "," : "") + delta(i);
      deltas += "]";
      std::string results = "{\"series\":" + std::to_string(data.series.size()) +
                            ",\"baseline\":" + simulate::Json(before) +
                            ",\"what_if\":" + simulate::Json(after) + ",\"change\":" + deltas + "}";
      // What was read as zero, in params as `corrente simulate` stores it.
      conn.Execute(
          "UPDATE analytics.simulation_runs SET status = 'SUCCEEDED', results = $2::jsonb,"
          " params = params || jsonb_build_object('demand_outliers', $3::jsonb),"
          " finished_at = now() WHERE simulation_id = $1",
          id, results, simulate::OutliersJson(data.outliers));
    } catch (const std::exception& e) {
      conn.Execute(
          "UPDATE analytics.simulation_runs SET status = 'FAILED', error = $2, finished_at = now()"
          " WHERE simulation_id = $1",
          id, std::string(e.what()));
    }
  } catch (const std::exception& e) {
    spdlog::error("simulation {} could not be recorded: {}", id, e.what());
  }
}

}  // namespace corrente::server
