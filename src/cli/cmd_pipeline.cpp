// corrente pipeline run|status: the offline pipeline (src/pipeline).
#include <unistd.h>

#include <cstdio>
#include <iostream>

#include <boost/json.hpp>

#include "cli/commands.h"
#include "common/dates.h"
#include "pipeline/pipeline.h"

namespace corrente::cli {

void RegisterPipelineCommand(CLI::App& app, int& exit_code) {
  auto* pipeline = app.add_subcommand("pipeline",
                                      "Compute and publish forecasts, policy, KPIs, "
                                      "recommendations and alerts");
  pipeline->require_subcommand(1);

  struct RunArgs {
    std::string as_of;
    int horizon = 90;
    std::string stages;
    int jobs = 0;
    std::string export_dir;
    int keep_runs = 3;
    int feature_days = 90;
    std::string yearly = "auto";
    bool no_global = false;
    std::string policy = "normal";
    double review_days = 14;
    std::string cycles = "shared";
    int workers = 0;
  };
  static RunArgs args;
  std::string all_stages;
  for (const auto& s : pipeline::kStages)
    all_stages += (all_stages.empty() ? "" : ",") + std::string(s.name);
  auto* run =
      pipeline->add_subcommand("run", "Run the pipeline and publish its results atomically");
  run->add_option("--as-of", args.as_of,
                  "Last day of history, YYYY-MM-DD (default: yesterday, UTC)");
  run->add_option("--horizon", args.horizon, "Days to forecast after --as-of")
      ->capture_default_str()
      ->check(CLI::Range(1, 366));
  run->add_option(
      "--stages", args.stages,
      "Comma-separated stages to run (default: all; publish always runs): " + all_stages)
      // Checked while parsing, so an unknown stage is bad usage (exit 2), as a bad --horizon is.
      ->check([](const std::string& csv) -> std::string {
        try {
          pipeline::ParseStages(csv);
          return "";
        } catch (const std::invalid_argument& e) {
          return e.what();
        }
      });
  run->add_option("--jobs", args.jobs, "Forecast worker threads (0 = one per core)")
      ->capture_default_str()
      ->check(CLI::Range(0, 1024));
  run->add_option("--export", args.export_dir, "Also write forecasts.csv and features.csv here");
  run->add_option("--keep-runs", args.keep_runs,
                  "Runs whose forecasts are kept (for forecast_mape)")
      ->capture_default_str()
      ->check(CLI::Range(1, 1000));
  run->add_option("--feature-days", args.feature_days,
                  "Days of features written, ending at --as-of")
      ->capture_default_str()
      ->check(CLI::Range(1, 3660));
  run->add_option("--policy", args.policy,
                  "How reorder points are set: normal, empirical, forecast or spec (docs/pipeline.md; "
                  "compare them with `corrente simulate`)")
      ->capture_default_str()
      ->check(CLI::IsMember({"normal", "empirical", "forecast", "spec"}));
  run->add_option("--review-days", args.review_days,
                  "Days of demand an order covers on top of the reorder point (the base cycle)")
      ->capture_default_str()
      ->check(CLI::Range(1.0, 365.0));
  run->add_option("--cycles", args.cycles,
                  "'shared': spread the orders of a fixed --review-days cycle by demand rate "
                  "(same order count, less stock; docs/pipeline.md); 'fixed': every series "
                  "--review-days")
      ->capture_default_str()
      ->check(CLI::IsMember({"shared", "fixed"}));
  run->add_option("--yearly-season", args.yearly,
                  "Also model a yearly cycle (7 and 365 days, the MSTL candidate; reads 1,270 "
                  "days of demand): 'auto' turns it on when three years of demand precede "
                  "--as-of")
      ->capture_default_str()
      ->check(CLI::IsMember({"auto", "on", "off"}));
  run->add_flag("--no-global", args.no_global,
                "Forecast each series alone, without the global model learnt across a sample "
                "of 2,000 series (src/forecast/README.md)");
  run->add_option("--workers", args.workers,
                  "Compute in N worker processes that claim slices of series (0: in this "
                  "process); more may join with `pipeline worker` (docs/scale.md)")
      ->capture_default_str()
      ->check(CLI::Range(0, 256));
  run->callback([&exit_code] {
    pipeline::PipelineOptions opt;
    if (!args.as_of.empty()) {
      auto d = ParseDate(args.as_of);
      if (!d)
        throw CLI::ValidationError("--as-of", "expected YYYY-MM-DD, got '" + args.as_of + "'");
      opt.as_of = *d;
    }
    opt.horizon = args.horizon;
    opt.stages = pipeline::ParseStages(args.stages);
    opt.jobs = args.jobs;
    opt.export_dir = args.export_dir;
    opt.keep_runs = args.keep_runs;
    opt.feature_days = args.feature_days;
    opt.review_days = args.review_days;
    opt.shared_cycles = args.cycles == "shared";
    opt.policy = args.policy;
    opt.yearly_season = args.yearly;
    opt.global_model = !args.no_global;
    opt.workers = args.workers;
    opt.scheduled_at = GetEnvInteger("CORRENTE_SCHEDULED_AT", 0, INT64_MAX);  // serve's scheduler
    if (args.workers > 0) {
      char self[4096];
      ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
      if (n <= 0) throw std::runtime_error("cannot find this program's path for the workers");
      opt.worker_command = {std::string(self, static_cast<size_t>(n)), "pipeline", "worker",
                            "--jobs", std::to_string(args.jobs)};
    }
    Config c = LoadConfig();
    std::string dsn = ConnectDsn(c, /*migrate=*/true, cluster::DbRole::kPipeline);
    pipeline::RunReport rep;
    try {
      rep = pipeline::Run(dsn, opt);
    } catch (const std::exception& e) {
      RecordLineage("PIPELINE_RUN", "pipeline_run", std::nullopt,
                    boost::json::serialize(boost::json::object{{"status", "FAILED"}, {"error", e.what()}}));
      throw;
    }
    boost::json::object rows;
    for (const auto& s : rep.stages)
      if (s.ran) rows[s.name] = s.rows;
    RecordLineage("PIPELINE_RUN", "pipeline_run", rep.run_id,
                  boost::json::serialize(boost::json::object{{"status", "SUCCEEDED"},
                                                             {"as_of", FormatDate(rep.as_of)},
                                                             {"series", rep.series},
                                                             {"seconds", rep.total_seconds},
                                                             {"rows", rows}}));
    std::printf("run %lld published (as of %s): %lld series in %.2f s (%.0f series/s)\n",
                static_cast<long long>(rep.run_id), FormatDate(rep.as_of).c_str(),
                static_cast<long long>(rep.series), rep.total_seconds,
                rep.total_seconds > 0 ? rep.series / rep.total_seconds : 0.0);
    for (const auto& s : rep.stages) {
      if (s.ran)
        std::printf("  %-16s %8.2f s  %10lld rows  %s\n", s.name.c_str(), s.seconds,
                    static_cast<long long>(s.rows), s.note.c_str());
      else
        std::printf("  %-16s %8s    %s\n", s.name.c_str(), "-", s.note.c_str());
    }
    if (!rep.data_quality.empty())
      std::printf("data quality: %s\n", rep.data_quality.c_str());
    if (!args.export_dir.empty())
      std::printf("exported forecasts.csv and features.csv to %s\n", args.export_dir.c_str());
    exit_code = 0;
  });

  static pipeline::WorkerOptions worker_args;
  static int64_t worker_run = 0;
  auto* worker = pipeline->add_subcommand(
      "worker", "Compute slices of a run started with --workers until none is left (any "
                "machine that reaches the database may run one)");
  worker->add_option("--run-id", worker_run, "The run (default: the newest with slices left)")
      ->check(CLI::Range(int64_t{1}, INT64_MAX));
  worker->add_option("--jobs", worker_args.jobs, "Forecast threads (0 = one per core)")
      ->capture_default_str()
      ->check(CLI::Range(0, 1024));
  worker->callback([&exit_code] {
    if (worker_run > 0) worker_args.run_id = worker_run;
    Config c = LoadConfig();
    std::string dsn = ConnectDsn(c, /*migrate=*/false, cluster::DbRole::kPipeline);
    int64_t n = pipeline::RunWorker(dsn, worker_args);
    std::printf("pipeline worker: %lld slice(s) computed\n", static_cast<long long>(n));
    exit_code = 0;
  });

  static int status_limit = 10;
  auto* status = pipeline->add_subcommand("status", "Recent pipeline runs with per-stage timings");
  status->add_option("-n,--limit", status_limit, "Runs to show")
      ->capture_default_str()
      ->check(CLI::Range(1, 1000));
  status->callback([&exit_code] {
    Config c = LoadConfig();
    std::string dsn = ConnectDsn(c, /*migrate=*/true, cluster::DbRole::kPipeline);
    auto conn = pg::Connection::Open(dsn);
    std::cout << pipeline::StatusText(conn, status_limit);
    exit_code = 0;
  });
}

}  // namespace corrente::cli
