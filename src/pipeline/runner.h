#pragma once
// Internal to the pipeline: the Runner that carries one run through the stages of kStages,
// and what the stages share. Each stage lives in its own file (see README.md).
#include <spdlog/spdlog.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <cstdio>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "common/dates.h"
#include "decide/data_quality.h"
#include "decide/policy.h"
#include "decide/overrides.h"
#include "decide/state.h"
#include "decide/text.h"
#include "forecast/global.h"
#include "pg/pg.h"
#include "pipeline/pipeline.h"

namespace corrente::pipeline::detail {

using Clock = std::chrono::steady_clock;

// Advisory-lock key: one pipeline run per database.
inline constexpr int64_t kRunLockKey = 0x436f7272656e7465;  // "Corrente"
inline constexpr const char* kFeaturesSchemaVersion = "v1.0";
inline constexpr int kTrailingWindow = 90;  // days of the zero-share, ADI and CV2 features
inline constexpr size_t kPolicyHistory = 365;  // days of demand kept for the policy levels

inline std::string SqlDate(int64_t day) { return "'" + FormatDate(day) + "'::date"; }

// decide::UsableQuantity and UsableUnitValue in SQL: `expr` when usable, else 0 (NULL too).
// PostgreSQL sorts NaN above every number, so `expr < ceiling` is false for it. `expr` is
// ours (a column name), the ceilings are constants.
inline std::string UsableSqlCond(const std::string& expr, double ceiling) {
  return "(" + expr + " >= 0 AND " + expr + " < " + std::to_string(static_cast<int64_t>(ceiling)) + ")";
}
inline std::string UsableQuantitySql(const std::string& expr) {
  return "CASE WHEN " + UsableSqlCond(expr, decide::kAbsurdQuantity) + " THEN " + expr + " ELSE 0 END";
}
inline std::string UsableUnitValueSql(const std::string& expr) {
  return "CASE WHEN " + UsableSqlCond(expr, decide::kAbsurdUnitValue) + " THEN " + expr + " ELSE 0 END";
}

// Not a demand row when it is a relative outlier of its series (decide/outliers.h): a
// condition on the row `alias` (item_id, site_id, full_date), with the run's outlier days as
// the parameters $p, $p+1 and $p+2 (Runner::OutlierParams()). In a WHERE or a join's ON
// clause it is a hash anti-join; in a SELECT list it would be a subquery run per row.
inline std::string NotOutlierSql(const std::string& alias, int p) {
  return "NOT EXISTS (SELECT 1 FROM unnest($" + std::to_string(p) + "::int[], $" +
         std::to_string(p + 1) + "::int[], $" + std::to_string(p + 2) +
         "::date[]) AS o(i, s, d) WHERE o.i = " + alias + ".item_id AND o.s = " + alias +
         ".site_id AND o.d = " + alias + ".full_date)";
}

using decide::ComputeMeanStd;
using decide::MeanStd;
using decide::AbcClasses;
using decide::TrendSlope;

using decide::Fixed;

inline std::string JsonNumber(double v) {
  if (!std::isfinite(v)) return "null";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.6g", v);
  return buf;
}

struct Pair {
  int32_t item, site;
  bool operator<(const Pair& o) const { return item != o.item ? item < o.item : site < o.site; }
  bool operator==(const Pair& o) const { return item == o.item && site == o.site; }
};

struct ItemInfo {
  char abc = 'C';
  int criticality = 0;
  double unit_cost = 0, unit_price = 0, min_qty = 0, max_qty = 0;
  int supplier = 0;
};

// What the forecast stage keeps per series for the later stages.
struct SeriesOutcome {
  bool done = false;
  std::string model;
  std::string demand_class;
  std::vector<double> mean;  // forecast path, mean[0] = as_of + 1
  std::vector<double> sd;    // its daily standard deviation, from the 80% interval
  double mase = NAN, wape = NAN, mape = NAN, bias = NAN;
  int n_points = 0;
  std::vector<double> recent;  // the last kPolicyHistory days of history, for the policy
};

struct PolicyRow {
  decide::PolicyLevels levels;
  double stock = 0, on_order = 0;
  std::optional<int> dtr;
  double expected_short = 0;  // units over the lead time if nothing more is ordered
  bool valid = false;
};

// Bounded multi-producer/multi-consumer queue for the forecast workers.
template <typename T>
class WorkQueue {
 public:
  explicit WorkQueue(size_t capacity) : capacity_(capacity) {}
  void Push(T v) {
    std::unique_lock lock(mu_);
    not_full_.wait(lock, [&] { return items_.size() < capacity_; });
    items_.push_back(std::move(v));
    not_empty_.notify_one();
  }
  std::optional<T> Pop() {
    std::unique_lock lock(mu_);
    not_empty_.wait(lock, [&] { return !items_.empty() || closed_; });
    if (items_.empty()) return std::nullopt;
    T v = std::move(items_.front());
    items_.pop_front();
    not_full_.notify_one();
    return v;
  }
  void Close() {
    std::lock_guard lock(mu_);
    closed_ = true;
    not_empty_.notify_all();
  }

 private:
  size_t capacity_;
  std::mutex mu_;
  std::condition_variable not_full_, not_empty_;
  std::deque<T> items_;
  bool closed_ = false;
};

class Runner {
 public:
  Runner(const std::string& dsn, const PipelineOptions& opt)
      : opt_(opt), reader_(pg::Connection::Open(dsn)), writer_(pg::Connection::Open(dsn)) {}

  RunReport Run();
  // --workers N: slices for worker processes, then one publish (coordinator.cpp).
  RunReport RunWithWorkers();
  // `pipeline worker`: claims and computes slices of `run_id` until none is left; returns how
  // many it completed (worker.cpp).
  int64_t Work(int64_t run_id);

 private:
  // The start every run shares: the run lock, abandoned runs marked FAILED, the dates, the
  // RUNNING row (runner.cpp).
  void Start();
  void Fail(const std::exception& e);
  RunReport Finish();  // after the publish: final stats, export, the lock released
  // " AND <column> = ANY('{...}'::int[])" with the items of the slice being computed, or ""
  // when the whole run is (integers of ours; Citus prunes shards on it).
  std::string SliceFilter(const std::string& column) const;
  void RaiseFailedAlert(const std::string& error);
  bool Enabled(const std::string& stage) const {
    return opt_.stages.empty() || stage == "publish" ||
           std::find(opt_.stages.begin(), opt_.stages.end(), stage) != opt_.stages.end();
  }
  using StageBody = int64_t (Runner::*)(StageReport&);
  static StageBody BodyOf(const std::string& stage);  // kStages' bodies, by name
  void Stage(const StageInfo& stage, const std::function<int64_t(StageReport&)>& body);
  void Stage(const StageInfo& stage, StageBody body) {
    Stage(stage, [this, body](StageReport& r) { return (this->*body)(r); });
  }

  void LoadPairs();
  void LoadItems();
  // Counts the values every stage reads as missing (decide/data_quality.h): NaN, negative or
  // absurd demand, stock, prices, order quantities and lead times, and the relative outliers of
  // demand (ScanDemandOutliers, which it runs). Logged, kept in the run's
  // stats ("data_quality") and returned as a one-line summary ("" when there are none).
  std::string CheckDataQuality();
  // The relative outliers of demand (decide/outliers.h) of pairs_ over the forecast's window,
  // into outlier_days_: from then on every stage reads them as missing. The count, the series
  // and up to 5 examples (JSON) are returned for CheckDataQuality (outliers.cpp).
  struct OutlierScan {
    int64_t days = 0, series = 0;
    std::string examples = "[]";
  };
  OutlierScan ScanDemandOutliers();
  // outlier_days_ as the three array parameters of NotOutlierSql: item ids, site ids, dates.
  std::array<std::string, 3> OutlierParams() const;
  // Whether the forecaster models a 365-day cycle, and the first day it reads (stage_forecast.cpp).
  bool YearlySeason() const;
  int64_t ForecastFrom() const;
  // Streams demand of [from, to] ordered by item, site, day, and calls fn once per pair of
  // pairs_ (in order) with its zero-filled series, its outlier days read as zero. Only one
  // series is in memory at a time.
  // `only`: a further condition on the rows read (trusted text); the other pairs come zero.
  void StreamSeries(int64_t from, int64_t to,
                    const std::function<void(size_t, std::vector<double>&)>& fn,
                    const std::string& only = "");

  // One per entry of kStages (pipeline.h), in its order; each returns the rows it wrote.
  int64_t StageCalendar(StageReport& rep);      // runner.cpp
  int64_t StageFeatures(StageReport& rep);      // stage_features.cpp
  int64_t StageForecast(StageReport& rep);      // stage_forecast.cpp
  // The forecaster's global models over [from, as_of_] (global_models.cpp), fitted once.
  struct GlobalFit {
    int64_t from = 0;
    size_t series = 0;  // sampled series
    forecast::GlobalModels models;
  };
  const GlobalFit& FitGlobalModels(int64_t from, const forecast::ForecastOptions& fopt);
  int64_t StageBacktest(StageReport& rep);      // stage_forecast.cpp
  int64_t StageAbc(StageReport& rep);           // stage_policy.cpp
  // ABC classes into items_ from revenue per item (SQL); the ids and classes as array texts.
  struct AbcClassesText {
    std::string ids, classes;
    int64_t items = 0;
  };
  AbcClassesText ComputeAbc(StageReport& rep);
  int64_t WriteAbc(const AbcClassesText& abc);  // dim_item.abc_class; returns rows changed
  // Mean daily demand per series over its policy window (SQL), in pairs_ order.
  std::vector<double> DemandRates();
  // Today's inventory rows take this run's policy (what GET /inventory/timeseries reads).
  void UpdateInventoryPolicy();
  // Earlier runs' forecasts scored against the actuals; `runs` gets how many (stage_forecast.cpp).
  std::string EarlierRunsJson(int* runs = nullptr);
  int64_t ExpireOverrides();      // stage_overrides.cpp
  int64_t StagePolicy(StageReport& rep);        // stage_policy.cpp
  struct SupplierLead {
    double mean = 7, std = 0;
    std::vector<double> samples;  // the most recent 100, newest first
  };
  const std::unordered_map<int, SupplierLead>& SupplierLeads();  // stage_policy.cpp, once per run
  std::vector<double> PolicyCycles();     // order cycle per pair (stage_policy.cpp)
  // Approved overrides: FORECAST ones applied to outcomes_' paths, POLICY ones returned.
  std::map<Pair, decide::PolicyOverride> ApplyOverrides(StageReport& rep);  // stage_overrides.cpp
  int64_t StageKpis(StageReport& rep);          // stage_policy.cpp
  int64_t StageRecommendations(StageReport& rep);  // stage_decide.cpp
  int64_t StageAlerts(StageReport& rep);        // stage_decide.cpp
  // What the alerts take from outside the series, read once per run (a worker computes many
  // slices): the latest stored replay's alert precision and the previous published run.
  struct AlertInputs {
    int64_t run = 0;
    double precision = NAN;
    std::optional<int64_t> previous_run;
  };
  const AlertInputs& AlertInputsOfRun();  // stage_decide.cpp
  // The open recommendations / alerts upserted from `source` (a relation of the staged
  // columns; $1 is the run), the ones that no longer apply withdrawn / resolved.
  int64_t UpsertRecommendations(const std::string& source);
  int64_t UpsertAlerts(const std::string& source);
  int64_t StagePublish(StageReport& rep);       // publish.cpp
  // The morning state of series i for the decision rules (after the policy stage).
  decide::SeriesState StateOf(size_t i) const;
  std::vector<decide::SeriesState> States() const;  // of every series with a policy
  // features_store is rebuilt as a shadow table (no index upkeep per row, bulk index builds)
  // and swapped in at publish; see docs/pipeline.md.
  void CreateShadowFeatures();
  void IndexShadowFeatures();
  void SwapShadowFeatures();
  void Export();
  std::string StatsJson(bool include_publish) const;

  PipelineOptions opt_;
  pg::Connection reader_;  // reads committed data (the previous state) and holds the run lock
  pg::Connection writer_;  // every write of the run, inside one transaction
  std::optional<pg::Transaction> tx_;
  int64_t run_id_ = 0;
  int64_t as_of_ = 0;
  int64_t first_day_ = 0;  // first day with facts
  int64_t computed_at_us_ = 0;
  std::optional<GlobalFit> global_;
  std::optional<std::unordered_map<int, SupplierLead>> leads_;  // SupplierLeads(), of leads_run_
  int64_t leads_run_ = 0;
  std::optional<AlertInputs> alert_inputs_;  // AlertInputsOfRun(), of alert_inputs_->run
  std::string computed_at_sql_;
  std::vector<Pair> pairs_;
  std::map<int32_t, ItemInfo> items_;
  std::vector<SeriesOutcome> outcomes_;
  std::vector<PolicyRow> policy_;
  std::map<Pair, decide::OpenOrders> open_orders_;
  std::vector<StageReport> reports_;
  std::string data_quality_;  // CheckDataQuality()'s summary
  std::map<Pair, std::vector<int64_t>> outlier_days_;  // ScanDemandOutliers(), days ascending
  std::vector<std::pair<std::string, std::string>> extra_stats_;  // name -> JSON value
  // Renames the swap performs: {kind "constraint" or "index", temporary name, final name}.
  std::vector<std::array<std::string, 3>> shadow_renames_;
  bool features_shadowed_ = false;
  Clock::time_point start_;
  // Worker mode: a slice of the run is computed; results that must not show before publish
  // (features, recommendations, alerts) go to staging tables (V062), the rest under run_id.
  bool slice_mode_ = false;
  std::string slice_items_;            // "{1,2,...}" of the slice
  std::vector<double> slice_cycles_;   // order cycle per pair, from the coordinator
};

}  // namespace corrente::pipeline::detail
