#include "pipeline/pipeline.h"

#include <spdlog/spdlog.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <deque>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <mutex>
#include <sstream>
#include <stdexcept>
#include <thread>
#include <unordered_map>

#include "common/json.h"
#include "common/dates.h"
#include "common/progress.h"
#include "forecast/forecast.h"
#include "pg/copy.h"
#include "pipeline/policy.h"
#include "pipeline/reports.h"
#include "schema/calendar.h"

namespace corrente::pipeline {
namespace {

using Clock = std::chrono::steady_clock;

// Advisory-lock key: one pipeline run per database.
constexpr int64_t kRunLockKey = 0x436f7272656e7465;  // "Corrente"
constexpr const char* kFeaturesSchemaVersion = "v1.0";
constexpr int kTrailingWindow = 90;  // days of the zero-share, ADI and CV2 features

std::string SqlDate(int64_t day) { return "'" + FormatDate(day) + "'::date"; }

std::string JsonNumber(double v) {
  if (!std::isfinite(v)) return "null";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.6g", v);
  return buf;
}
std::string Fixed(double v, int decimals) {
  char buf[48];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
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
  double mase = NAN, wape = NAN, mape = NAN, bias = NAN;
  int n_points = 0;
  double recent_mean = 0, recent_std = 0;  // last 90 days of history
};

struct PolicyRow {
  double mean = 0, std = 0, lead = 0, lead_std = 0, service = 0, ss = 0, rop = 0, out = 0;
  double stock = 0, on_order = 0;
  std::optional<int> dtr;
  bool valid = false;
};

struct OpenOrders {
  double quantity = 0;
  int64_t earliest_expected = INT64_MAX;
  int64_t latest_late_expected = INT64_MIN;  // the most overdue order's expected date
  int late = 0;
};

struct Recommendation {
  Pair pair;
  std::string type, priority, message, details;
  int64_t action_date;
  double quantity;
};
struct Alert {
  Pair pair;
  std::string level, category, message, details;
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

 private:
  bool Enabled(const std::string& stage) const {
    return opt_.stages.empty() || stage == "publish" ||
           std::find(opt_.stages.begin(), opt_.stages.end(), stage) != opt_.stages.end();
  }
  void Stage(const std::string& name, const std::function<int64_t(StageReport&)>& body,
             const char* requires_stage = nullptr);

  void LoadPairs();
  void LoadItems();
  // Streams demand of [from, to] ordered by item, site, day, and calls fn once per pair of
  // pairs_ (in order) with its zero-filled series. Only one series is in memory at a time.
  void StreamSeries(int64_t from, int64_t to,
                    const std::function<void(size_t, std::vector<double>&)>& fn);

  int64_t StageCalendar();
  int64_t StageFeatures(StageReport& rep);
  int64_t StageForecast(StageReport& rep);
  int64_t StageBacktest(StageReport& rep);
  int64_t StageAbc(StageReport& rep);
  int64_t StagePolicy();
  int64_t StageKpis();
  int64_t StageRecommendations();
  int64_t StageAlerts();
  int64_t StagePublish(StageReport& rep);
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
  std::string computed_at_sql_;
  std::vector<Pair> pairs_;
  std::map<int32_t, ItemInfo> items_;
  std::vector<SeriesOutcome> outcomes_;
  std::vector<PolicyRow> policy_;
  std::map<Pair, OpenOrders> open_orders_;
  std::vector<StageReport> reports_;
  std::vector<std::pair<std::string, std::string>> extra_stats_;  // name -> JSON value
  // Renames the swap performs: {kind "constraint" or "index", temporary name, final name}.
  std::vector<std::array<std::string, 3>> shadow_renames_;
  bool features_shadowed_ = false;
  Clock::time_point start_;
};

void Runner::Stage(const std::string& name, const std::function<int64_t(StageReport&)>& body,
                   const char* requires_stage) {
  StageReport rep;
  rep.name = name;
  if (!Enabled(name)) {
    rep.note = "disabled";
  } else if (requires_stage && !Enabled(requires_stage)) {
    rep.note = std::string("skipped: needs stage ") + requires_stage;
  } else {
    auto t0 = Clock::now();
    rep.ran = true;
    rep.rows = body(rep);
    rep.seconds = std::chrono::duration<double>(Clock::now() - t0).count();
  }
  if (rep.ran)
    spdlog::info("pipeline run={} stage={} seconds={:.2f} rows={}{}{}", run_id_, name, rep.seconds,
                 rep.rows, rep.note.empty() ? "" : " note=", rep.note);
  else
    spdlog::info("pipeline run={} stage={} {}", run_id_, name, rep.note);
  reports_.push_back(std::move(rep));
}

void Runner::LoadPairs() {
  // Series = active item x active site pairs with stock recorded near as_of or demand in the
  // last year. Small (one row per series), so it is read whole.
  std::string sql =
      "SELECT p.item_id, p.site_id FROM ("
      " SELECT item_id, site_id FROM core.fact_inventory_daily"
      "  WHERE full_date BETWEEN $1::date - 30 AND $1::date"
      " UNION SELECT item_id, site_id FROM core.fact_demand_daily"
      "  WHERE full_date BETWEEN $1::date - 364 AND $1::date) p"
      " JOIN core.dim_item i ON i.item_id = p.item_id AND i.active"
      " JOIN core.dim_site s ON s.site_id = p.site_id AND s.active"
      " ORDER BY 1, 2";
  auto r = reader_.Execute(sql, FormatDate(as_of_));
  pairs_.clear();
  pairs_.reserve(r.Rows());
  for (int i = 0; i < r.Rows(); ++i)
    pairs_.push_back({static_cast<int32_t>(r.GetInt(i, 0)), static_cast<int32_t>(r.GetInt(i, 1))});
}

void Runner::LoadItems() {
  auto r = reader_.ExecScript(
      "SELECT item_id, coalesce(abc_class, 'C'), coalesce(criticality, 0),"
      " coalesce(unit_cost, 0)::float8, coalesce(unit_price, 0)::float8,"
      " coalesce(min_order_qty, 0)::float8, coalesce(max_order_qty, 0)::float8,"
      " coalesce(supplier_id, 0) FROM core.dim_item");
  for (int i = 0; i < r.Rows(); ++i) {
    ItemInfo it;
    it.abc = r.Get(i, 1).empty() ? 'C' : r.Get(i, 1)[0];
    it.criticality = static_cast<int>(r.GetInt(i, 2));
    it.unit_cost = r.GetDouble(i, 3);
    it.unit_price = r.GetDouble(i, 4);
    it.min_qty = r.GetDouble(i, 5);
    it.max_qty = r.GetDouble(i, 6);
    it.supplier = static_cast<int>(r.GetInt(i, 7));
    items_[static_cast<int32_t>(r.GetInt(i, 0))] = it;
  }
}

void Runner::StreamSeries(int64_t from, int64_t to,
                          const std::function<void(size_t, std::vector<double>&)>& fn) {
  const size_t len = static_cast<size_t>(std::max<int64_t>(0, to - from + 1));
  std::vector<double> series(len, 0.0);
  size_t next = 0;  // next pair index to emit
  auto emit_until = [&](const Pair* upto) {
    // Emits every pair before `upto` (all remaining when null) with an all-zero series.
    while (next < pairs_.size() && (!upto || pairs_[next] < *upto)) {
      std::fill(series.begin(), series.end(), 0.0);
      fn(next++, series);
    }
  };
  // Trusted text only: dates come from FormatDate.
  pg::CopyReader rd(reader_,
                    "COPY (SELECT item_id, site_id, full_date, quantity::float8"
                    " FROM core.fact_demand_daily WHERE full_date BETWEEN " +
                        SqlDate(from) + " AND " + SqlDate(to) +
                        " ORDER BY item_id, site_id, full_date) TO STDOUT (FORMAT binary)");
  bool have = false;
  Pair cur{0, 0};
  while (rd.Next()) {
    Pair p{rd.Int32(0), rd.Int32(1)};
    if (!have || !(p == cur)) {
      if (have && next < pairs_.size() && pairs_[next] == cur) fn(next++, series);
      emit_until(&p);
      std::fill(series.begin(), series.end(), 0.0);
      cur = p;
      have = true;
    }
    int64_t idx = rd.Date(2) - from;
    if (idx >= 0 && idx < static_cast<int64_t>(len)) series[idx] += std::max(0.0, rd.Float8(3));
  }
  if (have && next < pairs_.size() && pairs_[next] == cur) fn(next++, series);
  emit_until(nullptr);
}

int64_t Runner::StageCalendar() {
  return schema::FillCalendar(writer_, first_day_, as_of_ + opt_.horizon);
}

int64_t Runner::StageFeatures(StageReport& rep) {
  auto t0 = Clock::now();
  const int64_t first_feature_day = as_of_ - opt_.feature_days + 1;
  const int64_t from = first_feature_day - kTrailingWindow;  // lags and trailing windows
  std::map<int64_t, std::string> holidays;
  for (int y = CivilFromDays(from).year; y <= CivilFromDays(as_of_).year + 2; ++y)
    for (auto& h : BrazilHolidays(y)) holidays.emplace(h.day, h.name);

  CreateShadowFeatures();
  pg::CopyWriter w(writer_,
                   "COPY analytics.features_store_next (run_id, full_date, item_id, site_id,"
                   " features, schema_version, computed_at) FROM STDIN (FORMAT binary)");
  std::optional<Progress> progress;
  if (opt_.progress) progress.emplace("features", static_cast<int64_t>(pairs_.size()));
  std::string json;
  StreamSeries(from, as_of_, [&](size_t idx, std::vector<double>& y) {
    const Pair& p = pairs_[idx];
    auto at = [&](int64_t day) -> double { return y[day - from]; };
    auto known = [&](int64_t day) { return day >= first_day_; };
    // No rows before the history starts (a short history, e.g. a freshly migrated store).
    for (int64_t d = std::max({first_feature_day, from + 1, first_day_}); d <= as_of_; ++d) {
      json.clear();
      json += "{\"demand\":" + JsonNumber(at(d));
      for (int lag : {7, 14, 30}) {
        json += ",\"lag_" + std::to_string(lag) + "\":";
        json += known(d - lag) ? JsonNumber(at(d - lag)) : "null";
      }
      // Rolling windows end the day before d: features only use what was known before d.
      auto window = [&](int n) {
        int64_t lo = std::max({d - n, from, first_day_});
        return std::span<const double>(y.data() + (lo - from), static_cast<size_t>(d - lo));
      };
      auto w7 = window(7), w30 = window(30), w90 = window(kTrailingWindow);
      MeanStd m7 = ComputeMeanStd(w7), m30 = ComputeMeanStd(w30);
      json += ",\"rolling_mean_7\":" + (w7.empty() ? std::string("null") : JsonNumber(m7.mean));
      json += ",\"rolling_mean_30\":" + (w30.empty() ? std::string("null") : JsonNumber(m30.mean));
      json += ",\"rolling_std_30\":" + (w30.size() < 2 ? std::string("null") : JsonNumber(m30.std));
      int wd = Weekday(d);
      json += ",\"weekday\":" + std::to_string(wd);
      json += std::string(",\"is_weekend\":") + (wd == 0 || wd == 6 ? "true" : "false");
      auto h = holidays.find(d);
      json += std::string(",\"is_holiday\":") + (h != holidays.end() ? "true" : "false");
      json += ",\"holiday_name\":" + (h != holidays.end() ? JsonString(h->second) : "null");
      auto nh = holidays.upper_bound(d);
      json += ",\"days_to_next_holiday\":" +
              (nh != holidays.end() ? std::to_string(nh->first - d) : std::string("null"));
      int nonzero = 0;
      for (double v : w90) nonzero += v > 0;
      json += ",\"zero_share_90\":" +
              (w90.empty() ? std::string("null") : JsonNumber(1.0 - double(nonzero) / w90.size()));
      forecast::DemandProfile prof = forecast::ClassifyDemand(w90);
      json += ",\"adi_90\":" + JsonNumber(prof.adi);
      json += ",\"cv2_90\":" + JsonNumber(prof.cv2);
      json += ",\"demand_class_90\":" + JsonString(prof.demand_class);
      json += ",\"trend_slope_30\":" + JsonNumber(TrendSlope(w30));
      json += "}";
      w.StartRow(7);
      w.Int64(run_id_);
      w.Date(d);
      w.Int32(p.item);
      w.Int32(p.site);
      w.Jsonb(json);
      w.Text(kFeaturesSchemaVersion);
      w.Timestamp(computed_at_us_);
    }
    if (progress) progress->Advance();
  });
  if (progress) progress->Finish();
  int64_t rows = w.Finish();
  auto t1 = Clock::now();
  IndexShadowFeatures();
  rep.note = "compute+copy " + Fixed(std::chrono::duration<double>(t1 - t0).count(), 2) +
             " s, indexes " + Fixed(std::chrono::duration<double>(Clock::now() - t1).count(), 2) +
             " s";
  return rows;
}

void Runner::CreateShadowFeatures() {
  // Only this transaction sees the shadow table; the run lock keeps other runs out.
  writer_.ExecScript(
      "CREATE TABLE analytics.features_store_next (LIKE analytics.features_store"
      " INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING STORAGE INCLUDING COMPRESSION)");
  features_shadowed_ = true;
}

void Runner::IndexShadowFeatures() {
  // Recreates the live table's primary key, foreign keys and indexes on the shadow table, from
  // the catalog (so a later migration that adds an index is followed), under temporary names.
  writer_.ExecScript("SET LOCAL maintenance_work_mem = '256MB'");
  auto cons = writer_.ExecScript(
      "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint"
      " WHERE conrelid = 'analytics.features_store'::regclass AND contype IN ('p', 'u', 'f')"
      " ORDER BY contype DESC, conname");
  for (int i = 0; i < cons.Rows(); ++i) {
    std::string name = cons.GetString(i, 0), tmp = name + "_next";
    writer_.ExecScript("ALTER TABLE analytics.features_store_next ADD CONSTRAINT " +
                       writer_.QuoteIdentifier(tmp) + " " + cons.GetString(i, 1));
    shadow_renames_.push_back({"constraint", tmp, name});
  }
  auto idx = writer_.ExecScript(
      "SELECT c.relname, pg_get_indexdef(i.indexrelid) FROM pg_index i"
      " JOIN pg_class c ON c.oid = i.indexrelid"
      " WHERE i.indrelid = 'analytics.features_store'::regclass"
      " AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid)"
      " ORDER BY c.relname");
  for (int i = 0; i < idx.Rows(); ++i) {
    std::string name = idx.GetString(i, 0), def = idx.GetString(i, 1), tmp = name + "_next";
    const std::string from = " " + writer_.QuoteIdentifier(name) + " ON analytics.features_store ";
    const std::string from_plain = " " + name + " ON analytics.features_store ";
    size_t at = def.find(from_plain);
    size_t len = from_plain.size();
    if (at == std::string::npos) at = def.find(from), len = from.size();
    if (at == std::string::npos) throw std::runtime_error("unexpected index definition: " + def);
    def.replace(at, len, " " + writer_.QuoteIdentifier(tmp) + " ON analytics.features_store_next ");
    writer_.ExecScript(def);
    shadow_renames_.push_back({"index", tmp, name});
  }
  writer_.ExecScript("ANALYZE analytics.features_store_next");
}

void Runner::SwapShadowFeatures() {
  auto seq =
      writer_.ExecScript("SELECT pg_get_serial_sequence('analytics.features_store', 'feature_id')");
  if (!seq.IsNull(0, 0))  // keep the id sequence: it belongs to the live table's column
    writer_.ExecScript("ALTER SEQUENCE " + seq.GetString(0, 0) +
                       " OWNED BY analytics.features_store_next.feature_id");
  writer_.ExecScript(
      "DROP TABLE analytics.features_store;"
      "ALTER TABLE analytics.features_store_next RENAME TO features_store");
  for (const auto& [kind, tmp, name] : shadow_renames_) {
    if (kind == "constraint")
      writer_.ExecScript("ALTER TABLE analytics.features_store RENAME CONSTRAINT " +
                         writer_.QuoteIdentifier(tmp) + " TO " + writer_.QuoteIdentifier(name));
    else
      writer_.ExecScript("ALTER INDEX analytics." + writer_.QuoteIdentifier(tmp) + " RENAME TO " +
                         writer_.QuoteIdentifier(name));
  }
}

int64_t Runner::StageForecast(StageReport& rep) {
  const int64_t from = std::max(first_day_, as_of_ - opt_.history_days + 1);
  const int jobs = opt_.jobs > 0
                       ? opt_.jobs
                       : std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
  forecast::ForecastOptions fopt;
  fopt.horizon = opt_.horizon;
  outcomes_.assign(pairs_.size(), SeriesOutcome{});

  struct Job {
    size_t idx;
    std::vector<double> y;
  };
  struct Done {
    size_t idx;
    forecast::ForecastResult fc;
  };
  WorkQueue<Job> queue(static_cast<size_t>(jobs) * 4);
  std::mutex done_mu;
  std::vector<Done> done;
  std::optional<Progress> progress;
  if (opt_.progress) progress.emplace("forecast", static_cast<int64_t>(pairs_.size()));
  std::exception_ptr worker_error;
  std::vector<std::thread> workers;
  for (int t = 0; t < jobs; ++t) {
    workers.emplace_back([&] {
      while (auto job = queue.Pop()) {
        try {
          Done d{job->idx, forecast::ForecastAuto(job->y, fopt)};
          // Recent demand statistics for the inventory policy (last 90 days).
          size_t n = std::min<size_t>(job->y.size(), 90);
          MeanStd ms = ComputeMeanStd(std::span<const double>(job->y).last(n));
          SeriesOutcome& o = outcomes_[job->idx];  // distinct index per job: no lock needed
          o.recent_mean = ms.mean;
          o.recent_std = ms.std;
          o.n_points = static_cast<int>(std::min<size_t>(job->y.size(), 554));
          std::lock_guard lock(done_mu);
          done.push_back(std::move(d));
        } catch (...) {
          std::lock_guard lock(done_mu);
          if (!worker_error) worker_error = std::current_exception();
        }
        if (progress) progress->Advance();
      }
    });
  }

  pg::CopyWriter w(writer_,
                   "COPY analytics.forecasts (run_id, full_date, item_id, site_id, horizon_days,"
                   " yhat, yhat_lower, yhat_upper, yhat_lower_95, yhat_upper_95, model_tag,"
                   " confidence_level, computed_at) FROM STDIN (FORMAT binary)");
  const std::string run_suffix = "@run" + std::to_string(run_id_);
  std::map<std::string, int64_t> model_counts;
  auto drain = [&] {
    std::vector<Done> batch;
    {
      std::lock_guard lock(done_mu);
      batch.swap(done);
    }
    for (Done& d : batch) {
      const Pair& p = pairs_[d.idx];
      const auto& fc = d.fc;
      const std::string tag = fc.model + run_suffix;
      ++model_counts[fc.model];
      SeriesOutcome& o = outcomes_[d.idx];
      o.mean.resize(opt_.horizon);
      for (int h = 0; h < opt_.horizon; ++h) {
        auto pick = [&](const std::vector<double>& v, double dflt) {
          double x = h < static_cast<int>(v.size()) ? v[h] : dflt;
          return std::isfinite(x) ? std::max(0.0, x) : dflt;
        };
        // Rounded once, so that the order lo95 <= lo80 <= yhat <= hi80 <= hi95 holds in the
        // stored NUMERIC(18,4) values too.
        auto r4 = [](double x) { return std::round(x * 1e4) / 1e4; };
        double yhat = r4(pick(fc.mean, 0.0));
        double lo80 = std::min(yhat, r4(pick(fc.lo80, yhat)));
        double hi80 = std::max(yhat, r4(pick(fc.hi80, yhat)));
        double lo95 = std::min(lo80, r4(pick(fc.lo95, lo80)));
        double hi95 = std::max(hi80, r4(pick(fc.hi95, hi80)));
        o.mean[h] = yhat;
        w.StartRow(13);
        w.Int64(run_id_);
        w.Date(as_of_ + h + 1);
        w.Int32(p.item);
        w.Int32(p.site);
        w.Int16(static_cast<int16_t>(h + 1));
        w.Numeric(yhat, 4);
        w.Numeric(lo80, 4);
        w.Numeric(hi80, 4);
        w.Numeric(lo95, 4);
        w.Numeric(hi95, 4);
        w.Text(tag);
        w.NumericInt(80);
        w.Timestamp(computed_at_us_);
      }
      o.model = fc.model;
      o.demand_class = fc.demand_class;
      o.mase = fc.backtest_mase;
      o.wape = fc.backtest_wape;
      o.mape = fc.backtest_mape;
      o.bias = fc.backtest_bias;
      o.done = true;
    }
  };
  try {
    StreamSeries(from, as_of_, [&](size_t idx, std::vector<double>& y) {
      queue.Push(Job{idx, y});
      drain();
    });
  } catch (...) {
    queue.Close();
    for (auto& t : workers) t.join();
    throw;
  }
  queue.Close();
  for (auto& t : workers) t.join();
  if (worker_error) std::rethrow_exception(worker_error);
  drain();
  if (progress) progress->Finish();
  int64_t rows = w.Finish();
  std::string models = "{";
  for (auto& [m, n] : model_counts)
    models += (models.size() > 1 ? "," : "") + JsonString(m) + ":" + std::to_string(n);
  models += "}";
  extra_stats_.emplace_back("models", models);
  rep.note = std::to_string(pairs_.size()) + " series on " + std::to_string(jobs) + " threads";
  return rows;
}

int64_t Runner::StageBacktest(StageReport& rep) {
  // 1. Per-series accuracy of the chosen model on the rolling-origin backtest.
  pg::CopyWriter w(writer_,
                   "COPY analytics.forecast_accuracy (run_id, item_id, site_id, model_tag, mape,"
                   " wape, mase, bias, n_points) FROM STDIN (FORMAT binary)");
  std::vector<double> mases;
  double sum_wape = 0, sum_mape = 0, sum_bias = 0;
  int n_wape = 0, n_mape = 0, n_bias = 0;
  const std::string run_suffix = "@run" + std::to_string(run_id_);
  auto finite_or_null = [&](double v, int scale) {
    if (std::isfinite(v))
      w.Numeric(v, scale);
    else
      w.Null();
  };
  for (size_t i = 0; i < pairs_.size(); ++i) {
    const SeriesOutcome& o = outcomes_[i];
    if (!o.done) continue;
    w.StartRow(9);
    w.Int64(run_id_);
    w.Int32(pairs_[i].item);
    w.Int32(pairs_[i].site);
    w.Text(o.model + run_suffix);
    finite_or_null(std::min(o.mape, 1e7), 4);
    finite_or_null(std::min(o.wape, 1e7), 4);
    finite_or_null(std::min(o.mase, 1e7), 4);
    finite_or_null(o.bias, 4);
    w.Int32(o.n_points);
    if (std::isfinite(o.mase)) mases.push_back(o.mase);
    if (std::isfinite(o.wape)) sum_wape += o.wape, ++n_wape;
    if (std::isfinite(o.mape)) sum_mape += o.mape, ++n_mape;
    if (std::isfinite(o.bias)) sum_bias += o.bias, ++n_bias;
  }
  int64_t rows = w.Finish();
  double median_mase = NAN;
  if (!mases.empty()) {
    std::nth_element(mases.begin(), mases.begin() + mases.size() / 2, mases.end());
    median_mase = mases[mases.size() / 2];
  }
  double mean_mase = 0;
  for (double m : mases) mean_mase += m;
  mean_mase = mases.empty() ? NAN : mean_mase / mases.size();
  std::string agg = "{\"series\":" + std::to_string(rows) +
                    ",\"mean_mase\":" + JsonNumber(mean_mase) +
                    ",\"median_mase\":" + JsonNumber(median_mase) +
                    ",\"mean_wape\":" + JsonNumber(n_wape ? sum_wape / n_wape : NAN) +
                    ",\"mean_mape\":" + JsonNumber(n_mape ? sum_mape / n_mape : NAN) +
                    ",\"mean_bias\":" + JsonNumber(n_bias ? sum_bias / n_bias : NAN);

  // 2. Earlier runs' forecasts against the actuals that arrived since (missing demand = 0).
  auto r = reader_.Execute(
      "SELECT f.run_id, count(*), "
      " (avg(abs(f.yhat - coalesce(d.quantity, 0)) / d.quantity)"
      "    FILTER (WHERE d.quantity > 0) * 100)::float8,"
      " (sum(abs(f.yhat - coalesce(d.quantity, 0))) / nullif(sum(coalesce(d.quantity, 0)), 0)"
      "    * 100)::float8"
      " FROM analytics.forecasts f JOIN analytics.pipeline_runs r ON r.run_id = f.run_id"
      " LEFT JOIN core.fact_demand_daily d ON d.item_id = f.item_id AND d.site_id = f.site_id"
      "  AND d.full_date = f.full_date"
      " WHERE r.status = 'SUCCEEDED' AND f.full_date <= $1::date"
      " GROUP BY f.run_id ORDER BY f.run_id",
      FormatDate(as_of_));
  agg += ",\"earlier_runs\":[";
  for (int i = 0; i < r.Rows(); ++i) {
    agg += (i ? "," : "") + std::string("{\"run_id\":") + r.GetString(i, 0) +
           ",\"points\":" + r.GetString(i, 1) +
           ",\"mape\":" + (r.IsNull(i, 2) ? "null" : JsonNumber(r.GetDouble(i, 2))) +
           ",\"wape\":" + (r.IsNull(i, 3) ? "null" : JsonNumber(r.GetDouble(i, 3))) + "}";
  }
  agg += "]}";
  extra_stats_.emplace_back("backtest", agg);
  rep.note =
      "median MASE " + Fixed(median_mase, 3) + ", earlier runs scored " + std::to_string(r.Rows());
  return rows;
}

int64_t Runner::StageAbc(StageReport& rep) {
  auto r = reader_.Execute(
      "SELECT i.item_id, coalesce(sum(d.quantity * coalesce(i.unit_price, 0)), 0)::float8"
      " FROM core.dim_item i LEFT JOIN core.fact_demand_daily d ON d.item_id = i.item_id"
      "  AND d.full_date BETWEEN $1::date - 364 AND $1::date"
      " WHERE i.active GROUP BY i.item_id ORDER BY i.item_id",
      FormatDate(as_of_));
  std::vector<double> revenue(r.Rows());
  for (int i = 0; i < r.Rows(); ++i) revenue[i] = r.GetDouble(i, 1);
  std::vector<char> cls = AbcClasses(revenue);
  std::string ids = "{", classes = "{";
  int counts[3] = {0, 0, 0};
  for (int i = 0; i < r.Rows(); ++i) {
    ids += (i ? "," : "") + r.GetString(i, 0);
    classes += (i ? "," : "") + std::string(1, cls[i]);
    ++counts[cls[i] - 'A'];
    items_[static_cast<int32_t>(r.GetInt(i, 0))].abc = cls[i];
  }
  ids += "}";
  classes += "}";
  auto u = writer_.Execute(
      "UPDATE core.dim_item i SET abc_class = v.c, updated_at = now()"
      " FROM unnest($1::int[], $2::text[]) AS v(id, c)"
      " WHERE i.item_id = v.id AND i.abc_class IS DISTINCT FROM v.c",
      ids, classes);
  rep.note = "A " + std::to_string(counts[0]) + ", B " + std::to_string(counts[1]) + ", C " +
             std::to_string(counts[2]) + "; changed " + std::to_string(u.AffectedRows());
  extra_stats_.emplace_back("abc", "{\"A\":" + std::to_string(counts[0]) +
                                       ",\"B\":" + std::to_string(counts[1]) +
                                       ",\"C\":" + std::to_string(counts[2]) + "}");
  return r.Rows();
}

int64_t Runner::StagePolicy() {
  const std::string as_of = FormatDate(as_of_);
  // Lead times per supplier from delivered orders (actual - order date).
  std::unordered_map<int, std::pair<double, double>> lead;
  {
    auto r = reader_.Execute(
        "SELECT s.supplier_id, avg(o.actual_delivery_date - o.order_date)::float8,"
        " coalesce(stddev_samp(o.actual_delivery_date - o.order_date), 0)::float8,"
        " coalesce(s.avg_lead_time_days, 7)::float8, count(o.order_id)"
        " FROM core.dim_supplier s LEFT JOIN core.fact_orders o ON o.supplier_id = s.supplier_id"
        "  AND o.actual_delivery_date IS NOT NULL AND o.actual_delivery_date <= $1::date"
        " GROUP BY s.supplier_id, s.avg_lead_time_days",
        as_of);
    for (int i = 0; i < r.Rows(); ++i) {
      bool have = r.GetInt(i, 4) > 0;
      lead[static_cast<int>(r.GetInt(i, 0))] = have
                                                   ? std::pair{r.GetDouble(i, 1), r.GetDouble(i, 2)}
                                                   : std::pair{r.GetDouble(i, 3), 0.0};
    }
  }
  std::map<Pair, double> stock;
  {
    auto r = reader_.Execute(
        "SELECT DISTINCT ON (item_id, site_id) item_id, site_id, current_stock::float8"
        " FROM core.fact_inventory_daily WHERE full_date BETWEEN $1::date - 30 AND $1::date"
        " ORDER BY item_id, site_id, full_date DESC",
        as_of);
    for (int i = 0; i < r.Rows(); ++i)
      stock[{static_cast<int32_t>(r.GetInt(i, 0)), static_cast<int32_t>(r.GetInt(i, 1))}] =
          r.GetDouble(i, 2);
  }
  {
    auto r = reader_.Execute(
        "SELECT item_id, site_id, quantity::float8, expected_delivery_date - DATE '1970-01-01'"
        " FROM core.fact_orders WHERE status IN ('PLACED', 'DELAYED')"
        " AND actual_delivery_date IS NULL AND order_date <= $1::date",
        as_of);
    for (int i = 0; i < r.Rows(); ++i) {
      Pair p{static_cast<int32_t>(r.GetInt(i, 0)), static_cast<int32_t>(r.GetInt(i, 1))};
      OpenOrders& oo = open_orders_[p];
      oo.quantity += r.GetDouble(i, 2);
      if (!r.IsNull(i, 3)) {
        int64_t exp = r.GetInt(i, 3);
        oo.earliest_expected = std::min(oo.earliest_expected, exp);
        if (exp <= as_of_) {
          ++oo.late;
          oo.latest_late_expected = std::max(oo.latest_late_expected, exp);
          oo.earliest_expected = std::min(oo.earliest_expected, exp);
        }
      }
    }
  }
  policy_.assign(pairs_.size(), PolicyRow{});
  pg::CopyWriter w(writer_,
                   "COPY analytics.inventory_policy (run_id, item_id, site_id, as_of,"
                   " avg_daily_demand, demand_std, lead_time_days, lead_time_std, service_level,"
                   " safety_stock, reorder_point, order_up_to, current_stock, on_order,"
                   " days_to_rupture) FROM STDIN (FORMAT binary)");
  for (size_t i = 0; i < pairs_.size(); ++i) {
    const SeriesOutcome& o = outcomes_[i];
    if (!o.done) continue;
    const Pair& p = pairs_[i];
    const ItemInfo& it = items_[p.item];
    PolicyRow& row = policy_[i];
    auto l = lead.find(it.supplier);
    row.lead = l != lead.end() ? l->second.first : 7.0;
    row.lead_std = l != lead.end() ? l->second.second : 0.0;
    row.mean = o.recent_mean;
    row.std = o.recent_std;
    row.service = ServiceLevelForClass(it.abc);
    row.ss = SafetyStock(NormalQuantile(row.service), row.mean, row.std, row.lead, row.lead_std);
    row.rop = ReorderPoint(row.mean, row.lead, row.ss);
    row.out = OrderUpTo(row.rop, row.mean, opt_.review_days);
    auto s = stock.find(p);
    row.stock = s != stock.end() ? s->second : 0.0;
    auto oo = open_orders_.find(p);
    row.on_order = oo != open_orders_.end() ? oo->second.quantity : 0.0;
    row.dtr = DaysToRupture(row.stock, o.mean);
    row.valid = true;
    w.StartRow(15);
    w.Int64(run_id_);
    w.Int32(p.item);
    w.Int32(p.site);
    w.Date(as_of_);
    w.Numeric(row.mean, 4);
    w.Numeric(row.std, 4);
    w.Numeric(row.lead, 2);
    w.Numeric(row.lead_std, 2);
    w.Numeric(row.service, 4);
    w.Numeric(row.ss, 4);
    w.Numeric(row.rop, 4);
    w.Numeric(row.out, 4);
    w.Numeric(row.stock, 4);
    w.Numeric(row.on_order, 4);
    if (row.dtr)
      w.Int32(*row.dtr);
    else
      w.Null();
  }
  int64_t rows = w.Finish();
  // Today's inventory rows carry the policy too (what GET /inventory/timeseries reads).
  writer_.Execute(
      "UPDATE core.fact_inventory_daily f SET safety_stock = p.safety_stock,"
      " reorder_point = p.reorder_point, days_to_rupture = p.days_to_rupture"
      " FROM analytics.inventory_policy p"
      " WHERE p.run_id = $1 AND f.item_id = p.item_id AND f.site_id = p.site_id"
      " AND f.full_date = $2::date",
      run_id_, as_of);
  return rows;
}

int64_t Runner::StageKpis() {
  auto r = writer_.Exec(std::string(kKpisDailySql),
                        {pg::ToParam(run_id_), pg::ToParam(computed_at_sql_),
                         pg::ToParam(FormatDate(as_of_)), pg::ToParam(FormatDate(first_day_))});
  // Only this run's KPI rows stay: the statement above already carried earlier values over.
  writer_.Execute("DELETE FROM analytics.kpis_daily WHERE run_id IS DISTINCT FROM $1", run_id_);
  return r.AffectedRows();
}

int64_t Runner::StageRecommendations() {
  std::vector<Recommendation> recs;
  const int64_t tomorrow = as_of_ + 1;
  // Excess stock per item and site, for REALLOCATE: stock above the order-up-to level.
  std::map<int32_t, std::vector<size_t>> by_item;
  for (size_t i = 0; i < pairs_.size(); ++i)
    if (policy_[i].valid) by_item[pairs_[i].item].push_back(i);
  std::vector<double> excess_used(pairs_.size(), 0.0);
  for (size_t i = 0; i < pairs_.size(); ++i) {
    const PolicyRow& r = policy_[i];
    if (!r.valid) continue;
    const Pair& p = pairs_[i];
    const ItemInfo& it = items_[p.item];
    const SeriesOutcome& o = outcomes_[i];
    const std::string prio = Priority(it.criticality, r.dtr, r.lead);
    const std::string dtr_text = r.dtr ? std::to_string(*r.dtr) + " days" : "more than the horizon";
    const double position = r.stock + r.on_order;
    const double coverage = r.mean > 0 ? r.stock / r.mean : (r.stock > 0 ? INFINITY : 0);
    std::string base =
        "{\"stock\":" + JsonNumber(r.stock) + ",\"on_order\":" + JsonNumber(r.on_order) +
        ",\"reorder_point\":" + JsonNumber(r.rop) + ",\"safety_stock\":" + JsonNumber(r.ss) +
        ",\"order_up_to\":" + JsonNumber(r.out) + ",\"avg_daily_demand\":" + JsonNumber(r.mean) +
        ",\"lead_time_days\":" + JsonNumber(r.lead) +
        ",\"days_to_rupture\":" + (r.dtr ? std::to_string(*r.dtr) : "null");
    if (position < r.rop) {
      const double need = OrderQuantity(r.out, position, 0, 0);
      // Another site of the same item whose stock above its own order-up-to covers the need.
      size_t donor = SIZE_MAX;
      double best = 0;
      for (size_t j : by_item[p.item]) {
        if (j == i) continue;
        double ex = policy_[j].stock - policy_[j].out - excess_used[j];
        if (ex >= need && ex > best) best = ex, donor = j;
      }
      if (donor != SIZE_MAX && need > 0) {
        excess_used[donor] += need;
        recs.push_back({p, "REALLOCATE", prio,
                        "Move " + Fixed(need, 0) + " units from site " +
                            std::to_string(pairs_[donor].site) + " (excess " + Fixed(best, 0) +
                            ") to site " + std::to_string(p.site) + ": position " +
                            Fixed(position, 0) + " is below the reorder point " + Fixed(r.rop, 1) +
                            ", stock lasts " + dtr_text + ".",
                        base + ",\"from_site_id\":" + std::to_string(pairs_[donor].site) +
                            ",\"donor_excess\":" + JsonNumber(best) + "}",
                        tomorrow, std::ceil(need)});
      } else {
        double q = std::ceil(OrderQuantity(r.out, position, it.min_qty, it.max_qty));
        recs.push_back({p, "REORDER", prio,
                        "Order " + Fixed(q, 0) + " units: position " + Fixed(position, 0) +
                            " (stock " + Fixed(r.stock, 0) + " + on order " + Fixed(r.on_order, 0) +
                            ") is below the reorder point " + Fixed(r.rop, 1) + " (safety stock " +
                            Fixed(r.ss, 1) + "); stock lasts " + dtr_text + ", lead time " +
                            Fixed(r.lead, 1) + " days.",
                        base + ",\"min_order_qty\":" + JsonNumber(it.min_qty) +
                            ",\"max_order_qty\":" + JsonNumber(it.max_qty) + "}",
                        tomorrow, q});
      }
    }
    auto oo = open_orders_.find(p);
    if (oo != open_orders_.end()) {
      const OpenOrders& ord = oo->second;
      const bool late = ord.late > 0;
      const bool after_rupture = r.dtr && ord.earliest_expected > as_of_ + *r.dtr;
      if (late || after_rupture) {
        std::string why = late ? std::to_string(ord.late) + " open order(s) overdue since " +
                                     FormatDate(ord.latest_late_expected)
                               : "the next delivery (" + FormatDate(ord.earliest_expected) +
                                     ") arrives after the stock runs out in " + dtr_text;
        recs.push_back({p, "EXPEDITE", late && r.dtr && *r.dtr <= r.lead ? "CRITICAL" : prio,
                        "Expedite " + Fixed(ord.quantity, 0) + " units on order: " + why + ".",
                        base + ",\"late_orders\":" + std::to_string(ord.late) +
                            ",\"next_expected\":" +
                            (ord.earliest_expected == INT64_MAX
                                 ? std::string("null")
                                 : JsonString(FormatDate(ord.earliest_expected))) +
                            "}",
                        tomorrow, ord.quantity});
      }
    }
    const bool slow =
        it.abc == 'C' || o.demand_class == "intermittent" || o.demand_class == "lumpy";
    if (r.stock > 0 && coverage > opt_.promo_days && slow) {
      double excess = std::max(0.0, r.stock - r.out);
      recs.push_back(
          {p, "PROMO", "LOW",
           "Promote slow mover: stock " + Fixed(r.stock, 0) + " covers " +
               (std::isfinite(coverage) ? Fixed(coverage, 0) + " days" : "indefinitely") + " at " +
               Fixed(r.mean, 2) + " units/day; " + Fixed(excess, 0) +
               " units above the order-up-to level.",
           base + ",\"coverage_days\":" + JsonNumber(coverage) + "}", tomorrow,
           std::floor(excess)});
    } else if (r.stock > 0 && coverage > opt_.hold_days) {
      recs.push_back(
          {p, "HOLD", "LOW",
           "Hold orders: stock " + Fixed(r.stock, 0) + " covers " +
               (std::isfinite(coverage) ? Fixed(coverage, 0) + " days" : "indefinitely") + " at " +
               Fixed(r.mean, 2) + " units/day (limit " + Fixed(opt_.hold_days, 0) + " days).",
           base + ",\"coverage_days\":" + JsonNumber(coverage) + "}", tomorrow, 0});
    }
  }
  writer_.ExecScript(
      "CREATE TEMP TABLE corrente_recs (item_id int, site_id int, type text, priority text,"
      " message text, action_date date, quantity numeric, details jsonb) ON COMMIT DROP");
  {
    pg::CopyWriter w(writer_, "COPY corrente_recs FROM STDIN (FORMAT binary)");
    for (const auto& r : recs) {
      w.StartRow(8);
      w.Int32(r.pair.item);
      w.Int32(r.pair.site);
      w.Text(r.type);
      w.Text(r.priority);
      w.Text(r.message);
      w.Date(r.action_date);
      w.Numeric(std::max(0.0, r.quantity), 4);
      w.Jsonb(r.details);
    }
    w.Finish();
  }
  // One open recommendation per item, site and type: updated in place on re-runs.
  // Acknowledged ones are never touched.
  auto up = writer_.Execute(
      "INSERT INTO analytics.recommendations AS r (run_id, item_id, site_id, type, priority,"
      " message, action_date, quantity_recommended, details)"
      " SELECT $1, item_id, site_id, type, priority, message, action_date, quantity, details"
      " FROM corrente_recs"
      " ON CONFLICT (item_id, site_id, type) WHERE acknowledged_at IS NULL DO UPDATE SET"
      " run_id = EXCLUDED.run_id, priority = EXCLUDED.priority, message = EXCLUDED.message,"
      " action_date = EXCLUDED.action_date, quantity_recommended = EXCLUDED.quantity_recommended,"
      " details = EXCLUDED.details, updated_at = now()",
      run_id_);
  // Open recommendations that no longer apply are withdrawn.
  auto gone = writer_.Execute(
      "DELETE FROM analytics.recommendations WHERE acknowledged_at IS NULL"
      " AND run_id IS DISTINCT FROM $1",
      run_id_);
  extra_stats_.emplace_back("recommendations",
                            "{\"upserted\":" + std::to_string(up.AffectedRows()) +
                                ",\"withdrawn\":" + std::to_string(gone.AffectedRows()) + "}");
  return up.AffectedRows();
}

int64_t Runner::StageAlerts() {
  std::vector<Alert> alerts;
  for (size_t i = 0; i < pairs_.size(); ++i) {
    const PolicyRow& r = policy_[i];
    if (!r.valid) continue;
    const Pair& p = pairs_[i];
    std::string base = "{\"stock\":" + JsonNumber(r.stock) +
                       ",\"safety_stock\":" + JsonNumber(r.ss) +
                       ",\"lead_time_days\":" + JsonNumber(r.lead) +
                       ",\"days_to_rupture\":" + (r.dtr ? std::to_string(*r.dtr) : "null") + "}";
    if (r.dtr && *r.dtr <= 2 * r.lead) {
      bool critical = *r.dtr <= r.lead;
      alerts.push_back({p, critical ? "CRITICAL" : "WARNING", "STOCKOUT_IMMINENT",
                        "Stock of " + Fixed(r.stock, 0) + " runs out in " + std::to_string(*r.dtr) +
                            " days; lead time is " + Fixed(r.lead, 1) + " days.",
                        base});
    }
    if (r.ss > 0 && r.stock < r.ss) {
      alerts.push_back({p, "WARNING", "BELOW_SAFETY_STOCK",
                        "Stock " + Fixed(r.stock, 0) + " is below the safety stock " +
                            Fixed(r.ss, 1) + " (reorder point " + Fixed(r.rop, 1) + ").",
                        base});
    }
    auto oo = open_orders_.find(p);
    if (oo != open_orders_.end() && oo->second.late > 0) {
      int64_t days_late = as_of_ - oo->second.latest_late_expected;
      int64_t worst = as_of_ - oo->second.earliest_expected;
      alerts.push_back({p, worst > r.lead ? "CRITICAL" : "WARNING", "SUPPLIER_DELAY",
                        std::to_string(oo->second.late) + " order(s) of supplier " +
                            std::to_string(items_[p.item].supplier) + " overdue, by up to " +
                            std::to_string(worst) + " days.",
                        "{\"late_orders\":" + std::to_string(oo->second.late) +
                            ",\"max_days_late\":" + std::to_string(worst) +
                            ",\"min_days_late\":" + std::to_string(days_late) +
                            ",\"supplier_id\":" + std::to_string(items_[p.item].supplier) + "}"});
    }
  }
  // FORECAST_DRIFT: the previous run's forecasts against the actuals since, compared with the
  // backtest error that run expected. Needs at least 7 days of actuals.
  {
    auto r = reader_.Execute(
        "WITH prev AS (SELECT run_id, as_of FROM analytics.pipeline_runs"
        "  WHERE status = 'SUCCEEDED' AND as_of < $1::date ORDER BY as_of DESC, run_id DESC"
        "  LIMIT 1)"
        " SELECT f.item_id, f.site_id, count(*),"
        "  (sum(abs(f.yhat - coalesce(d.quantity, 0))) / nullif(sum(coalesce(d.quantity, 0)), 0)"
        "   * 100)::float8, max(a.wape)::float8"
        " FROM prev JOIN analytics.forecasts f ON f.run_id = prev.run_id"
        " JOIN analytics.forecast_accuracy a ON a.run_id = f.run_id AND a.item_id = f.item_id"
        "  AND a.site_id = f.site_id"
        " LEFT JOIN core.fact_demand_daily d ON d.item_id = f.item_id AND d.site_id = f.site_id"
        "  AND d.full_date = f.full_date"
        " WHERE f.full_date <= $1::date"
        " GROUP BY f.item_id, f.site_id HAVING count(*) >= 7",
        FormatDate(as_of_));
    for (int i = 0; i < r.Rows(); ++i) {
      if (r.IsNull(i, 3) || r.IsNull(i, 4)) continue;
      double recent = r.GetDouble(i, 3), expected = r.GetDouble(i, 4);
      if (recent > std::max(2 * expected, expected + 30)) {
        Pair p{static_cast<int32_t>(r.GetInt(i, 0)), static_cast<int32_t>(r.GetInt(i, 1))};
        alerts.push_back({p, "WARNING", "FORECAST_DRIFT",
                          "Forecast error jumped: WAPE " + Fixed(recent, 1) + "% over the last " +
                              r.GetString(i, 2) + " days against " + Fixed(expected, 1) +
                              "% in the backtest.",
                          "{\"recent_wape\":" + JsonNumber(recent) + ",\"backtest_wape\":" +
                              JsonNumber(expected) + ",\"days\":" + r.GetString(i, 2) + "}"});
      }
    }
  }
  writer_.ExecScript(
      "CREATE TEMP TABLE corrente_alerts (item_id int, site_id int, level text, category text,"
      " message text, details jsonb) ON COMMIT DROP");
  {
    pg::CopyWriter w(writer_, "COPY corrente_alerts FROM STDIN (FORMAT binary)");
    for (const auto& a : alerts) {
      w.StartRow(6);
      w.Int32(a.pair.item);
      w.Int32(a.pair.site);
      w.Text(a.level);
      w.Text(a.category);
      w.Text(a.message);
      w.Jsonb(a.details);
    }
    w.Finish();
  }
  // One open alert per item, site and category: updated in place (read_at is kept).
  auto up = writer_.Execute(
      "INSERT INTO analytics.alerts (run_id, item_id, site_id, level, category, message, details)"
      " SELECT $1, item_id, site_id, level, category, message, details FROM corrente_alerts"
      " ON CONFLICT (item_id, site_id, category) WHERE resolved_at IS NULL DO UPDATE SET"
      " run_id = EXCLUDED.run_id, level = EXCLUDED.level, message = EXCLUDED.message,"
      " details = EXCLUDED.details, updated_at = now()",
      run_id_);
  // Open pipeline alerts whose condition is gone are resolved.
  auto resolved = writer_.Execute(
      "UPDATE analytics.alerts SET resolved_at = now(), updated_at = now()"
      " WHERE resolved_at IS NULL AND run_id IS DISTINCT FROM $1 AND category IN"
      " ('STOCKOUT_IMMINENT', 'BELOW_SAFETY_STOCK', 'SUPPLIER_DELAY', 'FORECAST_DRIFT')",
      run_id_);
  extra_stats_.emplace_back("alerts",
                            "{\"upserted\":" + std::to_string(up.AffectedRows()) +
                                ",\"resolved\":" + std::to_string(resolved.AffectedRows()) + "}");
  return up.AffectedRows();
}

std::string Runner::StatsJson(bool include_publish) const {
  std::string s = "{\"as_of\":" + JsonString(FormatDate(as_of_)) +
                  ",\"horizon\":" + std::to_string(opt_.horizon) +
                  ",\"series\":" + std::to_string(pairs_.size()) + ",\"stages\":[";
  bool first = true;
  for (const auto& r : reports_) {
    if (r.name == "publish" && !include_publish) continue;
    s += (first ? "" : ",") + std::string("{\"name\":") + JsonString(r.name) +
         ",\"ran\":" + (r.ran ? "true" : "false") + ",\"seconds\":" + JsonNumber(r.seconds) +
         ",\"rows\":" + std::to_string(r.rows) +
         (r.note.empty() ? "" : ",\"note\":" + JsonString(r.note)) + "}";
    first = false;
  }
  s += "]";
  for (const auto& [k, v] : extra_stats_) s += "," + JsonString(k) + ":" + v;
  double total = std::chrono::duration<double>(Clock::now() - start_).count();
  s += ",\"seconds_before_commit\":" + JsonNumber(total) + "}";
  return s;
}

int64_t Runner::StagePublish(StageReport& rep) {
  auto t0 = Clock::now();
  // Retention: features (swapped in below) and KPIs keep only this run; forecasts, policy and
  // accuracy keep the last keep_runs successful runs (earlier forecasts are what forecast_mape
  // scores).
  int64_t deleted = 0;
  const std::string old_runs =
      " WHERE run_id NOT IN (SELECT run_id FROM analytics.pipeline_runs WHERE status = 'SUCCEEDED'"
      " ORDER BY run_id DESC LIMIT $2) AND run_id <> $1";
  const int64_t keep_previous = std::max(0, opt_.keep_runs - 1);
  for (const char* table :
       {"analytics.forecasts", "analytics.inventory_policy", "analytics.forecast_accuracy"})
    deleted +=
        writer_.Execute(std::string("DELETE FROM ") + table + old_runs, run_id_, keep_previous)
            .AffectedRows();
  extra_stats_.emplace_back("retention_deleted_rows", std::to_string(deleted));
  writer_.Execute(
      "UPDATE analytics.pipeline_runs SET status = 'SUCCEEDED', finished_at = clock_timestamp(),"
      " stats = $2::jsonb WHERE run_id = $1",
      run_id_, StatsJson(false));
  // REFRESH ... CONCURRENTLY inside the transaction: readers keep seeing the old view contents
  // until COMMIT, then the new ones together with the new tables.
  auto t1 = Clock::now();
  writer_.ExecScript(
      "REFRESH MATERIALIZED VIEW CONCURRENTLY analytics.mv_kpis_latest;"
      "REFRESH MATERIALIZED VIEW CONCURRENTLY analytics.mv_forecasts_latest");
  auto t2 = Clock::now();
  writer_.Execute("SELECT pg_notify('corrente_data', $1)", std::to_string(run_id_));
  if (auto pause = std::getenv("CORRENTE_PIPELINE_PAUSE_BEFORE_COMMIT")) {
    // Test hook: makes the window between the last write and COMMIT deterministic.
    double secs = std::atof(pause);
    spdlog::warn(
        "pipeline run={} pausing {:.1f}s before commit (CORRENTE_PIPELINE_PAUSE_BEFORE_COMMIT)",
        run_id_, secs);
    std::this_thread::sleep_for(std::chrono::duration<double>(secs));
  }
  // Last, so the ACCESS EXCLUSIVE lock of the swap is held only until the COMMIT right after.
  auto t3 = Clock::now();
  if (features_shadowed_) SwapShadowFeatures();
  tx_->Commit();
  tx_.reset();
  auto secs = [](Clock::time_point a, Clock::time_point b) {
    return Fixed(std::chrono::duration<double>(b - a).count(), 2);
  };
  rep.note = "retention " + secs(t0, t1) + " s, views " + secs(t1, t2) + " s, swap+commit " +
             secs(t3, Clock::now()) + " s";
  return deleted;
}

void Runner::Export() {
  namespace fs = std::filesystem;
  fs::create_directories(opt_.export_dir);
  const std::string run = std::to_string(run_id_);
  auto copy_out = [&](const std::string& sql, const fs::path& path) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    if (!out) throw std::runtime_error("cannot write " + path.string());
    reader_.Check(PQexec(reader_.Raw(), sql.c_str()), PGRES_COPY_OUT);
    char* buf = nullptr;
    int n;
    while ((n = PQgetCopyData(reader_.Raw(), &buf, 0)) > 0) {
      out.write(buf, n);
      PQfreemem(buf);
    }
    reader_.Check(PQgetResult(reader_.Raw()), PGRES_COMMAND_OK);
    while (PGresult* extra = PQgetResult(reader_.Raw())) PQclear(extra);
    if (!out.flush()) throw std::runtime_error("cannot write " + path.string());
  };
  // run_id is an integer we generated: safe to put in the COPY text (COPY takes no parameters).
  copy_out(
      "COPY (SELECT f.item_id, i.sku, f.site_id, s.code AS site_code, f.full_date,"
      " f.horizon_days, f.yhat, f.yhat_lower, f.yhat_upper, f.yhat_lower_95, f.yhat_upper_95,"
      " f.model_tag, f.computed_at FROM analytics.forecasts f"
      " JOIN core.dim_item i ON i.item_id = f.item_id JOIN core.dim_site s ON s.site_id = f.site_id"
      " WHERE f.run_id = " +
          run +
          " ORDER BY f.item_id, f.site_id, f.full_date)"
          " TO STDOUT (FORMAT csv, HEADER)",
      fs::path(opt_.export_dir) / "forecasts.csv");
  copy_out(
      "COPY (SELECT item_id, site_id, full_date, schema_version, features"
      " FROM analytics.features_store WHERE run_id = " +
          run + " ORDER BY item_id, site_id, full_date) TO STDOUT (FORMAT csv, HEADER)",
      fs::path(opt_.export_dir) / "features.csv");
}

RunReport Runner::Run() {
  start_ = Clock::now();
  if (!reader_.Execute("SELECT pg_try_advisory_lock($1)", kRunLockKey).GetBool(0, 0))
    throw std::runtime_error("another pipeline run is in progress on this database");
  // A RUNNING row left by a killed process: nothing of it was published.
  reader_.ExecScript(
      "UPDATE analytics.pipeline_runs SET status = 'FAILED', finished_at = now(),"
      " error = 'abandoned: the process ended before publishing' WHERE status = 'RUNNING'");
  as_of_ = opt_.as_of ? *opt_.as_of : TodayUtc() - 1;
  {
    auto r = reader_.ExecScript(
        // ORDER BY .. LIMIT 1 walks the date indexes (min() may scan every partition).
        "SELECT (least((SELECT full_date FROM core.fact_demand_daily ORDER BY full_date LIMIT 1),"
        " (SELECT full_date FROM core.fact_inventory_daily ORDER BY full_date LIMIT 1))"
        " - DATE '1970-01-01'),"
        " (extract(epoch FROM date_trunc('milliseconds', now())) * 1000000)::int8,"
        " to_char(date_trunc('milliseconds', now()) AT TIME ZONE 'UTC',"
        " 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')");
    first_day_ = r.IsNull(0, 0) ? as_of_ : std::min<int64_t>(r.GetInt(0, 0), as_of_);
    computed_at_us_ = r.GetInt(0, 1);
    computed_at_sql_ = r.GetString(0, 2);
  }
  auto ins = reader_.Execute(
      "INSERT INTO analytics.pipeline_runs (status, as_of, model_tag) VALUES ('RUNNING', $1::date,"
      " 'auto') RETURNING run_id",
      FormatDate(as_of_));
  run_id_ = ins.GetInt(0, 0);
  const std::string model_tag = "auto@run" + std::to_string(run_id_);
  reader_.Execute("UPDATE analytics.pipeline_runs SET model_tag = $2 WHERE run_id = $1", run_id_,
                  model_tag);
  spdlog::info("pipeline run={} as_of={} horizon={} started", run_id_, FormatDate(as_of_),
               opt_.horizon);
  RunReport report;
  try {
    LoadPairs();
    LoadItems();
    tx_.emplace(writer_);
    Stage("calendar", [&](StageReport&) { return StageCalendar(); });
    Stage("features", [&](StageReport& r) { return StageFeatures(r); });
    Stage("forecast", [&](StageReport& r) { return StageForecast(r); });
    Stage(
        "backtest", [&](StageReport& r) { return StageBacktest(r); }, "forecast");
    Stage("abc", [&](StageReport& r) { return StageAbc(r); });
    Stage(
        "policy", [&](StageReport&) { return StagePolicy(); }, "forecast");
    Stage("kpis", [&](StageReport&) { return StageKpis(); });
    Stage(
        "recommendations", [&](StageReport&) { return StageRecommendations(); }, "policy");
    Stage(
        "alerts", [&](StageReport&) { return StageAlerts(); }, "policy");
    Stage("publish", [&](StageReport& r) { return StagePublish(r); });
  } catch (const std::exception& e) {
    tx_.reset();  // rolls back every write of the run
    try {
      reader_.Execute(
          "UPDATE analytics.pipeline_runs SET status = 'FAILED', finished_at = now(), error = $2"
          " WHERE run_id = $1",
          run_id_, std::string(e.what()));
    } catch (const std::exception& e2) {
      spdlog::error("pipeline run={} could not be marked FAILED: {}", run_id_, e2.what());
    }
    spdlog::error("pipeline run={} failed: {}", run_id_, e.what());
    throw;
  }
  report.stats_json = StatsJson(true);
  // The run is published; the final timings are bookkeeping only.
  reader_.Execute("UPDATE analytics.pipeline_runs SET stats = $2::jsonb WHERE run_id = $1", run_id_,
                  report.stats_json);
  if (!opt_.export_dir.empty()) Export();
  reader_.Execute("SELECT pg_advisory_unlock($1)", kRunLockKey);
  report.run_id = run_id_;
  report.as_of = as_of_;
  report.series = static_cast<int64_t>(pairs_.size());
  report.stages = reports_;
  report.total_seconds = std::chrono::duration<double>(Clock::now() - start_).count();
  spdlog::info("pipeline run={} published series={} seconds={:.2f}", run_id_, pairs_.size(),
               report.total_seconds);
  return report;
}

}  // namespace

std::vector<std::string> ParseStages(const std::string& csv) {
  std::vector<std::string> out;
  std::stringstream ss(csv);
  std::string s;
  while (std::getline(ss, s, ',')) {
    while (!s.empty() && s.front() == ' ') s.erase(s.begin());
    while (!s.empty() && s.back() == ' ') s.pop_back();
    if (s.empty()) continue;
    if (std::find_if(std::begin(kStages), std::end(kStages),
                     [&](const char* k) { return s == k; }) == std::end(kStages)) {
      std::string all;
      for (const char* k : kStages) all += (all.empty() ? "" : ",") + std::string(k);
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
  Runner runner(dsn, options);
  return runner.Run();
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
