#pragma once
// The offline pipeline: reads the facts in `core`, computes calendar, features, forecasts,
// backtest accuracy, ABC classes, inventory policy, daily KPIs, recommendations and alerts,
// and publishes them into `analytics` in ONE transaction (see README.md).
//
// Atomicity: every write of a run goes through one connection inside one transaction that
// also flips analytics.pipeline_runs to SUCCEEDED, refreshes both materialized views and
// queues NOTIFY corrente_data '<run_id>'. A reader sees the previous run or the new one,
// never a mix; a crash or kill -9 before COMMIT leaves the previous run untouched (the
// RUNNING row it leaves behind is marked FAILED by the next run).
//
// Concurrency: one run per database at a time (a session advisory lock; a second Run()
// throws). Run() itself uses `jobs` worker threads for the forecasts; it is not meant to be
// called concurrently from several threads of one process.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "pg/pg.h"

namespace corrente::pipeline {

// The stages, in execution order, each with the stage it needs (skipped without it). This
// table is the one place that orders and names them. "publish" always runs; the others can
// be chosen with --stages.
struct StageInfo {
  const char* name;
  const char* needs;  // nullptr: none
};
inline constexpr StageInfo kStages[] = {
    {"calendar", nullptr}, {"features", nullptr},        {"forecast", nullptr},
    {"backtest", "forecast"}, {"abc", nullptr},          {"policy", "forecast"},
    {"kpis", nullptr},     {"recommendations", "policy"}, {"alerts", "policy"},
    {"publish", nullptr}};

inline constexpr int kYearlyHistoryDays = 1270;  // what the forecaster reads with 7 and 365
inline constexpr int kYearlyAutoDays = 3 * 365;

struct PipelineOptions {
  std::optional<int64_t> as_of;     // last day of history (days since 1970); default yesterday UTC
  int horizon = 90;                 // forecast days after as_of (1..366)
  std::vector<std::string> stages;  // stages to run; empty = all. Unknown names throw.
  int jobs = 0;                     // forecast worker threads; 0 = hardware concurrency
  std::string export_dir;           // when set, forecasts.csv and features.csv go there
  int feature_days = 90;            // days of features_store written, ending at as_of
  int history_days = 560;           // days of demand given to the forecaster (it uses <= 554,
                                    // or 1,270 with the yearly season)
  // Also model a 365-day cycle (the MSTL candidate): "on", "off", or "auto": on when at
  // least kYearlyAutoDays of demand precede as_of (three cycles: two were measured too noisy
  // to pay, docs/pipeline.md).
  std::string yearly_season = "auto";
  // Offer the forecaster a global model learnt across a sample of the run's series
  // (forecast/global.h, pipeline/global_models.cpp).
  bool global_model = true;
  double review_days = 14;          // order-up-to = ROP + mean demand * review_days (the
                                    // base cycle when shared_cycles)
  bool shared_cycles = true;        // share review_days' order count by demand rate
                                    // (decide/cycles.h); false: every series review_days
  double hold_days = 120;           // HOLD when stock covers more than this many days
  double promo_days = 180;          // PROMO for slow movers (class C) covering more than this
  std::string policy = "normal";  // levels method: spec, normal or empirical (decide/levels.h);
                                  // the simulator found empirical no better on the demo data
  int keep_runs = 3;                // runs whose forecasts/policy/accuracy rows are kept
  bool progress = true;             // progress bar (TTY) or periodic log lines; false: none
  // Worker processes (docs/scale.md): 0 computes in this process; N > 0 cuts the run into
  // slices, starts N `worker_command --run-id <run>` processes (more may join from other
  // machines) and publishes once every slice is done. Every stage runs then.
  int workers = 0;
  std::vector<std::string> worker_command;  // argv of `corrente pipeline worker`
  // A scheduled fire's time (serve's scheduler sets CORRENTE_SCHEDULED_AT): once it holds the
  // run lock, a run that finds one started at or after it does nothing and throws, since another
  // server ran that fire (its child can reach the lock after the winner's run has ended).
  std::optional<int64_t> scheduled_at;
};

struct WorkerOptions {
  std::optional<int64_t> run_id;  // default: the newest run with slices left
  int jobs = 0;                   // forecast threads; 0 = hardware concurrency
};

struct StageReport {
  std::string name;
  bool ran = false;
  double seconds = 0;
  int64_t rows = 0;  // rows written (or series processed for forecast)
  std::string note;  // why it was skipped, or a short summary
};

struct RunReport {
  int64_t run_id = 0;
  int64_t as_of = 0;
  int64_t series = 0;
  double total_seconds = 0;
  std::vector<StageReport> stages;
  std::string stats_json;  // what was stored in pipeline_runs.stats
  // The values read as missing (NaN, negative, absurd; decide/data_quality.h), one line, or
  // "" when there were none. Details in stats_json's "data_quality".
  std::string data_quality;
};

// Runs the pipeline against `dsn` (already migrated). Throws on failure after recording the
// run as FAILED; nothing of the run is published then. Logs one structured line per stage.
RunReport Run(const std::string& dsn, const PipelineOptions& options);

// `corrente pipeline worker`: claims slices of a run started with workers (FOR UPDATE SKIP
// LOCKED), computes each and commits it with its rows, until none is left. Returns the slices
// it computed. Throws when a slice fails (the slice is marked FAILED; the run then fails).
int64_t RunWorker(const std::string& dsn, const WorkerOptions& options);

// The newest SUCCEEDED run, or nullopt when the pipeline has never published (what `corrente
// demo` checks to decide whether to run the pipeline before serving).
std::optional<int64_t> LatestPublishedRun(pg::Connection& conn);

// The `n` most recent runs, formatted one per line with per-stage timings (for the CLI).
std::string StatusText(pg::Connection& conn, int n);

// Parses "a,b,c" into stage names, validating each against kStages. Throws
// std::invalid_argument naming an unknown stage.
std::vector<std::string> ParseStages(const std::string& csv);

}  // namespace corrente::pipeline
