#include "server/scheduler.h"

#include <signal.h>
#include <spdlog/spdlog.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <chrono>
#include <cstring>
#include <vector>

#include "common/dates.h"

namespace corrente::server {
PipelineScheduler::PipelineScheduler(Cron cron, pg::Pool& pool, std::string binary)
    : cron_(std::move(cron)), pool_(pool), binary_(std::move(binary)) {}

PipelineScheduler::~PipelineScheduler() { Stop(); }

void PipelineScheduler::Start() { thread_ = std::thread([this] { Loop(); }); }

void PipelineScheduler::Stop() {
  {
    std::lock_guard l(mu_);
    stop_ = true;
    if (child_ > 0) kill(child_, SIGTERM);
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

std::string PipelineScheduler::StatusJson() const {
  std::lock_guard l(mu_);
  boost::json::object o{{"schedule", cron_.Text()},
                        {"next_run", next_ ? boost::json::value(FormatUtc(*next_)) : boost::json::value()},
                        {"running", child_ > 0},
                        {"last_exit", last_exit_ ? boost::json::value(*last_exit_) : boost::json::value()}};
  return boost::json::serialize(o);
}

std::optional<std::time_t> PipelineScheduler::LastStart() {
  auto conn = pool_.Acquire(std::chrono::milliseconds(5000));
  auto r = conn->ExecScript(
      "SELECT extract(epoch FROM max(started_at))::int8 FROM analytics.pipeline_runs");
  if (r.IsNull(0, 0)) return std::nullopt;
  return static_cast<std::time_t>(r.GetInt(0, 0));
}

int PipelineScheduler::RunChild(std::time_t at) {
  std::vector<std::string> args = {binary_, "pipeline", "run"};
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  // The run's audit record names the scheduler as its actor (lineage). Built before fork:
  // the child of a threaded process may only exec.
  std::string actor = "CORRENTE_ACTOR=scheduler";
  // The fire's time: a child that takes the run lock after another server's run of this fire
  // has ended does nothing (PipelineOptions::scheduled_at).
  std::string fire = "CORRENTE_SCHEDULED_AT=" + std::to_string(static_cast<long long>(at));
  std::vector<char*> envp;
  for (char** e = environ; *e; ++e)
    if (std::strncmp(*e, "CORRENTE_ACTOR=", 15) != 0 &&
        std::strncmp(*e, "CORRENTE_SCHEDULED_AT=", 22) != 0)
      envp.push_back(*e);
  envp.push_back(actor.data());
  envp.push_back(fire.data());
  envp.push_back(nullptr);
  pid_t pid = fork();
  if (pid < 0) {
    spdlog::error("scheduler: fork failed: {}", std::strerror(errno));
    return -1;
  }
  if (pid == 0) {
    execve(binary_.c_str(), argv.data(), envp.data());
    _exit(127);
  }
  {
    std::lock_guard l(mu_);
    child_ = pid;
    if (stop_) kill(pid, SIGTERM);
  }
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  std::lock_guard l(mu_);
  child_ = 0;
  const int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  last_exit_ = code;
  return code;
}

void PipelineScheduler::Loop() {
  // Overdue at start-up: the run due before now never started.
  std::optional<std::time_t> due;
  try {
    auto last = LastStart();
    const std::time_t now = std::time(nullptr);
    auto after_last = last ? cron_.Next(*last) : std::optional<std::time_t>(now);
    if (after_last && *after_last <= now) {
      due = now;
      spdlog::info("scheduler: a scheduled pipeline run was missed (last run {}); running it now",
                   last ? FormatUtc(*last) : std::string("never"));
    }
  } catch (const std::exception& e) {
    spdlog::warn("scheduler: could not read the last run ({}); waiting for the next time", e.what());
  }
  for (;;) {
    std::time_t at;
    if (due) {
      at = *due;
    } else {
      auto n = cron_.Next(std::time(nullptr));
      if (!n) {
        spdlog::warn("scheduler: '{}' never fires; no pipeline runs will be scheduled", cron_.Text());
        return;
      }
      at = *n;
    }
    {
      std::unique_lock l(mu_);
      next_ = at;
      cv_.wait_until(l, std::chrono::system_clock::from_time_t(at), [&] {
        return stop_ || std::time(nullptr) >= at;
      });
      if (stop_) return;
    }
    const bool catch_up = due.has_value();
    due.reset();
    try {
      // Another server (or an operator) already ran it for this time: nothing to do.
      auto last = LastStart();
      if (!catch_up && last && *last >= at) {
        spdlog::info("scheduler: the {} run already started elsewhere at {}", FormatUtc(at), FormatUtc(*last));
        continue;
      }
    } catch (const std::exception& e) {
      spdlog::warn("scheduler: could not read the last run ({}); running anyway", e.what());
    }
    spdlog::info("scheduler: starting the pipeline (schedule '{}')", cron_.Text());
    const int code = RunChild(at);
    bool elsewhere = false;
    if (code != 0) {
      // Two servers fired together: the one that lost the pipeline's lock is not a failure.
      // The winner's run row may lag its lock by a moment: look for it for a few seconds.
      for (int i = 0; i < 10 && !elsewhere; ++i) {
        try {
          auto conn = pool_.Acquire(std::chrono::milliseconds(5000));
          elsewhere = conn->Execute("SELECT EXISTS (SELECT 1 FROM analytics.pipeline_runs"
                                    " WHERE started_at >= to_timestamp($1::int8)"
                                    " AND status IN ('RUNNING', 'SUCCEEDED'))",
                                    std::to_string(at))
                          .GetBool(0, 0);
        } catch (const std::exception&) {
        }
        std::unique_lock l(mu_);
        if (!elsewhere && cv_.wait_for(l, std::chrono::milliseconds(500), [&] { return stop_; })) break;
      }
    }
    if (code == 0)
      spdlog::info("scheduler: pipeline run finished");
    else if (elsewhere)
      spdlog::info("scheduler: another server is running or ran the {} run", FormatUtc(at));
    else
      spdlog::error("scheduler: pipeline run exited with {} (the run's alert and `corrente pipeline "
                    "status` say why)", code);
  }
}

}  // namespace corrente::server
