#include <thread>

#include "common/json.h"
#include "common/progress.h"
#include "decide/policy.h"
#include "forecast/forecast.h"
#include "pg/copy.h"
#include "pipeline/runner.h"

namespace corrente::pipeline::detail {

bool Runner::YearlySeason() const {
  return opt_.yearly_season == "on" ||
         (opt_.yearly_season == "auto" && as_of_ - first_day_ + 1 >= kYearlyAutoDays);
}

int64_t Runner::ForecastFrom() const {
  const int64_t history =
      YearlySeason() ? std::max(opt_.history_days, kYearlyHistoryDays) : opt_.history_days;
  return std::max(first_day_, as_of_ - history + 1);
}

int64_t Runner::StageForecast(StageReport& rep) {
  const int64_t known = as_of_ - first_day_ + 1;
  const bool yearly = YearlySeason();
  const int64_t from = ForecastFrom();
  const int jobs = opt_.jobs > 0
                       ? opt_.jobs
                       : std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
  forecast::ForecastOptions fopt;
  fopt.horizon = opt_.horizon;
  if (yearly) fopt.seasons = {7, 365};
  std::string global_note = "global model off";
  if (opt_.global_model) {
    const auto t0 = std::chrono::steady_clock::now();
    const GlobalFit& g = FitGlobalModels(from, fopt);
    const double secs =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    g.models.Attach(fopt);
    if (g.models.ok()) {
      global_note = "global model from " + std::to_string(g.series) + " sampled series in " +
                    Fixed(secs, 1) + " s";
    } else {
      global_note = "no global model (" + std::to_string(g.series) + " sampled series)";
    }
  }
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
          // Recent demand for the inventory policy (decide::ComputeLevels).
          size_t n = std::min<size_t>(job->y.size(), kPolicyHistory);
          SeriesOutcome& o = outcomes_[job->idx];  // distinct index per job: no lock needed
          o.recent.assign(job->y.end() - static_cast<std::ptrdiff_t>(n), job->y.end());
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
      o.sd.assign(opt_.horizon, 0.0);
      for (int h = 0; h < opt_.horizon; ++h) {
        auto pick = [&](const std::vector<double>& v, double dflt) {
          double x = h < static_cast<int>(v.size()) ? v[h] : dflt;
          return std::isfinite(x) ? std::clamp(x, 0.0, decide::kMaxPublished) : dflt;
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
        o.sd[h] = (hi80 - lo80) / (2 * 1.2815515655446004);  // for the forecast policy
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
  rep.note = std::to_string(pairs_.size()) + " series on " + std::to_string(jobs) +
             " threads; seasons " + (yearly ? "7,365" : "7") + " (" + std::to_string(known) +
             " days of history, yearly " + opt_.yearly_season + "); " + global_note;
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

  // 2. Earlier runs' forecasts against the actuals (workers: once, by the coordinator).
  int scored = 0;
  std::string earlier = slice_mode_ ? "[]" : EarlierRunsJson(&scored);
  agg += ",\"earlier_runs\":" + earlier + "}";
  extra_stats_.emplace_back("backtest", agg);
  rep.note = "median MASE " + Fixed(median_mase, 3) + ", earlier runs scored " +
             std::to_string(scored);
  return rows;
}

std::string Runner::EarlierRunsJson(int* runs) {
  const std::string actual = UsableQuantitySql("d.quantity");  // NaN or absurd: no demand
  const auto outliers = OutlierParams();
  auto r = reader_.Execute(
      "SELECT f.run_id, count(*), "
      " (avg(abs(f.yhat - " + actual + ") / d.quantity)"
      "    FILTER (WHERE " + actual + " > 0) * 100)::float8,"
      " (sum(abs(f.yhat - " + actual + ")) / nullif(sum(" + actual + "), 0)"
      "    * 100)::float8"
      " FROM analytics.forecasts f JOIN analytics.pipeline_runs r ON r.run_id = f.run_id"
      " LEFT JOIN core.fact_demand_daily d ON d.item_id = f.item_id AND d.site_id = f.site_id"
      "  AND d.full_date = f.full_date AND " + NotOutlierSql("d", 2) +  // outlier: no row
      " WHERE r.status = 'SUCCEEDED' AND f.full_date <= $1::date"
      " GROUP BY f.run_id ORDER BY f.run_id",
      FormatDate(as_of_), outliers[0], outliers[1], outliers[2]);
  std::string out = "[";
  for (int i = 0; i < r.Rows(); ++i) {
    out += (i ? "," : "") + std::string("{\"run_id\":") + r.GetString(i, 0) +
           ",\"points\":" + r.GetString(i, 1) +
           ",\"mape\":" + (r.IsNull(i, 2) ? "null" : JsonNumber(r.GetDouble(i, 2))) +
           ",\"wape\":" + (r.IsNull(i, 3) ? "null" : JsonNumber(r.GetDouble(i, 3))) + "}";
  }
  if (runs) *runs = r.Rows();
  return out + "]";
}

}  // namespace corrente::pipeline::detail
