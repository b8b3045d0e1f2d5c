#include "pipeline/pipeline.h"

#include <algorithm>
#include <sstream>
#include <stdexcept>

#include "pipeline/runner.h"

namespace corrente::pipeline {

std::vector<std::string> ParseStages(const std::string& csv) {
  std::vector<std::string> out;
  std::stringstream ss(csv);
  std::string s;
  while (std::getline(ss, s, ',')) {
    while (!s.empty() && s.front() == ' ') s.erase(s.begin());
    while (!s.empty() && s.back() == ' ') s.pop_back();
    if (s.empty()) continue;
    if (std::find_if(std::begin(kStages), std::end(kStages),
                     [&](const StageInfo& k) { return s == k.name; }) == std::end(kStages)) {
      std::string all;
      for (const auto& k : kStages) all += (all.empty() ? "" : ",") + std::string(k.name);
      throw std::invalid_argument("unknown stage '" + s + "' (stages: " + all + ")");
    }
    out.push_back(s);
  }
  return out;
}

RunReport Run(const std::string& dsn, const PipelineOptions& options) {
  if (options.horizon < 1 || options.horizon > 366)
    throw std::invalid_argument("horizon must be between 1 and 366 days");
  if (options.feature_days < 1 || options.feature_days > 3660)
    throw std::invalid_argument("feature_days must be between 1 and 3660");
  for (const auto& s : options.stages) ParseStages(s);
  if (options.workers < 0 || options.workers > 256)
    throw std::invalid_argument("workers must be between 0 and 256");
  if (options.workers > 0 && !options.stages.empty())
    throw std::invalid_argument("a run with workers runs every stage: leave out --stages");
  if (options.workers > 0 && options.worker_command.empty())
    throw std::invalid_argument("a run with workers needs the worker command");
  detail::Runner runner(dsn, options);
  return options.workers > 0 ? runner.RunWithWorkers() : runner.Run();
}

int64_t RunWorker(const std::string& dsn, const WorkerOptions& options) {
  PipelineOptions opt;
  opt.jobs = options.jobs;
  opt.progress = false;
  detail::Runner runner(dsn, opt);
  std::optional<int64_t> run = options.run_id;
  if (!run) {
    auto conn = pg::Connection::Open(dsn);
    auto r = conn.ExecScript(
        "SELECT max(run_id) FROM analytics.pipeline_slices WHERE state = 'PENDING'");
    if (r.IsNull(0, 0)) return 0;
    run = r.GetInt(0, 0);
  }
  return runner.Work(*run);
}

std::optional<int64_t> LatestPublishedRun(pg::Connection& conn) {
  auto r =
      conn.ExecScript("SELECT max(run_id) FROM analytics.pipeline_runs WHERE status = 'SUCCEEDED'");
  if (r.IsNull(0, 0)) return std::nullopt;
  return r.GetInt(0, 0);
}

std::string StatusText(pg::Connection& conn, int n) {
  auto r = conn.Execute(
      "SELECT run_id, status, to_char(started_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS'),"
      " coalesce(round(extract(epoch FROM finished_at - started_at)::numeric, 1)::text, '-'),"
      " coalesce(as_of::text, '-'), coalesce(model_tag, '-'), coalesce(stats->>'series', '-'),"
      " coalesce((SELECT string_agg(format('%s=%ss', e->>'name',"
      "   round((e->>'seconds')::numeric, 2)), ' ')"
      "   FROM jsonb_array_elements(CASE WHEN jsonb_typeof(stats->'stages') = 'array'"
      "     THEN stats->'stages' ELSE '[]'::jsonb END) e WHERE (e->>'ran')::boolean), ''),"
      " coalesce(error, '')"
      " FROM analytics.pipeline_runs ORDER BY run_id DESC LIMIT $1",
      n);
  std::string out = "run  status     started (UTC)        secs   as_of       series  stages\n";
  for (int i = 0; i < r.Rows(); ++i) {
    char line[256];
    std::snprintf(line, sizeof line, "%-4s %-10s %-20s %-6s %-11s %-7s ", r.GetString(i, 0).c_str(),
                  r.GetString(i, 1).c_str(), r.GetString(i, 2).c_str(), r.GetString(i, 3).c_str(),
                  r.GetString(i, 4).c_str(), r.GetString(i, 6).c_str());
    out += line + r.GetString(i, 7);
    if (!r.GetString(i, 8).empty()) out += "  error: " + r.GetString(i, 8);
    out += "\n";
  }
  if (r.Rows() == 0) out += "(no pipeline runs yet)\n";
  return out;
}

}  // namespace corrente::pipeline
