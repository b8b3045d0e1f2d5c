#pragma once
// The nightly pipeline, run by `serve --schedule CRON` (or CORRENTE_PIPELINE_SCHEDULE) in the
// server's time zone. Each run is a child process, `corrente pipeline run`, so it connects as
// the pipeline role and a crash in it cannot take the API down. Several servers may share a
// schedule: a fire is skipped when a run already started at or after its time, and the
// pipeline's advisory lock lets one run at a time. A run missed while no server was up (the
// last run started before the latest scheduled time) runs at start-up.
#include <condition_variable>
#include <ctime>
#include <mutex>
#include <optional>
#include <string>
#include <sys/types.h>
#include <thread>

#include "common/cron.h"
#include "pg/pool.h"

namespace corrente::server {

class PipelineScheduler {
 public:
  // `argv0` is the corrente binary to run (this process's own).
  PipelineScheduler(Cron cron, pg::Pool& pool, std::string binary);
  ~PipelineScheduler();  // Stop()
  void Start();
  // Wakes the thread; a running child gets SIGTERM (a run is all or nothing) and is waited for.
  void Stop();
  // {"schedule","next_run","running","last_exit"} for /health.
  std::string StatusJson() const;

 private:
  void Loop();
  std::optional<std::time_t> LastStart();  // the newest run's start, from the database
  int RunChild(std::time_t at);             // exit status of `corrente pipeline run` for `at`

  Cron cron_;
  pg::Pool& pool_;
  std::string binary_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  pid_t child_ = 0;
  std::optional<std::time_t> next_;
  std::optional<int> last_exit_;
  std::thread thread_;
};

}  // namespace corrente::server
