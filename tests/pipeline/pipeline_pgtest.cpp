// Pipeline end to end on a small seeded database (20 items x 3 sites x 400 days).
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <set>

#include "common/dates.h"
#include "pipeline/pipeline.h"
#include "decide/levels.h"
#include "decide/policy.h"
#include "small_seed.h"
#include "testlib/test_db.h"

namespace corrente::pipeline {
using namespace corrente::decide;
namespace {

using small_seed::kDays;
using small_seed::kEndDay;
using small_seed::kItems;
using small_seed::kSites;

int64_t Count(pg::Connection& c, const std::string& sql) { return c.ExecScript(sql).GetInt(0, 0); }
double Scalar(pg::Connection& c, const std::string& sql) {
  return c.ExecScript(sql).GetDouble(0, 0);
}

class PipelineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto c = db_.Connect();
    small_seed::Load(c);
  }
  RunReport RunPipeline(int64_t as_of, std::vector<std::string> stages = {},
                        std::string policy = "empirical") {
    PipelineOptions opt;
    opt.policy = std::move(policy);
    opt.as_of = as_of;
    opt.jobs = 2;
    opt.progress = false;
    opt.stages = std::move(stages);
    return pipeline::Run(db_.Dsn(), opt);
  }
  testing::ScratchDatabase db_;
};

TEST_F(PipelineTest, FillsEveryTableConsistently) {
  {
    auto c0 = db_.Connect();
    EXPECT_EQ(LatestPublishedRun(c0), std::nullopt);
  }
  RunReport rep = RunPipeline(kEndDay);
  auto c = db_.Connect();
  EXPECT_EQ(LatestPublishedRun(c), rep.run_id);
  const int64_t pairs = kItems * kSites;
  ASSERT_EQ(rep.series, pairs);
  const std::string run = std::to_string(rep.run_id);
  EXPECT_EQ(c.ExecScript("SELECT status FROM analytics.pipeline_runs WHERE run_id = " + run)
                .GetString(0, 0),
            "SUCCEEDED");
  // Counts.
  EXPECT_EQ(Count(c, "SELECT count(*) FROM analytics.forecasts WHERE run_id = " + run), pairs * 90);
  EXPECT_EQ(Count(c, "SELECT count(*) FROM analytics.features_store WHERE run_id = " + run),
            pairs * 90);
  EXPECT_EQ(Count(c, "SELECT count(*) FROM analytics.inventory_policy WHERE run_id = " + run),
            pairs);
  EXPECT_EQ(Count(c, "SELECT count(*) FROM analytics.forecast_accuracy WHERE run_id = " + run),
            pairs);
  EXPECT_EQ(Count(c, "SELECT count(*) FROM analytics.kpis_daily WHERE run_id = " + run), kDays);
  EXPECT_EQ(Count(c, "SELECT count(*) FROM analytics.mv_kpis_latest"), kDays);
  EXPECT_EQ(Count(c, "SELECT count(*) FROM analytics.mv_forecasts_latest WHERE run_id = " + run),
            pairs * 90);
  // One compact page per series for GET /forecasts (V078), 90 rows each, this run's only.
  EXPECT_EQ(Count(c, "SELECT count(*) FROM analytics.forecast_pages WHERE run_id = " + run +
                         " AND n_rows = 90 AND rows_json IS NULL AND row_tail LIKE ',\"overridden\":%}'"
                         " AND array_length(string_to_array(rows_compact, ';'), 1) = 90"),
            pairs);
  // The run's totals for GET /forecasts/total (V073): per site, day and horizon, and over all
  // sites (site_id 0), each summing the same rows as the forecasts do.
  EXPECT_EQ(Count(c, "SELECT count(*) FROM analytics.forecast_totals t WHERE t.run_id = " + run +
                         " AND t.site_id = 0 AND (t.series, t.yhat, t.n_lower) = (SELECT"
                         " count(*), sum(f.yhat), count(f.yhat_lower) FROM analytics.forecasts f"
                         " WHERE f.run_id = t.run_id AND f.full_date = t.full_date"
                         " AND f.horizon_days = t.horizon_days)"),
            90);
  EXPECT_EQ(Count(c, "SELECT sum(series) FROM analytics.forecast_totals WHERE run_id = " + run +
                         " AND site_id > 0"),
            pairs * 90);
  EXPECT_EQ(
      Count(c, "SELECT count(*) FROM core.dim_calendar WHERE full_date = DATE '2025-03-31' + 90"),
      1);
  // Forecast sanity: never negative, bounds ordered, horizon = days after as_of, tagged.
  EXPECT_EQ(Count(c, "SELECT count(*) FROM analytics.forecasts WHERE yhat < 0 OR yhat_lower < 0"),
            0);
  EXPECT_EQ(
      Count(c,
            "SELECT count(*) FROM analytics.forecasts WHERE NOT (yhat_lower_95 <= yhat_lower"
            " AND yhat_lower <= yhat AND yhat <= yhat_upper AND yhat_upper <= yhat_upper_95)"),
      0);
  EXPECT_EQ(Count(c,
                  "SELECT count(*) FROM analytics.forecasts WHERE horizon_days <> full_date - DATE "
                  "'2025-03-31'"),
            0);
  EXPECT_EQ(Count(c, "SELECT count(*) FROM analytics.forecasts WHERE model_tag NOT LIKE '%@run" +
                         run + "' OR confidence_level <> 80"),
            0);
  EXPECT_GT(Scalar(c, "SELECT sum(yhat)::float8 FROM analytics.forecasts"), 0);
  // Features: schema version and values that match an independent computation.
  EXPECT_EQ(Count(c,
                  "SELECT count(*) FROM analytics.features_store WHERE schema_version <> 'v1.0'"
                  " OR NOT features ?& array['lag_7','lag_14','lag_30','rolling_mean_7',"
                  "'rolling_mean_30','rolling_std_30','weekday','is_holiday','holiday_name',"
                  "'days_to_next_holiday','zero_share_90','adi_90','cv2_90','trend_slope_30']"),
            0);
  EXPECT_EQ(
      Count(c,
            "SELECT count(*) FROM analytics.features_store f LEFT JOIN core.fact_demand_daily d"
            " ON d.item_id = f.item_id AND d.site_id = f.site_id AND d.full_date = f.full_date - 7"
            " WHERE abs((f.features->>'lag_7')::numeric - coalesce(d.quantity, 0)) > 1e-6"),
      0);
  EXPECT_EQ(Count(c,
                  "SELECT count(*) FROM analytics.features_store f WHERE "
                  "abs((f.features->>'rolling_mean_7')::numeric"
                  " - (SELECT coalesce(sum(quantity), 0) / 7 FROM core.fact_demand_daily d"
                  "    WHERE d.item_id = f.item_id AND d.site_id = f.site_id"
                  "      AND d.full_date BETWEEN f.full_date - 7 AND f.full_date - 1)) > 1e-4"),
            0);
  EXPECT_EQ(
      Count(
          c,
          "SELECT count(*) FROM analytics.features_store f JOIN core.dim_calendar k"
          " ON k.full_date = f.full_date WHERE (f.features->>'is_holiday')::boolean <> k.is_holiday"
          " OR (f.features->>'weekday')::int <> k.weekday"),
      0);
  // ABC: every active item classified; A holds about 80% of trailing revenue.
  EXPECT_EQ(Count(c, "SELECT count(*) FROM core.dim_item WHERE abc_class IS NULL"), 0);
  EXPECT_GT(Count(c, "SELECT count(*) FROM core.dim_item WHERE abc_class = 'A'"), 0);
  // Policy written onto today's inventory rows.
  EXPECT_EQ(
      Count(c,
            "SELECT count(*) FROM core.fact_inventory_daily WHERE full_date = DATE '2025-03-31'"
            " AND safety_stock IS NOT NULL AND reorder_point >= safety_stock"),
      pairs);
  EXPECT_EQ(
      Count(c,
            "SELECT count(*) FROM core.fact_inventory_daily f JOIN analytics.inventory_policy p"
            " USING (item_id, site_id) WHERE f.full_date = p.as_of AND"
            " f.days_to_rupture IS DISTINCT FROM p.days_to_rupture"),
      0);
  // The run's duration covers its stages (finished_at is the wall clock at publish).
  EXPECT_EQ(Count(c, "SELECT count(*) FROM analytics.pipeline_runs WHERE run_id = " + run +
                         " AND extract(epoch FROM finished_at - started_at) >="
                         " (stats->'stages'->2->>'seconds')::float8 + "
                         "(stats->'stages'->1->>'seconds')::float8"),
            1);
  // Stats carry per-stage timings.
  EXPECT_EQ(Count(c,
                  "SELECT jsonb_array_length(stats->'stages') FROM analytics.pipeline_runs WHERE "
                  "run_id = " +
                      run),
            10);
  EXPECT_EQ(
      Count(c, "SELECT (stats->>'series')::int FROM analytics.pipeline_runs WHERE run_id = " + run),
      pairs);
  // Recommendations and alerts exist and name their numbers.
  EXPECT_GT(Count(c, "SELECT count(*) FROM analytics.recommendations"), 0);
  EXPECT_EQ(Count(c,
                  "SELECT count(*) FROM analytics.recommendations WHERE type = 'REORDER'"
                  " AND message NOT LIKE '%reorder point%'"),
            0);
}

TEST_F(PipelineTest, PolicyMatchesHandComputation) {
  RunReport rep = RunPipeline(kEndDay, {"forecast", "policy"}, "normal");
  auto c = db_.Connect();
  // Recompute one pair's policy independently: demand statistics over the last 90 days, lead
  // time from the supplier's delivered orders, z from the (seeded) ABC class.
  auto r = c.Execute(
      "WITH days AS (SELECT generate_series(DATE '2025-03-31' - 89, DATE '2025-03-31', '1 "
      "day')::date d),"
      " dem AS (SELECT coalesce(f.quantity, 0) q FROM days LEFT JOIN core.fact_demand_daily f"
      "  ON f.full_date = days.d AND f.item_id = 3 AND f.site_id = 2),"
      " lt AS (SELECT avg(actual_delivery_date - order_date)::float8 l,"
      "  stddev_samp(actual_delivery_date - order_date)::float8 sl FROM core.fact_orders"
      "  WHERE supplier_id = (SELECT supplier_id FROM core.dim_item WHERE item_id = 3)"
      "  AND actual_delivery_date IS NOT NULL AND actual_delivery_date <= DATE '2025-03-31')"
      " SELECT (SELECT avg(q)::float8 FROM dem), (SELECT stddev_samp(q)::float8 FROM dem), lt.l, "
      "lt.sl,"
      "  (SELECT abc_class FROM core.dim_item WHERE item_id = 3),"
      "  p.safety_stock::float8, p.reorder_point::float8, p.order_up_to::float8, "
      "p.service_level::float8,"
      "  p.current_stock::float8,"
      "  (SELECT current_stock::float8 FROM core.fact_inventory_daily WHERE item_id = 3 AND "
      "site_id = 2"
      "   AND full_date = DATE '2025-03-31'), p.order_cycle_days::float8"
      " FROM lt, analytics.inventory_policy p WHERE p.run_id = $1 AND p.item_id = 3 AND p.site_id "
      "= 2",
      rep.run_id);
  ASSERT_EQ(r.Rows(), 1);
  double d = r.GetDouble(0, 0), sd = r.GetDouble(0, 1), l = r.GetDouble(0, 2),
         sl = r.GetDouble(0, 3);
  double level = ServiceLevelForClass(r.GetString(0, 4)[0]);
  EXPECT_DOUBLE_EQ(r.GetDouble(0, 8), level);
  double z = NormalQuantile(level);
  double ss = z * std::sqrt(l * sd * sd + d * d * sl * sl);
  EXPECT_NEAR(r.GetDouble(0, 5), ss, 2e-3);
  EXPECT_NEAR(r.GetDouble(0, 6), d * l + ss, 2e-3);
  // Order-up-to: the reorder point plus the pair's shared order cycle (stored to 2 decimals).
  const double cycle = r.GetDouble(0, 11);
  EXPECT_NEAR(r.GetDouble(0, 7), d * l + ss + cycle * d, 2e-3 + 0.005 * d);
  // The shared cycles keep the order count of a fixed 14-day cycle, and a faster mover gets a
  // shorter cycle (decide/cycles.h).
  auto budget = c.Execute(
      "SELECT sum(1 / order_cycle_days)::float8, (count(*) FILTER (WHERE avg_daily_demand > 0)"
      "  / 14.0)::float8, min(order_cycle_days)::float8, max(order_cycle_days)::float8,"
      "  corr(order_cycle_days, sqrt(avg_daily_demand))::float8"
      " FROM analytics.inventory_policy WHERE run_id = $1 AND avg_daily_demand > 0",
      rep.run_id);
  EXPECT_NEAR(budget.GetDouble(0, 0), budget.GetDouble(0, 1), 0.01 * budget.GetDouble(0, 1));
  EXPECT_GE(budget.GetDouble(0, 2), 3.0);
  EXPECT_LE(budget.GetDouble(0, 3), 56.0);
  EXPECT_LT(budget.GetDouble(0, 2), budget.GetDouble(0, 3));
  EXPECT_LT(budget.GetDouble(0, 4), 0);
  EXPECT_DOUBLE_EQ(r.GetDouble(0, 9), r.GetDouble(0, 10));
  // Days to rupture against the stored forecast path.
  auto f = c.Execute(
      "SELECT yhat::float8 FROM analytics.forecasts WHERE run_id = $1 AND item_id = 3"
      " AND site_id = 2 ORDER BY full_date",
      rep.run_id);
  std::vector<double> path;
  for (int i = 0; i < f.Rows(); ++i) path.push_back(f.GetDouble(i, 0));
  auto dtr = DaysToRupture(r.GetDouble(0, 9), path);
  auto stored = c.Execute(
      "SELECT days_to_rupture FROM analytics.inventory_policy WHERE run_id = $1"
      " AND item_id = 3 AND site_id = 2",
      rep.run_id);
  if (dtr)
    EXPECT_EQ(stored.GetInt(0, 0), *dtr);
  else
    EXPECT_TRUE(stored.IsNull(0, 0));
  // Only the chosen stages ran: no features, no KPIs, no recommendations.
  EXPECT_EQ(Count(c, "SELECT count(*) FROM analytics.features_store"), 0);
  EXPECT_EQ(Count(c, "SELECT count(*) FROM analytics.kpis_daily"), 0);
  EXPECT_EQ(Count(c, "SELECT count(*) FROM analytics.recommendations"), 0);
}

// The forecast method: the reorder point covers the stored forecast over the lead time plus a
// safety stock, and every row says which method set it.
TEST_F(PipelineTest, ForecastPolicyUsesTheStoredForecast) {
  RunReport rep = RunPipeline(kEndDay, {"forecast", "policy"}, "forecast");
  auto c = db_.Connect();
  EXPECT_EQ(Count(c, "SELECT count(*) FROM analytics.inventory_policy WHERE method <> 'forecast'"), 0);
  // s >= the forecast summed over the whole lead-time days, less one day (fractional leads).
  EXPECT_EQ(Count(c,
                  "SELECT count(*) FROM analytics.inventory_policy p WHERE p.run_id = " +
                      std::to_string(rep.run_id) +
                      " AND p.reorder_point + 1e-3 < (SELECT coalesce(sum(f.yhat), 0) FROM"
                      " analytics.forecasts f WHERE f.run_id = p.run_id AND f.item_id = p.item_id"
                      " AND f.site_id = p.site_id AND f.horizon_days <= floor(p.lead_time_days))"),
            0);
  EXPECT_GT(Count(c, "SELECT count(*) FROM analytics.inventory_policy WHERE safety_stock > 0"), 0);
}

TEST_F(PipelineTest, KpisEqualIndependentSql) {
  // Two runs a month apart, so the second can score the first's forecasts (forecast_mape).
  RunReport first = RunPipeline(kEndDay - 30, {"forecast", "abc", "kpis"});
  RunReport second = RunPipeline(kEndDay, {"forecast", "abc", "kpis"});
  auto c = db_.Connect();
  const std::string run = std::to_string(second.run_id);
  EXPECT_EQ(Count(c, "SELECT count(*) FROM analytics.kpis_daily"),
            kDays);  // only the latest run's rows
  // total_demand, per day, against a plain sum (zero on days without demand rows).
  EXPECT_EQ(Count(c,
                  "SELECT count(*) FROM analytics.kpis_daily k WHERE k.total_demand <>"
                  " (SELECT coalesce(sum(quantity), 0) FROM core.fact_demand_daily d WHERE "
                  "d.full_date = k.full_date)"),
            0);
  // stockout_rate: zero-stock pairs over all pairs recorded that day.
  EXPECT_EQ(
      Count(c,
            "SELECT count(*) FROM analytics.kpis_daily k WHERE abs(k.stockout_rate -"
            " (SELECT round(avg(CASE WHEN current_stock = 0 THEN 1.0 ELSE 0.0 END), 4)"
            "   FROM core.fact_inventory_daily v WHERE v.full_date = k.full_date)) > 0.00005"),
      0);
  EXPECT_GT(Scalar(c, "SELECT max(stockout_rate)::float8 FROM analytics.kpis_daily"), 0);
  // delayed_orders_pct: delayed over ALL non-cancelled orders due that day.
  EXPECT_EQ(
      Count(c,
            "WITH due AS (SELECT expected_delivery_date d, count(*) n,"
            "  sum(CASE WHEN status = 'DELAYED' OR actual_delivery_date > expected_delivery_date"
            "   OR (actual_delivery_date IS NULL AND expected_delivery_date <= DATE '2025-03-31')"
            "   THEN 1 ELSE 0 END) late FROM core.fact_orders WHERE status <> 'CANCELLED'"
            "  GROUP BY 1)"
            " SELECT count(*) FROM analytics.kpis_daily k LEFT JOIN due ON due.d = k.full_date"
            " WHERE k.delayed_orders_pct IS DISTINCT FROM round(due.late::numeric / due.n, 4)"),
      0);
  EXPECT_LT(Scalar(c, "SELECT max(delayed_orders_pct)::float8 FROM analytics.kpis_daily"), 1.0001);
  EXPECT_GT(Scalar(c, "SELECT avg(delayed_orders_pct)::float8 FROM analytics.kpis_daily"), 0);
  EXPECT_LT(Scalar(c, "SELECT avg(delayed_orders_pct)::float8 FROM analytics.kpis_daily"), 0.9);
  // abc_a_share: revenue share of class A.
  EXPECT_EQ(Count(c,
                  "SELECT count(*) FROM analytics.kpis_daily k WHERE k.abc_a_share IS DISTINCT FROM"
                  " (SELECT round(sum(CASE WHEN i.abc_class = 'A' THEN d.quantity * i.unit_price "
                  "ELSE 0 END)"
                  "   / nullif(sum(d.quantity * i.unit_price), 0), 4) FROM core.fact_demand_daily d"
                  "   JOIN core.dim_item i USING (item_id) WHERE d.full_date = k.full_date)"),
            0);
  // avg_inventory_value.
  EXPECT_EQ(
      Count(
          c,
          "SELECT count(*) FROM analytics.kpis_daily k WHERE k.avg_inventory_value IS DISTINCT FROM"
          " (SELECT round(avg(v.current_stock * i.unit_cost), 2) FROM core.fact_inventory_daily v"
          "   JOIN core.dim_item i USING (item_id) WHERE v.full_date = k.full_date)"),
      0);
  // forecast_mape: the first run's forecasts for the 30 days since, on nonzero actuals.
  EXPECT_EQ(Count(c, "SELECT count(*) FROM analytics.kpis_daily WHERE forecast_mape IS NOT NULL"),
            30);
  EXPECT_EQ(
      Count(c,
            "SELECT count(*) FROM analytics.kpis_daily k WHERE k.forecast_mape IS NOT NULL AND"
            " abs(k.forecast_mape - (SELECT round(avg(abs(f.yhat - d.quantity) / d.quantity), 4)"
            "  FROM analytics.forecasts f JOIN core.fact_demand_daily d USING (item_id, site_id, "
            "full_date)"
            "  WHERE f.run_id = " +
                std::to_string(first.run_id) +
                " AND f.full_date = k.full_date AND d.quantity > 0)) > 0.0001"),
      0);
  // The view serves the latest KPI rows.
  EXPECT_EQ(Count(c, "SELECT count(*) FROM analytics.mv_kpis_latest WHERE run_id = " + run), kDays);
}

TEST_F(PipelineTest, FirstRunMapeIsItsBacktest) {
  // No earlier forecast has matured, so the as-of day's forecast_mape is the run's backtest
  // MAPE (mean over its series, as a ratio); the days before stay null.
  RunReport rep = RunPipeline(kEndDay, {"forecast", "backtest", "kpis"});
  auto c = db_.Connect();
  EXPECT_EQ(Count(c, "SELECT count(*) FROM analytics.kpis_daily WHERE forecast_mape IS NOT NULL"),
            1);
  EXPECT_EQ(Count(c,
                  "SELECT count(*) FROM analytics.kpis_daily WHERE full_date = DATE '2025-03-31'"
                  " AND forecast_mape > 0 AND forecast_mape = (SELECT round(avg(mape) / 100, 4)"
                  " FROM analytics.forecast_accuracy WHERE run_id = " +
                      std::to_string(rep.run_id) + ")"),
            1);  // WAPE, likewise: the backtest's mean WAPE on the first run's as-of day.
  EXPECT_EQ(Count(c,
                  "SELECT count(*) FROM analytics.kpis_daily WHERE full_date = DATE '2025-03-31'"
                  " AND forecast_wape > 0 AND forecast_wape = (SELECT round(avg(wape) / 100, 4)"
                  " FROM analytics.forecast_accuracy WHERE run_id = " +
                      std::to_string(rep.run_id) + ")"),
            1);
}

TEST_F(PipelineTest, RerunsAreIdempotentAndKeepAcknowledged) {
  RunReport first = RunPipeline(kEndDay);
  auto c = db_.Connect();
  const std::string open_recs =
      "SELECT count(*) FROM analytics.recommendations WHERE acknowledged_at IS NULL";
  const std::string open_alerts = "SELECT count(*) FROM analytics.alerts WHERE resolved_at IS NULL";
  int64_t recs1 = Count(c, open_recs), alerts1 = Count(c, open_alerts);
  ASSERT_GT(recs1, 1);
  ASSERT_GT(alerts1, 0);
  // Acknowledge one recommendation and read one alert.
  auto ack = c.ExecScript(
      "UPDATE analytics.recommendations SET acknowledged_at = now(), acknowledged_by = 'tester'"
      " WHERE recommendation_id = (SELECT min(recommendation_id) FROM analytics.recommendations)"
      " RETURNING recommendation_id, item_id, site_id, type, message");
  const int64_t ack_id = ack.GetInt(0, 0);
  const std::string ack_message = ack.GetString(0, 4);
  c.ExecScript(
      "UPDATE analytics.alerts SET read_at = now() WHERE alert_id ="
      " (SELECT min(alert_id) FROM analytics.alerts)");
  std::set<int64_t> ids_before;
  auto ids = c.ExecScript(
      "SELECT recommendation_id FROM analytics.recommendations WHERE acknowledged_at IS NULL");
  for (int i = 0; i < ids.Rows(); ++i) ids_before.insert(ids.GetInt(i, 0));

  RunReport second = RunPipeline(kEndDay);
  EXPECT_GT(second.run_id, first.run_id);
  // Same data: the same open recommendations, updated in place (same ids).
  int64_t recs2 = Count(c, open_recs);
  EXPECT_EQ(recs2, recs1);  // the acknowledged one is raised again as a new open row
  auto ids2 = c.ExecScript(
      "SELECT recommendation_id FROM analytics.recommendations WHERE acknowledged_at IS NULL"
      " AND recommendation_id <= " +
      std::to_string(*ids_before.rbegin()));
  EXPECT_EQ(static_cast<size_t>(ids2.Rows()), ids_before.size());
  EXPECT_EQ(Count(c,
                  "SELECT count(*) FROM analytics.recommendations WHERE acknowledged_at IS NULL "
                  "AND run_id = " +
                      std::to_string(second.run_id)),
            recs2);
  // The acknowledged one is untouched.
  auto kept = c.Execute(
      "SELECT acknowledged_by, message, run_id FROM analytics.recommendations"
      " WHERE recommendation_id = $1",
      ack_id);
  ASSERT_EQ(kept.Rows(), 1);
  EXPECT_EQ(kept.GetString(0, 0), "tester");
  EXPECT_EQ(kept.GetString(0, 1), ack_message);
  EXPECT_EQ(kept.GetInt(0, 2), first.run_id);
  // No duplicate open rows, and alerts are updated in place (read_at kept).
  EXPECT_EQ(Count(c,
                  "SELECT count(*) FROM (SELECT 1 FROM analytics.recommendations WHERE "
                  "acknowledged_at IS NULL"
                  " GROUP BY item_id, site_id, type HAVING count(*) > 1) x"),
            0);
  EXPECT_EQ(Count(c,
                  "SELECT count(*) FROM (SELECT 1 FROM analytics.alerts WHERE resolved_at IS NULL"
                  " GROUP BY item_id, site_id, category HAVING count(*) > 1) x"),
            0);
  EXPECT_EQ(Count(c, open_alerts), alerts1);
  EXPECT_EQ(Count(c,
                  "SELECT count(*) FROM analytics.alerts WHERE read_at IS NOT NULL AND resolved_at "
                  "IS NULL"),
            1);
  EXPECT_EQ(Count(c, "SELECT count(*) FROM analytics.alerts WHERE run_id = " +
                         std::to_string(second.run_id)),
            alerts1);
  // The second run replaced features and KPIs, and kept the first run's forecasts.
  EXPECT_EQ(Count(c, "SELECT count(DISTINCT run_id) FROM analytics.features_store"), 1);
  EXPECT_EQ(Count(c, "SELECT count(DISTINCT run_id) FROM analytics.forecasts"), 2);
  EXPECT_EQ(Count(c, "SELECT count(*) FROM analytics.mv_forecasts_latest WHERE run_id <> " +
                         std::to_string(second.run_id)),
            0);
  EXPECT_EQ(Count(c, "SELECT count(*) FROM analytics.forecast_pages WHERE run_id <> " +
                         std::to_string(second.run_id)),
            0);
  EXPECT_EQ(Count(c, "SELECT count(*) FROM analytics.forecast_totals WHERE run_id <> " +
                         std::to_string(second.run_id)),
            0);
  EXPECT_EQ(Count(c, "SELECT count(*) FROM analytics.pipeline_runs WHERE status = 'SUCCEEDED'"), 2);
}

// Data shaped so that every recommendation type and the stock, supplier and drift alerts
// must appear; then the conditions are lifted and the alerts resolve, the recommendations go.
TEST_F(PipelineTest, EmitsEveryTypeAndCategoryThenAutoResolves) {
  auto c = db_.Connect();
  const std::string asof = "DATE '2025-03-31'";
  auto top = c.ExecScript(
      "SELECT item_id FROM core.fact_demand_daily WHERE full_date > " + asof +
      " - 90 GROUP BY item_id ORDER BY sum(quantity) DESC, item_id LIMIT 3");
  ASSERT_EQ(top.Rows(), 3);
  const std::string a = top.GetString(0, 0), b = top.GetString(1, 0), e = top.GetString(2, 0);
  auto low = c.ExecScript(
      "SELECT i.item_id FROM core.dim_item i LEFT JOIN core.fact_demand_daily d"
      " ON d.item_id = i.item_id AND d.full_date > " + asof + " - 365"
      " GROUP BY i.item_id ORDER BY coalesce(sum(d.quantity * i.unit_price), 0), i.item_id LIMIT 1");
  const std::string slow = low.GetString(0, 0);
  auto set_stock = [&](const std::string& item, const std::string& site, const std::string& v) {
    c.ExecScript("UPDATE core.fact_inventory_daily SET current_stock = " + v + " WHERE item_id = " +
                 item + " AND site_id = " + site + " AND full_date = " + asof);
  };
  // No open orders but the one made late below; the top item runs dry everywhere (REORDER,
  // STOCKOUT_IMMINENT); the second is empty at site 1 with a pile at site 2 (REALLOCATE, and
  // HOLD at site 2); the slowest has a year of stock everywhere (PROMO).
  c.ExecScript("UPDATE core.fact_orders SET status = 'RECEIVED', actual_delivery_date ="
               " greatest(order_date, coalesce(expected_delivery_date, order_date))"
               " WHERE actual_delivery_date IS NULL AND status <> 'CANCELLED'");
  for (const char* site : {"1", "2", "3"}) set_stock(a, site, "0");
  set_stock(b, "1", "0");
  set_stock(b, "2", "100000");
  for (const char* site : {"1", "2", "3"}) set_stock(slow, site, "1000000");
  // The third item is empty at site 3 with a large order overdue: only that order stands
  // between it and a stockout (SUPPLIER_DELAY, EXPEDITE).
  set_stock(e, "3", "0");
  c.ExecScript("INSERT INTO core.fact_orders (order_date, item_id, supplier_id, site_id, quantity,"
               " status, expected_delivery_date) SELECT " + asof + " - 30, item_id, supplier_id, 3,"
               " 100000, 'DELAYED', " + asof + " - 10 FROM core.dim_item WHERE item_id = " + e);
  // Drift: a run two weeks back, then ten times the demand since for item e at site 1.
  RunPipeline(kEndDay - 14, {}, "normal");
  c.ExecScript("UPDATE core.fact_demand_daily SET quantity = quantity * 10 + 5 WHERE item_id = " +
               e + " AND site_id = 1 AND full_date > " + asof + " - 14");
  // A stored replay of the published policy: its alert precision is quoted in the alerts.
  c.ExecScript("INSERT INTO analytics.simulation_runs (status, source, results) VALUES ('SUCCEEDED',"
               " 'database', '[{\"policy\":\"normal\",\"service_level\":null,"
               "\"total\":{\"alert_precision\":0.84}}]')");
  RunPipeline(kEndDay, {}, "normal");
  auto has = [&](const std::string& what) { return Count(c, "SELECT count(*) FROM " + what) > 0; };
  const std::string open_rec = "analytics.recommendations WHERE acknowledged_at IS NULL AND ";
  EXPECT_TRUE(has(open_rec + "type = 'REORDER' AND item_id = " + a));
  EXPECT_TRUE(has(open_rec + "type = 'REALLOCATE' AND item_id = " + b + " AND site_id = 1"
                  " AND (details->>'from_site_id')::int = 2"));
  EXPECT_TRUE(has(open_rec + "type = 'HOLD' AND item_id = " + b + " AND site_id = 2") ||
              has(open_rec + "type = 'PROMO' AND item_id = " + b + " AND site_id = 2"));
  EXPECT_TRUE(has(open_rec + "type = 'PROMO' AND item_id = " + slow));
  EXPECT_TRUE(has(open_rec + "type = 'EXPEDITE' AND item_id = " + e + " AND site_id = 3"));
  EXPECT_TRUE(has(open_rec + "type = 'HOLD'"));
  const std::string open_alert = "analytics.alerts WHERE resolved_at IS NULL AND ";
  EXPECT_TRUE(has(open_alert + "category = 'STOCKOUT_IMMINENT' AND item_id = " + a));
  EXPECT_TRUE(has(open_alert + "category = 'STOCKOUT_IMMINENT' AND (details->>'replay_precision')::float8"
                  " = 0.84 AND message LIKE '%84% of alerts like this came true.'"));
  EXPECT_TRUE(has(open_alert + "category = 'SUPPLIER_DELAY' AND item_id = " + e + " AND site_id = 3"));
  EXPECT_TRUE(has(open_alert + "category = 'FORECAST_DRIFT' AND item_id = " + e + " AND site_id = 1"));
  // Scores: a stockout of the top item is money at risk; the policy rows say their method.
  EXPECT_TRUE(has(open_rec + "type = 'REORDER' AND item_id = " + a + " AND priority_score > 0"));
  EXPECT_EQ(Count(c, "SELECT count(*) FROM analytics.inventory_policy WHERE method <> 'normal'"), 0);
  // Lift the conditions: stock back, the late order delivered.
  for (const char* site : {"1", "2", "3"}) set_stock(a, site, "100000");
  c.ExecScript("UPDATE core.fact_orders SET status = 'RECEIVED', actual_delivery_date = " + asof +
               " WHERE status = 'DELAYED' AND actual_delivery_date IS NULL");
  RunPipeline(kEndDay, {}, "normal");
  EXPECT_FALSE(has(open_alert + "category = 'STOCKOUT_IMMINENT' AND item_id = " + a));
  EXPECT_TRUE(has("analytics.alerts WHERE resolved_at IS NOT NULL AND category = 'STOCKOUT_IMMINENT'"
                  " AND item_id = " + a));
  EXPECT_FALSE(has(open_alert + "category = 'SUPPLIER_DELAY' AND item_id = " + e));
  EXPECT_FALSE(has(open_rec + "type = 'REORDER' AND item_id = " + a));
  EXPECT_FALSE(has(open_rec + "type = 'EXPEDITE' AND item_id = " + e));
}

TEST_F(PipelineTest, ExportsCsvAndRejectsUnknownStage) {
  namespace fs = std::filesystem;
  fs::path dir = fs::temp_directory_path() / ("corrente-export-" + db_.Name());
  PipelineOptions opt;
  opt.as_of = kEndDay;
  opt.horizon = 14;
  opt.jobs = 2;
  opt.export_dir = dir.string();
  opt.stages = {"features", "forecast"};
  RunReport rep = pipeline::Run(db_.Dsn(), opt);
  auto lines = [](const fs::path& p) {
    std::ifstream in(p);
    int64_t n = 0;
    std::string line;
    while (std::getline(in, line)) ++n;
    return n;
  };
  EXPECT_EQ(lines(dir / "forecasts.csv"), 1 + rep.series * 14);
  EXPECT_EQ(lines(dir / "features.csv"), 1 + rep.series * 90);
  std::ifstream in(dir / "forecasts.csv");
  std::string header;
  std::getline(in, header);
  EXPECT_EQ(header.rfind("item_id,sku,site_id,site_code,full_date,horizon_days,yhat", 0), 0u);
  fs::remove_all(dir);
  EXPECT_THROW(ParseStages("features,bogus"), std::invalid_argument);
  EXPECT_EQ(ParseStages("kpis, alerts").size(), 2u);
}

// The yearly season: "auto" stays weekly on 400 days (under three years); "on" forces it.
TEST_F(PipelineTest, YearlySeasonAutoNeedsThreeYears) {
  auto forecast_note = [&](const std::string& yearly) {
    PipelineOptions opt;
    opt.as_of = kEndDay;
    opt.horizon = 14;
    opt.jobs = 2;
    opt.progress = false;
    opt.yearly_season = yearly;
    opt.stages = {"features", "forecast"};
    for (const StageReport& s : pipeline::Run(db_.Dsn(), opt).stages)
      if (s.name == "forecast") return s.note;
    return std::string();
  };
  const std::string days = "(" + std::to_string(kDays) + " days of history";
  EXPECT_NE(forecast_note("auto").find("seasons 7 " + days + ", yearly auto)"), std::string::npos);
  EXPECT_NE(forecast_note("on").find("seasons 7,365 " + days + ", yearly on)"), std::string::npos);
  EXPECT_NE(forecast_note("off").find("seasons 7 "), std::string::npos);
}

TEST_F(PipelineTest, GlobalModelFromASampleAndOptional) {
  // The forecast stage fits the global model on its hash sample (here every series: 60 are
  // fewer than the sample's 2,000), the forecaster picks it for some series, and
  // global_model = false leaves it out.
  auto run = [&](bool global) {
    PipelineOptions opt;
    opt.as_of = kEndDay;
    opt.horizon = 14;
    opt.jobs = 2;
    opt.progress = false;
    opt.global_model = global;
    opt.stages = {"features", "forecast", "backtest"};
    RunReport rep = pipeline::Run(db_.Dsn(), opt);
    std::string note;
    for (const StageReport& s : rep.stages)
      if (s.name == "forecast") note = s.note;
    auto c = db_.Connect();
    const int64_t used = Count(c,
                               "SELECT count(*) FROM analytics.forecast_accuracy WHERE run_id = " +
                                   std::to_string(rep.run_id) + " AND model_tag LIKE '%global%'");
    return std::make_pair(note, used);
  };
  const auto [on_note, on_used] = run(true);
  EXPECT_NE(on_note.find("global model from " + std::to_string(kItems * kSites) + " sampled series"),
            std::string::npos)
      << on_note;
  EXPECT_GT(on_used, 0);
  const auto [off_note, off_used] = run(false);
  EXPECT_NE(off_note.find("global model off"), std::string::npos) << off_note;
  EXPECT_EQ(off_used, 0);
}

}  // namespace
}  // namespace corrente::pipeline
