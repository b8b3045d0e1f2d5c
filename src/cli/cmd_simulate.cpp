// `corrente simulate`: replay history under the spec rule and Corrente's policies, compare
// stockouts against stock, and store the run (see src/simulate).
#include <CLI/CLI.hpp>
#include <spdlog/spdlog.h>

#include <cstdio>
#include <fstream>
#include <iostream>
#include <optional>
#include <sstream>

#include "cli/commands.h"
#include "common/config.h"
#include "common/dates.h"
#include "common/json.h"
#include "common/progress.h"
#include "pg/pg.h"
#include "simulate/report.h"
#include "simulate/source.h"

namespace corrente::cli {
namespace {

struct SimArgs {
  std::string from, to, policies = "spec,normal,empirical", sweep, output, svg, demand,
                        lead_times;
  std::optional<double> lead_time;
  int refit_every = 7, sample = 0, jobs = 0, replay_days = 0;
  bool backorders = false, no_store = false, quiet = false, keep_outliers = false;
  uint64_t seed = 1;
  double review_days = 14, lead_time_scale = 1;
  double alert_short_share = decide::kMaterialShortShare;
  std::string cycles = "shared";
};

std::vector<double> ParseLevels(const std::string& csv) {
  std::vector<double> out;
  std::stringstream ss(csv);
  std::string t;
  while (std::getline(ss, t, ',')) {
    if (t.empty()) continue;
    char* end = nullptr;
    double v = std::strtod(t.c_str(), &end);
    if (*end != '\0' || !(v > 0.5 && v < 1))
      throw CLI::ValidationError("--service-levels",
                                 "'" + t + "' is not a service level in (0.5, 1)");
    out.push_back(v);
  }
  return out;
}

std::string ParamsJson(const SimArgs& a, const simulate::Dataset& d) {
  std::string s = "{\"source\":" + JsonString(d.source) + ",\"series\":" +
                  std::to_string(d.series.size()) + ",\"policies\":" + JsonString(a.policies) +
                  ",\"refit_every\":" + std::to_string(a.refit_every) +
                  ",\"backorders\":" + (a.backorders ? "true" : "false") +
                  ",\"seed\":" + std::to_string(a.seed) +
                  ",\"review_days\":" + std::to_string(a.review_days) + ",\"cycles\":" + JsonString(a.cycles) +
                  ",\"lead_time_scale\":" + std::to_string(a.lead_time_scale) +
                  ",\"keep_outliers\":" + (a.keep_outliers ? "true" : "false") +
                  ",\"demand_outliers\":" + simulate::OutliersJson(d.outliers);
  if (d.source == "database")
    s += ",\"from\":" + JsonString(FormatDate(d.first_day + d.start)) +
         ",\"to\":" + JsonString(FormatDate(d.first_day + d.end - 1));
  return s + "}";
}

void Run(const SimArgs& a, int& exit_code) {
  simulate::SimulationOptions opt;
  opt.policies.clear();
  {
    std::stringstream ss(a.policies);
    std::string p;
    while (std::getline(ss, p, ','))
      if (!p.empty()) opt.policies.push_back(decide::ParsePolicyMethod(p));
    if (opt.policies.empty()) throw CLI::ValidationError("--policies", "name at least one policy");
  }
  opt.sweep = ParseLevels(a.sweep);
  opt.replay.refit_every = a.refit_every;
  opt.replay.backorders = a.backorders;
  opt.replay.seed = a.seed;
  opt.replay.review_days = a.review_days;
  opt.shared_cycles = a.cycles == "shared";
  opt.replay.lead_time_scale = a.lead_time_scale;
  opt.replay.alert_short_share = a.alert_short_share;
  opt.jobs = a.jobs;

  simulate::Dataset data;
  std::optional<pg::Connection> conn;
  if (!a.demand.empty()) {
    simulate::CsvSourceOptions c;
    c.demand_path = a.demand;
    c.lead_time = a.lead_time;
    c.lead_times_path = a.lead_times;
    c.replay_days = a.replay_days;
    c.keep_outliers = a.keep_outliers;
    data = simulate::LoadFromCsv(c);
  } else {
    simulate::DbSourceOptions o;
    auto date = [](const std::string& flag, const std::string& v) -> std::optional<int64_t> {
      if (v.empty()) return std::nullopt;
      auto d = ParseDate(v);
      if (!d) throw CLI::ValidationError(flag, "expected YYYY-MM-DD, got '" + v + "'");
      return d;
    };
    o.from = date("--from", a.from);
    o.to = date("--to", a.to);
    o.sample = a.sample;
    o.seed = a.seed;
    o.keep_outliers = a.keep_outliers;
    Config cfg = LoadConfig();
    conn.emplace(pg::Connection::Open(ConnectDsn(cfg, /*migrate=*/true, cluster::DbRole::kPipeline)));
    data = simulate::LoadFromDatabase(*conn, o);
    opt.replay.start = data.start;
    opt.replay.end = data.end;
  }
  const int runs = static_cast<int>(opt.policies.size() * (1 + opt.sweep.size()));
  std::fprintf(stderr, "replaying %zu series under %d policy run(s)%s\n", data.series.size(),
               runs,
               data.source == "database"
                   ? (" over " + FormatDate(data.first_day + data.start) + " .. " +
                      FormatDate(data.first_day + data.end - 1))
                         .c_str()
                   : "");
  if (data.outliers.days > 0)  // the pipeline's data-quality words
    std::fprintf(stderr, "%s; read as missing\n", decide::OutlierText(data.outliers).c_str());
  Progress progress("simulate", static_cast<int64_t>(data.series.size()) * runs);
  int64_t last = 0;
  auto results = simulate::Simulate(data, opt, [&](int64_t done, int64_t) {
    progress.Advance(done - last);
    last = done;
  });
  progress.Finish();
  if (!a.quiet) std::cout << simulate::TextTable(results);
  if (!a.output.empty()) {
    bool json = a.output.size() >= 5 && a.output.compare(a.output.size() - 5, 5, ".json") == 0;
    std::ofstream f(a.output);
    f << (json ? simulate::Json(results) + "\n" : simulate::Csv(results));
    if (!f) throw std::runtime_error("cannot write '" + a.output + "'");
  }
  if (!a.svg.empty()) {
    std::ofstream f(a.svg);
    f << simulate::Svg(results);
    if (!f) throw std::runtime_error("cannot write '" + a.svg + "'");
  }
  if (conn && !a.no_store) {
    // One INSERT when the run is done: a killed run leaves nothing half-written.
    auto r = conn->Execute(
        "INSERT INTO analytics.simulation_runs (status, source, params, results, created_by,"
        " finished_at) VALUES ('SUCCEEDED', $1, $2::jsonb, $3::jsonb, 'cli', now())"
        " RETURNING simulation_id",
        data.source, ParamsJson(a, data), simulate::Json(results));
    std::fprintf(stderr, "stored as simulation %lld\n", static_cast<long long>(r.GetInt(0, 0)));
  }
  exit_code = 0;
}

}  // namespace

void StoreDemoReplay() {
  SimArgs a;
  a.policies = "normal";
  a.sample = 500;
  a.quiet = true;
  int exit_code = 1;
  Run(a, exit_code);
}

void RegisterSimulateCommand(CLI::App& app, int& exit_code) {
  static SimArgs a;
  auto* sim = app.add_subcommand(
      "simulate",
      "Replay history as if Corrente had run every morning; compare policies on stockouts and stock");
  sim->add_option("--from", a.from, "First replayed day, YYYY-MM-DD (default: 365 days before --to)");
  sim->add_option("--to", a.to, "Last replayed day, YYYY-MM-DD (default: the last day of data)");
  sim->add_option("--policies", a.policies, "Policies to compare: spec, normal, empirical, forecast (forecast refits the forecaster: slower)")
      ->capture_default_str();
  sim->add_option("--service-levels", a.sweep,
                  "Also replay each policy at these service levels for every class, e.g. "
                  "0.8,0.9,0.95,0.98 (the trade-off curves)");
  sim->add_option("--refit-every", a.refit_every, "Days between policy refits")
      ->capture_default_str()
      ->check(CLI::Range(1, 365));
  sim->add_flag("--backorders", a.backorders, "Unmet demand waits (default: it is lost)");
  sim->add_option("--seed", a.seed, "Seed of the lead-time draws and the sample")->capture_default_str();
  sim->add_option("--review-days", a.review_days, "Order-up-to covers this many days of demand")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 365.0));
  sim->add_option("--cycles", a.cycles,
                  "Order cycles of Corrente's policies: 'shared' spreads the orders of a fixed "
                  "--review-days cycle by demand rate (same order count, less stock); 'fixed' "
                  "orders every series up to --review-days. spec always uses 'fixed'")
      ->capture_default_str()
      ->check(CLI::IsMember({"shared", "fixed"}));
  sim->add_option("--lead-time-scale", a.lead_time_scale, "What-if: every lead time times this")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 10.0));
  sim->add_option("--alert-short-share", a.alert_short_share,
                  "STOCKOUT_IMMINENT fires when at least this share of the lead time's demand is "
                  "expected short (the pipeline's rule; to measure alert precision and recall)")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 1.0));
  sim->add_option("--sample", a.sample, "Replay at most this many series (chosen by --seed)")
      ->check(CLI::Range(0, 10000000));
  sim->add_option("--jobs", a.jobs, "Threads (0 = one per core)")->check(CLI::Range(0, 1024));
  sim->add_option("--output", a.output, "Write the results as CSV, or JSON when FILE ends in .json");
  sim->add_option("--svg", a.svg, "Write the stockouts-against-stock chart as SVG");
  sim->add_flag("--keep-outliers", a.keep_outliers,
                "Replay relative outliers of demand as recorded (by default a day over 10x its "
                "series' 90% quantile and alone, a typo, is read as zero, as the pipeline does)");
  sim->add_flag("--no-store", a.no_store, "Do not store the run in analytics.simulation_runs");
  sim->add_option("--demand", a.demand,
                  "Replay the series of this CSV (the forecast command's layout) instead of the database");
  sim->add_option("--lead-time", a.lead_time, "With --demand: one lead time in days for every series");
  sim->add_option("--lead-times", a.lead_times,
                  "With --demand: a file of recorded lead times in days, drawn from at random");
  sim->add_option("--replay-days", a.replay_days,
                  "With --demand: days replayed at the end of each series (default: half, at most 365)")
      ->check(CLI::Range(0, 100000));
  sim->callback([&exit_code] {
    if (!a.demand.empty() && (!a.from.empty() || !a.to.empty() || a.sample > 0))
      throw CLI::ValidationError("--demand", "--from, --to and --sample apply to the database only");
    if (a.demand.empty() && (a.lead_time || !a.lead_times.empty()))
      throw CLI::ValidationError("--lead-time", "--lead-time and --lead-times go with --demand");
    Run(a, exit_code);
  });
}

}  // namespace corrente::cli
