// `corrente pipeline run --workers N`: the coordinator (docs/scale.md). It decides what needs
// every series at once (the run's series, ABC classes, the shared order cycles: aggregates, by
// SQL), cuts the series into slices (on Citus, one shard's items per slice), starts N local
// `pipeline worker` processes and waits for every slice to be DONE, starting a worker again
// when one dies. Then it publishes in ONE transaction, as the in-process run does: the staged
// features, recommendations and alerts moved in, the calendar, ABC classes, today's inventory
// policy, the KPIs (SQL), the run flipped to SUCCEEDED, the views refreshed and NOTIFY.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <thread>

#include "common/json.h"
#include "pipeline/runner.h"
#include "schema/distributed.h"

namespace corrente::pipeline::detail {
namespace {

constexpr size_t kMaxSliceSeries = 2000;

struct Slice {
  int64_t shard = 0;
  std::vector<size_t> pairs;  // indexes into pairs_
};

pid_t Spawn(const std::vector<std::string>& command, int64_t run_id) {
  std::vector<std::string> args = command;
  args.push_back("--run-id");
  args.push_back(std::to_string(run_id));
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = fork();
  if (pid < 0) throw std::runtime_error("cannot start a pipeline worker (fork failed)");
  if (pid == 0) {
    execv(argv[0], argv.data());
    _exit(127);
  }
  return pid;
}

// Deletes staged rows of the run (`op` "=") or of every other run ("<>").
void ClearStaged(pg::Connection& conn, const char* op, int64_t run_id) {
  for (const char* t : {"analytics.pipeline_features", "analytics.pipeline_recommendations",
                        "analytics.pipeline_alerts"})
    conn.Execute(std::string("DELETE FROM ") + t + " WHERE run_id " + op + " $1", run_id);
}

std::string NumberArray(const std::vector<double>& v) {
  std::string s = "{";
  char buf[32];
  for (double x : v) {
    std::snprintf(buf, sizeof buf, "%.17g", x);  // exact: the workers read the same doubles
    s += (s.size() > 1 ? "," : "") + std::string(buf);
  }
  return s + "}";
}

}  // namespace

RunReport Runner::RunWithWorkers() {
  Start();
  std::vector<pid_t> children;
  auto stop_children = [&] {
    for (pid_t p : children) kill(p, SIGTERM);
    for (pid_t p : children) waitpid(p, nullptr, 0);
    children.clear();
  };
  try {
    // What abandoned runs left: their slices are no longer claimed, their staged rows go.
    reader_.Execute(
        "UPDATE analytics.pipeline_slices SET state = 'CANCELLED' WHERE state = 'PENDING'"
        " AND run_id <> $1",
        run_id_);
    ClearStaged(reader_, "<>", run_id_);
    LoadPairs();
    LoadItems();
    data_quality_ = CheckDataQuality();
    StageReport abc_rep;
    const AbcClassesText abc = ComputeAbc(abc_rep);
    const std::vector<double> cycles = PolicyCycles();

    // Slices: whole items (REALLOCATE looks across an item's sites), one shard's on Citus,
    // at most kMaxSliceSeries series and about four per worker on one node.
    std::map<int32_t, int64_t> shard_of;
    if (schema::IsDistributedTable(reader_, "core.fact_demand_daily")) {
      std::string ids = "{";
      for (const Pair& p : pairs_) ids += (ids.size() > 1 ? "," : "") + std::to_string(p.item);
      auto r = reader_.Execute(
          "SELECT i, get_shard_id_for_distribution_column('core.fact_demand_daily', i)"
          " FROM (SELECT DISTINCT unnest($1::int[]) AS i) x",
          ids + "}");
      for (int i = 0; i < r.Rows(); ++i)
        shard_of[static_cast<int32_t>(r.GetInt(i, 0))] = r.GetInt(i, 1);
    }
    const size_t target = std::clamp<size_t>(
        (pairs_.size() + 4 * opt_.workers - 1) / (4 * opt_.workers), 1, kMaxSliceSeries);
    std::vector<size_t> order(pairs_.size());
    for (size_t i = 0; i < order.size(); ++i) order[i] = i;
    auto shard = [&](size_t i) {
      auto it = shard_of.find(pairs_[i].item);
      return it == shard_of.end() ? int64_t{0} : it->second;
    };
    std::stable_sort(order.begin(), order.end(),
                     [&](size_t a, size_t b) { return shard(a) < shard(b); });
    std::vector<Slice> slices;
    for (size_t k = 0; k < order.size(); ++k) {
      const size_t i = order[k];
      const bool new_item = k == 0 || pairs_[order[k - 1]].item != pairs_[i].item;
      if (slices.empty() || slices.back().shard != shard(i) ||
          (new_item && slices.back().pairs.size() >= target))
        slices.push_back({shard(i), {}});
      slices.back().pairs.push_back(i);
    }
    {
      pg::Transaction tx(writer_);
      writer_.Execute(
          "INSERT INTO analytics.pipeline_work (run_id, as_of, first_day, computed_at_us,"
          " computed_at, horizon, feature_days, history_days, yearly_season, review_days,"
          " hold_days, promo_days, policy, global_model) VALUES ($1, $2::date, $3::date, $4, $5,"
          " $6, $7, $8, $9, $10, $11, $12, $13, $14)",
          run_id_, FormatDate(as_of_), FormatDate(first_day_), computed_at_us_, computed_at_sql_,
          opt_.horizon, opt_.feature_days, opt_.history_days, opt_.yearly_season,
          opt_.review_days, opt_.hold_days, opt_.promo_days, opt_.policy, opt_.global_model);
      for (size_t s = 0; s < slices.size(); ++s) {
        std::string items = "{", sites = "{", classes;
        std::vector<double> cyc;
        for (size_t i : slices[s].pairs) {
          items += (items.size() > 1 ? "," : "") + std::to_string(pairs_[i].item);
          sites += (sites.size() > 1 ? "," : "") + std::to_string(pairs_[i].site);
          classes += items_[pairs_[i].item].abc;
          cyc.push_back(cycles[i]);
        }
        writer_.Execute(
            "INSERT INTO analytics.pipeline_slices (run_id, slice, shard, item_ids, site_ids, abc,"
            " cycle_days) VALUES ($1, $2, $3, $4::int[], $5::int[], $6, $7::float8[])",
            run_id_, static_cast<int64_t>(s), shard_of.empty() ? pg::Param() : pg::ToParam(slices[s].shard),
            items + "}", sites + "}", classes, NumberArray(cyc));
      }
      tx.Commit();
    }
    spdlog::info("pipeline run={} {} series in {} slices for {} workers", run_id_, pairs_.size(),
                 slices.size(), opt_.workers);

    // The workers: one started again for each that dies (a killed worker's slice is PENDING
    // again once its session is gone), or when work is left and none is running.
    const auto t_work = Clock::now();
    int spawned = 0, replaced = 0;
    const int max_spawn = 3 * opt_.workers + 2;
    for (int i = 0; i < opt_.workers; ++i, ++spawned)
      children.push_back(Spawn(opt_.worker_command, run_id_));
    for (;;) {
      for (size_t k = 0; k < children.size();) {
        int status = 0;
        if (waitpid(children[k], &status, WNOHANG) == children[k]) {
          if (WIFSIGNALED(status)) {
            spdlog::warn("pipeline run={} worker pid={} ended by signal {}; its slice is claimed again",
                         run_id_, children[k], WTERMSIG(status));
            ++replaced;
            if (spawned < max_spawn) children.push_back(Spawn(opt_.worker_command, run_id_)), ++spawned;
          }
          children.erase(children.begin() + static_cast<std::ptrdiff_t>(k));
        } else {
          ++k;
        }
      }
      auto st = reader_.Execute(
          "SELECT count(*) FILTER (WHERE state = 'PENDING'), count(*) FILTER (WHERE state = 'DONE'),"
          " min(slice::text || ': ' || error) FILTER (WHERE state = 'FAILED')"
          " FROM analytics.pipeline_slices WHERE run_id = $1",
          run_id_);
      if (!st.IsNull(0, 2)) throw std::runtime_error("slice " + st.GetString(0, 2));
      if (st.GetInt(0, 0) == 0) break;
      if (children.empty()) {
        if (spawned >= max_spawn)
          throw std::runtime_error("pipeline workers keep ending; " + st.GetString(0, 0) +
                                   " slice(s) left");
        children.push_back(Spawn(opt_.worker_command, run_id_));
        ++spawned;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
    for (pid_t p : children) waitpid(p, nullptr, 0);  // each ends when nothing is left
    children.clear();
    const double work_seconds = std::chrono::duration<double>(Clock::now() - t_work).count();

    // What the workers measured, per stage (seconds summed over slices, rows).
    std::map<std::string, std::pair<double, int64_t>> worked;
    {
      auto r = reader_.Execute(
          "SELECT e.key, sum((e.value->>0)::float8), sum((e.value->>1)::int8)"
          " FROM analytics.pipeline_slices s, jsonb_each(s.stats) e WHERE s.run_id = $1"
          " GROUP BY e.key",
          run_id_);
      for (int i = 0; i < r.Rows(); ++i) worked[r.GetString(i, 0)] = {r.GetDouble(i, 1), r.GetInt(i, 2)};
    }
    extra_stats_.emplace_back(
        "workers", "{\"workers\":" + std::to_string(opt_.workers) + ",\"slices\":" +
                       std::to_string(slices.size()) + ",\"wall_seconds\":" +
                       JsonNumber(work_seconds) + ",\"replaced\":" + std::to_string(replaced) + "}");

    // The publish: one transaction, as in Run().
    tx_.emplace(writer_);
    const std::string staged = " WHERE run_id = $1) s";
    for (const StageInfo& stage : kStages) {
      const std::string name = stage.name;
      std::function<int64_t(StageReport&)> body = [&](StageReport&) -> int64_t {
        return worked.count(name) ? worked[name].second : 0;
      };
      if (name == "calendar" || name == "kpis" || name == "publish") {
        body = [this, name](StageReport& r) { return (this->*BodyOf(name))(r); };
      } else if (name == "features") {
        body = [&](StageReport&) {
          CreateShadowFeatures();
          auto n = writer_.Execute(
              std::string("INSERT INTO analytics.") +
                  (features_shadowed_ ? "features_store_next" : "features_store") +
                  " (run_id, full_date, item_id, site_id, features, schema_version, computed_at)"
                  " SELECT run_id, full_date, item_id, site_id, features, schema_version,"
                  " computed_at FROM analytics.pipeline_features WHERE run_id = $1",
              run_id_);
          if (features_shadowed_) IndexShadowFeatures();
          return n.AffectedRows();
        };
      } else if (name == "abc") {
        body = [&](StageReport& r) {
          r.note = abc_rep.note + "; changed " + std::to_string(WriteAbc(abc));
          return abc.items;
        };
      } else if (name == "policy") {
        body = [&](StageReport& r) {
          UpdateInventoryPolicy();
          r.note = "overrides expired: " + std::to_string(ExpireOverrides());
          return worked["policy"].second;
        };
      } else if (name == "backtest") {
        body = [&](StageReport& r) {
          auto a = writer_.Execute(
              "SELECT count(*), avg(mase)::float8, count(mase) / 2, avg(wape)::float8,"
              " avg(mape)::float8, avg(bias)::float8"
              " FROM analytics.forecast_accuracy WHERE run_id = $1",
              run_id_);
          // The median as the in-process run takes it: the (n/2)-th smallest.
          auto m = writer_.Execute(
              "SELECT mase::float8 FROM analytics.forecast_accuracy WHERE run_id = $1"
              " AND mase IS NOT NULL ORDER BY mase OFFSET $2 LIMIT 1",
              run_id_, a.GetInt(0, 2));
          auto num = [&](int c) {
            if (c == 2) return m.Rows() ? JsonNumber(m.GetDouble(0, 0)) : std::string("null");
            return a.IsNull(0, c) ? std::string("null") : JsonNumber(a.GetDouble(0, c));
          };
          extra_stats_.emplace_back(
              "backtest", "{\"series\":" + a.GetString(0, 0) + ",\"mean_mase\":" + num(1) +
                              ",\"median_mase\":" + num(2) + ",\"mean_wape\":" + num(3) +
                              ",\"mean_mape\":" + num(4) + ",\"mean_bias\":" + num(5) +
                              ",\"earlier_runs\":" + EarlierRunsJson() + "}");
          r.note = "median MASE " + num(2);
          return worked["backtest"].second;
        };
      } else if (name == "recommendations") {
        body = [&](StageReport&) {
          return UpsertRecommendations(
              "(SELECT item_id, site_id, type, priority, score, message, action_date, quantity,"
              " details FROM analytics.pipeline_recommendations" + staged);
        };
      } else if (name == "alerts") {
        body = [&](StageReport&) {
          return UpsertAlerts(
              "(SELECT item_id, site_id, level, category, score, message, details"
              " FROM analytics.pipeline_alerts" + staged);
        };
      }
      Stage(stage, body);
      if (worked.count(name)) {
        StageReport& r = reports_.back();
        r.seconds += worked[name].first;
        r.note += std::string(r.note.empty() ? "" : "; ") + "workers " +
                  Fixed(worked[name].first, 2) + " s over " + std::to_string(slices.size()) +
                  " slices";
      }
    }
  } catch (const std::exception& e) {
    stop_children();
    try {
      reader_.Execute(
          "UPDATE analytics.pipeline_slices SET state = 'CANCELLED' WHERE run_id = $1"
          " AND state = 'PENDING'",
          run_id_);
    } catch (const std::exception&) {
    }
    Fail(e);
    throw;
  }
  // Published: the staged rows are done with.
  ClearStaged(reader_, "=", run_id_);
  return Finish();
}

}  // namespace corrente::pipeline::detail
