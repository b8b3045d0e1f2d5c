#pragma once
// What-if simulations requested over the API (POST /api/v1/simulations): one job at a time on
// a thread of its own, so a replay never holds a request worker or more than one core. The
// request's handler inserts the RUNNING row; the job fills in its results (or its error) in
// one UPDATE when done. Rows a stopped server left RUNNING are marked FAILED at start-up.
// Thread-safe.
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "simulate/simulate.h"
#include "simulate/source.h"

namespace corrente::server {

struct WhatIf {
  simulate::DbSourceOptions source;     // period and sample
  simulate::SimulationOptions changed;  // the policy, lead times, service levels, review
};

class SimulationJobs {
 public:
  explicit SimulationJobs(std::string dsn);
  ~SimulationJobs();  // waits for the running job
  SimulationJobs(const SimulationJobs&) = delete;
  SimulationJobs& operator=(const SimulationJobs&) = delete;

  // Runs `w` for the row `simulation_id`. False when a job is already running (the caller
  // answers 429 and marks nothing).
  bool Start(int64_t simulation_id, WhatIf w);
  bool Busy() const;

 private:
  void Run(int64_t id, const WhatIf& w);

  std::string dsn_;
  mutable std::mutex mu_;
  bool busy_ = false;
  std::thread thread_;
};

}  // namespace corrente::server
