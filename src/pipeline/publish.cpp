#include <filesystem>
#include <fstream>

#include "common/json.h"
#include "pg/copy.h"
#include "pipeline/runner.h"

namespace corrente::pipeline::detail {

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
  // The clock is read first: Citus takes no volatile function in an UPDATE of its tables.
  const std::string finished = writer_.ExecScript("SELECT clock_timestamp()").GetString(0, 0);
  writer_.Execute(
      "UPDATE analytics.pipeline_runs SET status = 'SUCCEEDED', finished_at = $3::timestamptz,"
      " stats = $2::jsonb WHERE run_id = $1",
      run_id_, StatsJson(false), finished);
  // REFRESH ... CONCURRENTLY inside the transaction: readers keep seeing the old view contents
  // until COMMIT, then the new ones together with the new tables.
  auto t1 = Clock::now();
  writer_.ExecScript(
      "REFRESH MATERIALIZED VIEW CONCURRENTLY analytics.mv_kpis_latest;"
      "REFRESH MATERIALIZED VIEW CONCURRENTLY analytics.mv_forecasts_latest");
  auto t2 = Clock::now();
  // Each series' JSON page for GET /forecasts (V066), rendered once here instead of per request.
  const int64_t pages =
      writer_.Execute("SELECT analytics.render_forecast_pages($1)", run_id_).GetInt(0, 0);
  extra_stats_.emplace_back("forecast_pages", std::to_string(pages));
  // The run's totals per site, day and horizon for GET /forecasts/total (V073).
  const int64_t totals =
      writer_.Execute("SELECT analytics.render_forecast_totals($1)", run_id_).GetInt(0, 0);
  extra_stats_.emplace_back("forecast_totals", std::to_string(totals));
  auto t2b = Clock::now();
  // A run that publishes ends the alert an earlier failed run raised (runner.cpp).
  writer_.Execute(
      "UPDATE analytics.alerts SET resolved_at = now(), updated_at = now()"
      " WHERE category = 'PIPELINE_FAILED' AND resolved_at IS NULL");
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
  rep.note = "retention " + secs(t0, t1) + " s, views " + secs(t1, t2) + " s, pages " +
             secs(t2, t2b) + " s, swap+commit " +
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

}  // namespace corrente::pipeline::detail
