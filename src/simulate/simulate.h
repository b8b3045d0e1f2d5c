#pragma once
// A simulation: many series replayed under several policies, in parallel, with totals per
// policy overall and per ABC class, and the service-level sweep. Pure: the data comes in as a
// Dataset (source.h reads one from PostgreSQL or a CSV), results go out as plain structs
// (report.h renders them).
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "decide/levels.h"
#include "decide/outliers.h"
#include "simulate/replay.h"

namespace corrente::simulate {

struct Dataset {
  std::string source;  // "database" or the CSV path
  std::vector<SimSeries> series;
  std::map<int, std::vector<LeadTime>> leads;  // by supplier (series point into these)
  int start = 0, end = 0;                      // replayed days, as indexes into demand
  int64_t first_day = 0;                       // days since 1970 of index 0 (0 for CSV)
  // Relative outliers of demand (decide/outliers.h) read as zero, as the pipeline reads them.
  decide::OutlierTally outliers;
};

struct PolicyRun {
  std::string name;  // spec, normal, empirical
  decide::PolicyMethod method = decide::PolicyMethod::kSpec;
  double service = 0;  // 0: per class; else the sweep's level for every class
  Outcome total;
  std::map<char, Outcome> by_class;  // 'A', 'B', 'C'
};

struct SimulationOptions {
  std::vector<decide::PolicyMethod> policies = {decide::PolicyMethod::kSpec,
                                                decide::PolicyMethod::kNormal,
                                                decide::PolicyMethod::kEmpirical};
  std::vector<double> sweep;  // service levels for the trade-off curves (may be empty)
  ReplayOptions replay;
  // Corrente's policies (all but spec) share the order budget of a fixed replay.review_days
  // cycle across series by demand rate (decide/cycles.h); spec always orders a fixed cycle.
  bool shared_cycles = true;
  int jobs = 0;  // threads; 0 = one per core
};

// Each series' order cycle for the shared-cycle rule, from its mean daily demand over the 90
// days before its replay starts (no leakage).
std::vector<double> SharedCycles(const Dataset& data, double base_days);

// Every policy at its class service levels, then every (policy, sweep level). `progress` is
// called with (done, total) replays, from worker threads, serialised.
std::vector<PolicyRun> Simulate(const Dataset& data, const SimulationOptions& opt,
                                const std::function<void(int64_t, int64_t)>& progress = {});

// Share of demand unfilled (the specification's stockout rate), fill rate, and friends.
double StockoutRate(const Outcome& o);
double AverageUnits(const Outcome& o);   // mean evening on-hand units per series-day x series
double Turns(const Outcome& o);          // annualised cost of goods served / average value

}  // namespace corrente::simulate
