#include "common/json.h"
#include "decide/alerts.h"
#include "decide/recommend.h"
#include "pg/copy.h"
#include "pipeline/runner.h"

namespace corrente::pipeline::detail {
namespace {

// Rule details as a JSON object (numbers that are not finite become null).
std::string DetailsJson(const decide::Details& d) {
  std::string s = "{";
  for (const auto& [k, v] : d) {
    if (s.size() > 1) s += ',';
    s += JsonString(k) + ":";
    if (auto x = std::get_if<double>(&v))
      s += JsonNumber(*x);
    else if (auto n = std::get_if<int64_t>(&v))
      s += std::to_string(*n);
    else if (auto t = std::get_if<std::string>(&v))
      s += JsonString(*t);
    else
      s += "null";
  }
  return s + "}";
}

double Score(double v) {
  return std::isfinite(v) ? std::clamp(std::round(v * 1e4) / 1e4, 0.0, decide::kMaxPublished) : 0;
}

// Where a stage's decisions go, in one COPY: a worker's into the staging table `staging`
// under its run (the coordinator publishes them, coordinator.cpp); the in-process run's into
// the temporary table `temp`, which the upsert reads. `defs` lists the columns and types.
class DecisionCopy {
 public:
  DecisionCopy(pg::Connection& conn, std::optional<int64_t> staged_run, const std::string& temp,
               const std::string& staging, const std::string& defs)
      : run_(staged_run) {
    std::string target = temp;
    if (run_) {
      std::string names = "run_id";  // each definition's first word
      for (size_t at = 0; at < defs.size();) {
        size_t end = defs.find(',', at);
        if (end == std::string::npos) end = defs.size();
        const size_t b = defs.find_first_not_of(' ', at);
        names += ", " + defs.substr(b, defs.find(' ', b) - b);
        at = end + 1;
      }
      target = staging + " (" + names + ")";
    } else {
      conn.ExecScript("CREATE TEMP TABLE " + temp + " (" + defs + ") ON COMMIT DROP");
    }
    w_.emplace(conn, "COPY " + target + " FROM STDIN (FORMAT binary)");
  }
  pg::CopyWriter& Row(int16_t fields) {
    w_->StartRow(static_cast<int16_t>(fields + (run_ ? 1 : 0)));
    if (run_) w_->Int64(*run_);
    return *w_;
  }
  int64_t Finish() { return w_->Finish(); }

 private:
  std::optional<int64_t> run_;
  std::optional<pg::CopyWriter> w_;
};

}  // namespace

decide::SeriesState Runner::StateOf(size_t i) const {
  const Pair& p = pairs_[i];
  const ItemInfo& it = items_.at(p.item);
  const PolicyRow& r = policy_[i];
  decide::SeriesState s;
  s.item = p.item;
  s.site = p.site;
  s.abc = it.abc;
  s.criticality = it.criticality;
  s.unit_cost = it.unit_cost;
  s.unit_price = it.unit_price > 0 ? it.unit_price : it.unit_cost;
  s.min_qty = it.min_qty;
  s.max_qty = it.max_qty;
  s.supplier = it.supplier;
  s.demand_class = outcomes_[i].demand_class;
  s.levels = r.levels;
  s.stock = r.stock;
  auto oo = open_orders_.find(p);
  if (oo != open_orders_.end()) s.orders = oo->second;
  s.days_to_rupture = r.dtr;
  s.expected_short = r.expected_short;
  return s;
}

std::vector<decide::SeriesState> Runner::States() const {
  std::vector<decide::SeriesState> out;
  for (size_t i = 0; i < pairs_.size(); ++i)
    if (policy_[i].valid) out.push_back(StateOf(i));
  return out;
}

int64_t Runner::StageRecommendations(StageReport&) {
  auto states = States();
  decide::RecommendOptions ro;
  ro.as_of = as_of_;
  ro.hold_days = opt_.hold_days;
  ro.promo_days = opt_.promo_days;
  std::vector<decide::Recommendation> recs = decide::Recommend(states, ro);
  DecisionCopy copy(writer_, slice_mode_ ? std::optional<int64_t>(run_id_) : std::nullopt,
                    "corrente_recs", "analytics.pipeline_recommendations",
                    "item_id int, site_id int, type text, priority text, score numeric,"
                    " message text, action_date date, quantity numeric, details jsonb");
  for (const auto& r : recs) {
    pg::CopyWriter& w = copy.Row(9);
    w.Int32(r.item);
    w.Int32(r.site);
    w.Text(r.type);
    w.Text(r.priority);
    w.Numeric(Score(r.score), 4);
    w.Text(r.message);
    w.Date(r.action_date);
    w.Numeric(std::max(0.0, r.quantity), 4);
    w.Jsonb(DetailsJson(r.details));
  }
  const int64_t rows = copy.Finish();
  if (slice_mode_) return rows;
  return UpsertRecommendations("corrente_recs");
}

int64_t Runner::UpsertRecommendations(const std::string& source) {
  // One open recommendation per item, site and type: updated in place on re-runs.
  // Acknowledged ones are never touched.
  auto up = writer_.Execute(
      "INSERT INTO analytics.recommendations AS r (run_id, item_id, site_id, type, priority,"
      " priority_score, message, action_date, quantity_recommended, details)"
      " SELECT $1, item_id, site_id, type, priority, score, message, action_date, quantity,"
      " details"
      " FROM " + source +
      " ON CONFLICT (item_id, site_id, type) WHERE acknowledged_at IS NULL DO UPDATE SET"
      " run_id = EXCLUDED.run_id, priority = EXCLUDED.priority,"
      " priority_score = EXCLUDED.priority_score, message = EXCLUDED.message,"
      " action_date = EXCLUDED.action_date, quantity_recommended = EXCLUDED.quantity_recommended,"
      // EXCLUDED.updated_at is its default, now(): Citus takes only immutable SET expressions.
      " details = EXCLUDED.details, updated_at = EXCLUDED.updated_at",
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

const Runner::AlertInputs& Runner::AlertInputsOfRun() {
  if (alert_inputs_ && alert_inputs_->run == run_id_) return *alert_inputs_;
  AlertInputs in;
  in.run = run_id_;
  // How often such alerts came true in the latest stored replay of the published policy.
  auto r = reader_.Execute(
      "SELECT (e->'total'->>'alert_precision')::float8 FROM analytics.simulation_runs s,"
      " jsonb_array_elements(CASE WHEN jsonb_typeof(s.results) = 'array' THEN s.results"
      "  ELSE '[]'::jsonb END) e"
      " WHERE s.status = 'SUCCEEDED' AND e->>'policy' = $1 AND e->'service_level' = 'null'"
      " ORDER BY s.simulation_id DESC LIMIT 1",
      opt_.policy);
  if (r.Rows() > 0 && !r.IsNull(0, 0)) in.precision = r.GetDouble(0, 0);
  auto prev = reader_.Execute(
      "SELECT run_id FROM analytics.pipeline_runs WHERE status = 'SUCCEEDED' AND as_of < $1::date"
      " ORDER BY as_of DESC, run_id DESC LIMIT 1",
      FormatDate(as_of_));
  if (prev.Rows() > 0) in.previous_run = prev.GetInt(0, 0);
  alert_inputs_ = in;
  return *alert_inputs_;
}

int64_t Runner::StageAlerts(StageReport&) {
  auto states = States();
  const AlertInputs& in = AlertInputsOfRun();
  std::vector<decide::Alert> alerts = decide::StockAlerts(states, as_of_, in.precision);
  // FORECAST_DRIFT: the previous run's forecasts against the actuals since, compared with the
  // backtest error that run expected. Needs at least 7 days of actuals. Co-located tables
  // only: a worker's query goes to its slice's shard.
  if (in.previous_run) {
    const std::string actual = UsableQuantitySql("d.quantity");  // NaN or absurd: no demand
    const auto outliers = OutlierParams();
    auto r = reader_.Execute(
        "SELECT f.item_id, f.site_id, count(*),"
        "  (sum(abs(f.yhat - " + actual + ")) / nullif(sum(" + actual + "), 0)"
        "   * 100)::float8, max(a.wape)::float8, sum(" + actual + ")::float8,"
        "  sum(f.yhat)::float8"
        " FROM analytics.forecasts f"
        " JOIN analytics.forecast_accuracy a ON a.run_id = f.run_id AND a.item_id = f.item_id"
        "  AND a.site_id = f.site_id"
        " LEFT JOIN core.fact_demand_daily d ON d.item_id = f.item_id AND d.site_id = f.site_id"
        "  AND d.full_date = f.full_date AND " + NotOutlierSql("d", 3) +  // outlier: no row
        " WHERE f.run_id = $2 AND f.full_date <= $1::date" +
            SliceFilter("f.item_id") + " GROUP BY f.item_id, f.site_id HAVING count(*) >= 7",
        FormatDate(as_of_), *in.previous_run, outliers[0], outliers[1], outliers[2]);
    for (int i = 0; i < r.Rows(); ++i) {
      auto num = [&](int col) { return r.IsNull(i, col) ? NAN : r.GetDouble(i, col); };
      auto a = decide::DriftAlert(static_cast<int32_t>(r.GetInt(i, 0)),
                                  static_cast<int32_t>(r.GetInt(i, 1)), num(3), num(4),
                                  r.GetInt(i, 2), num(5), num(6));
      if (a) alerts.push_back(std::move(*a));
    }
  }
  DecisionCopy copy(writer_, slice_mode_ ? std::optional<int64_t>(run_id_) : std::nullopt,
                    "corrente_alerts", "analytics.pipeline_alerts",
                    "item_id int, site_id int, level text, category text, score numeric,"
                    " message text, details jsonb");
  for (const auto& a : alerts) {
    pg::CopyWriter& w = copy.Row(7);
    w.Int32(a.item);
    w.Int32(a.site);
    w.Text(a.level);
    w.Text(a.category);
    w.Numeric(Score(a.score), 4);
    w.Text(a.message);
    w.Jsonb(DetailsJson(a.details));
  }
  const int64_t rows = copy.Finish();
  if (slice_mode_) return rows;
  return UpsertAlerts("corrente_alerts");
}

int64_t Runner::UpsertAlerts(const std::string& source) {
  // One open alert per item, site and category: updated in place (read_at is kept).
  auto up = writer_.Execute(
      "INSERT INTO analytics.alerts (run_id, item_id, site_id, level, category, priority_score,"
      " message, details)"
      " SELECT $1, item_id, site_id, level, category, score, message, details"
      " FROM " + source +
      " ON CONFLICT (item_id, site_id, category) WHERE resolved_at IS NULL DO UPDATE SET"
      " run_id = EXCLUDED.run_id, level = EXCLUDED.level,"
      " priority_score = EXCLUDED.priority_score, message = EXCLUDED.message,"
      " details = EXCLUDED.details, updated_at = EXCLUDED.updated_at",
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

}  // namespace corrente::pipeline::detail
