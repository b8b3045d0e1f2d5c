#include <stdexcept>

#include "pg/copy.h"
#include "pipeline/runner.h"
#include "schema/calendar.h"

namespace corrente::pipeline::detail {

Runner::StageBody Runner::BodyOf(const std::string& stage) {
  // The bodies of kStages' entries, by name; a stage without one is a build-time gap.
  static const std::map<std::string, StageBody> kBodies = {
      {"calendar", &Runner::StageCalendar},
      {"features", &Runner::StageFeatures},
      {"forecast", &Runner::StageForecast},
      {"backtest", &Runner::StageBacktest},
      {"abc", &Runner::StageAbc},
      {"policy", &Runner::StagePolicy},
      {"kpis", &Runner::StageKpis},
      {"recommendations", &Runner::StageRecommendations},
      {"alerts", &Runner::StageAlerts},
      {"publish", &Runner::StagePublish}};
  return kBodies.at(stage);
}

void Runner::Stage(const StageInfo& stage, const std::function<int64_t(StageReport&)>& body) {
  StageReport rep;
  rep.name = stage.name;
  if (!Enabled(stage.name)) {
    rep.note = "disabled";
  } else if (stage.needs && !Enabled(stage.needs)) {
    rep.note = std::string("skipped: needs stage ") + stage.needs;
  } else {
    auto t0 = Clock::now();
    rep.ran = true;
    rep.rows = body(rep);
    rep.seconds = std::chrono::duration<double>(Clock::now() - t0).count();
  }
  if (rep.ran)
    spdlog::info("pipeline run={} stage={} seconds={:.2f} rows={}{}{}", run_id_, rep.name,
                 rep.seconds, rep.rows, rep.note.empty() ? "" : " note=", rep.note);
  else
    spdlog::info("pipeline run={} stage={} {}", run_id_, rep.name, rep.note);
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
    // NaN or absurd: missing (0, no limit); counted by CheckDataQuality.
    it.unit_cost = decide::UsableUnitValue(r.GetDouble(i, 3));
    it.unit_price = decide::UsableUnitValue(r.GetDouble(i, 4));
    it.min_qty = decide::UsableQuantity(r.GetDouble(i, 5));
    it.max_qty = decide::UsableQuantity(r.GetDouble(i, 6));
    it.supplier = static_cast<int>(r.GetInt(i, 7));
    items_[static_cast<int32_t>(r.GetInt(i, 0))] = it;
  }
}

void Runner::StreamSeries(int64_t from, int64_t to,
                          const std::function<void(size_t, std::vector<double>&)>& fn,
                          const std::string& only) {
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
  // Trusted text only: dates come from FormatDate, the slice's items are integers. A worker
  // reads its slice's items only (on Citus, one shard's: the query goes to that shard alone).
  pg::CopyReader rd(reader_,
                    "COPY (SELECT item_id, site_id, full_date, quantity::float8"
                    " FROM core.fact_demand_daily WHERE full_date BETWEEN " +
                        SqlDate(from) + " AND " + SqlDate(to) + SliceFilter("item_id") + only +
                        " ORDER BY item_id, site_id, full_date) TO STDOUT (FORMAT binary)");
  auto hand_over = [&] {  // the pair's series as recorded, its outlier days read as zero
    auto out = outlier_days_.find(pairs_[next]);
    if (out != outlier_days_.end())
      for (int64_t day : out->second)
        if (day >= from && day <= to) series[static_cast<size_t>(day - from)] = 0;
    fn(next++, series);
  };
  bool have = false;
  Pair cur{0, 0};
  while (rd.Next()) {
    Pair p{rd.Int32(0), rd.Int32(1)};
    if (!have || !(p == cur)) {
      if (have && next < pairs_.size() && pairs_[next] == cur) hand_over();
      emit_until(&p);
      std::fill(series.begin(), series.end(), 0.0);
      cur = p;
      have = true;
    }
    int64_t idx = rd.Date(2) - from;
    if (idx >= 0 && idx < static_cast<int64_t>(len))
      series[idx] += decide::UsableQuantity(rd.Float8(3));  // NaN, negative, absurd: none
  }
  if (have && next < pairs_.size() && pairs_[next] == cur) hand_over();
  emit_until(nullptr);
}

int64_t Runner::StageCalendar(StageReport&) {
  return schema::FillCalendar(writer_, first_day_, as_of_ + opt_.horizon);
}

// A failed run is a CRITICAL PIPELINE_FAILED alert (one open at a time, naming the latest
// failure); the next published run resolves it (publish.cpp).
void Runner::RaiseFailedAlert(const std::string& error) {
  try {
    const std::string msg = "Pipeline run " + std::to_string(run_id_) + " failed: " +
                            error.substr(0, 400) + " The published data is the previous run's.";
    auto up = reader_.Execute(
        "UPDATE analytics.alerts SET run_id = $1, message = $2, updated_at = now(),"
        " details = jsonb_build_object('run_id', $1::bigint) WHERE category = 'PIPELINE_FAILED'"
        " AND resolved_at IS NULL",
        run_id_, msg);
    if (up.AffectedRows() == 0)
      reader_.Execute(
          "INSERT INTO analytics.alerts (run_id, level, category, message, details)"
          " VALUES ($1, 'CRITICAL', 'PIPELINE_FAILED', $2, jsonb_build_object('run_id', $1::bigint))",
          run_id_, msg);
  } catch (const std::exception& e) {
    spdlog::error("pipeline run={}: could not raise the PIPELINE_FAILED alert: {}", run_id_, e.what());
  }
}

void Runner::Start() {
  start_ = Clock::now();
  if (!reader_.Execute("SELECT pg_try_advisory_lock($1)", kRunLockKey).GetBool(0, 0))
    throw std::runtime_error("another pipeline run is in progress on this database");
  if (opt_.scheduled_at) {
    auto ran = reader_.Execute(
        "SELECT EXISTS (SELECT 1 FROM analytics.pipeline_runs WHERE started_at >= "
        "to_timestamp($1::int8))",
        *opt_.scheduled_at);
    if (ran.GetBool(0, 0)) {
      reader_.Execute("SELECT pg_advisory_unlock($1)", kRunLockKey);
      throw std::runtime_error("the scheduled run of " + FormatUtc(*opt_.scheduled_at) +
                               " already started elsewhere");
    }
  }
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
}

void Runner::Fail(const std::exception& e) {
  tx_.reset();  // rolls back every write of the run
  try {
    reader_.Execute(
        "UPDATE analytics.pipeline_runs SET status = 'FAILED', finished_at = now(), error = $2"
        " WHERE run_id = $1",
        run_id_, std::string(e.what()));
  } catch (const std::exception& e2) {
    spdlog::error("pipeline run={} could not be marked FAILED: {}", run_id_, e2.what());
  }
  RaiseFailedAlert(e.what());
  spdlog::error("pipeline run={} failed: {}", run_id_, e.what());
}

RunReport Runner::Finish() {
  RunReport report;
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
  report.data_quality = data_quality_;
  report.total_seconds = std::chrono::duration<double>(Clock::now() - start_).count();
  spdlog::info("pipeline run={} published series={} seconds={:.2f}", run_id_, pairs_.size(),
               report.total_seconds);
  return report;
}

std::string Runner::SliceFilter(const std::string& column) const {
  if (!slice_mode_) return "";
  return " AND " + column + " = ANY('" + slice_items_ + "'::int[])";
}

RunReport Runner::Run() {
  Start();
  try {
    LoadPairs();
    LoadItems();
    data_quality_ = CheckDataQuality();
    tx_.emplace(writer_);
    for (const StageInfo& stage : kStages) Stage(stage, BodyOf(stage.name));
  } catch (const std::exception& e) {
    Fail(e);
    throw;
  }
  return Finish();
}

}  // namespace corrente::pipeline::detail
