// The pipeline over hostile legacy data (decide/data_quality.h): NaN, absurd and otherwise
// impossible values in demand, stock, prices, order limits, open orders and lead times. The
// run must publish, count what it set aside, and compute exactly what it computes when those
// cells are missing: every series' forecasts, policy, accuracy and features, the KPIs, the
// ABC classes and the open recommendations and alerts are compared by NUMERIC equality (no
// tolerance) with a run over the same database with the hostile cells blank.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "common/dates.h"
#include "pipeline/pipeline.h"
#include "small_seed.h"
#include "testlib/test_db.h"

namespace corrente::pipeline {
namespace {

namespace ss = small_seed;

int64_t Count(pg::Connection& c, const std::string& sql) { return c.ExecScript(sql).GetInt(0, 0); }

class HostileDataTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto c = db_.Connect();
    small_seed::Load(c);
  }
  RunReport RunPipeline(int64_t as_of = ss::kEndDay) {
    PipelineOptions opt;
    opt.as_of = as_of;
    opt.jobs = 2;
    opt.progress = false;
    return pipeline::Run(db_.Dsn(), opt);
  }
  testing::ScratchDatabase db_;
};

// What a run published, without its run id and timestamps; `r` is the run.
const std::vector<std::pair<std::string, std::string>> kSnapshots = {
    {"forecasts",
     "SELECT item_id, site_id, full_date, horizon_days, yhat, yhat_lower, yhat_upper,"
     " yhat_lower_95, yhat_upper_95, split_part(model_tag, '@', 1) AS model"
     " FROM analytics.forecasts WHERE run_id = r"},
    {"policy",
     "SELECT item_id, site_id, as_of, avg_daily_demand, demand_std, lead_time_days,"
     " lead_time_std, service_level, safety_stock, reorder_point, order_up_to, current_stock,"
     " on_order, days_to_rupture, method, order_cycle_days FROM analytics.inventory_policy"
     " WHERE run_id = r"},
    {"accuracy",
     "SELECT item_id, site_id, split_part(model_tag, '@', 1) AS model, mape, wape, mase, bias,"
     " n_points FROM analytics.forecast_accuracy WHERE run_id = r"},
    {"features", "SELECT item_id, site_id, full_date, features FROM analytics.features_store"},
    {"kpis",
     "SELECT full_date, total_demand, stockout_rate, abc_a_share, delayed_orders_pct,"
     " forecast_mape, forecast_wape, avg_inventory_value FROM analytics.kpis_daily"},
    {"abc", "SELECT item_id, abc_class FROM core.dim_item"},
    {"recommendations",
     "SELECT item_id, site_id, type, priority, message, action_date, quantity_recommended,"
     " details FROM analytics.recommendations WHERE acknowledged_at IS NULL"},
    {"alerts",
     "SELECT item_id, site_id, level, category, message FROM analytics.alerts"
     " WHERE resolved_at IS NULL"},
};

void Snapshot(pg::Connection& c, int64_t run, const std::string& suffix) {
  for (const auto& [name, sql] : kSnapshots) {
    std::string q = sql;
    if (auto at = q.find("run_id = r"); at != std::string::npos)
      q.replace(at, 10, "run_id = " + std::to_string(run));
    c.ExecScript("CREATE TABLE public.snap_" + name + suffix + " AS " + q);
  }
}

TEST_F(HostileDataTest, HostileCellsAreReadAsMissingAndChangeNothingElse) {
  auto c = db_.Connect();
  const std::string as_of = "DATE '" + FormatDate(ss::kEndDay) + "'";
  const std::string first = "DATE '" + FormatDate(ss::kEndDay - ss::kDays + 1) + "'";
  // The cells that will turn hostile, blank: demand 0, no stock rows, no price, cost or
  // limits, a supplier without a lead time (item 9's).
  c.ExecScript(
      "UPDATE core.fact_demand_daily SET quantity = 0, unit_cost = NULL WHERE"
      " (item_id, site_id, full_date) IN ((1, 1, " + as_of + " - 5), (1, 2, " + first +
      " + 10), (2, 1, " + as_of + " - 10));"
      "DELETE FROM core.fact_inventory_daily WHERE item_id IN (3, 4) AND site_id = 1"
      " AND full_date > " + as_of + " - 3;"
      "UPDATE core.dim_item SET unit_cost = NULL, unit_price = NULL WHERE item_id IN (5, 6);"
      "UPDATE core.dim_item SET min_order_qty = NULL, max_order_qty = NULL WHERE item_id = 7;"
      "INSERT INTO core.dim_supplier (supplier_id, code, name) VALUES (9001, 'H9001', 'hostile');"
      "UPDATE core.dim_item SET supplier_id = 9001 WHERE item_id = 9;");
  ASSERT_EQ(Count(c, "SELECT count(*) FROM core.fact_demand_daily WHERE quantity = 0 AND"
                     " unit_cost IS NULL"),
            3);
  RunReport clean = RunPipeline();
  EXPECT_EQ(clean.data_quality, "");
  Snapshot(c, clean.run_id, "_clean");

  // The hostile cells.
  c.ExecScript(
      "UPDATE core.fact_demand_daily SET quantity = 'NaN' WHERE (item_id, site_id, full_date)"
      " IN ((1, 1, " + as_of + " - 5), (1, 2, " + first + " + 10));"
      "UPDATE core.fact_demand_daily SET quantity = 2e9 WHERE (item_id, site_id, full_date) ="
      " (2, 1, " + as_of + " - 10);"
      "INSERT INTO core.fact_inventory_daily (full_date, item_id, site_id, current_stock)"
      " SELECT " + as_of + " - g, i, 1, CASE WHEN i = 3 THEN 'NaN'::numeric ELSE 5e9 END"
      " FROM generate_series(0, 2) g, (VALUES (3), (4)) v(i);"
      "UPDATE core.dim_item SET unit_cost = 'NaN', unit_price = 'NaN' WHERE item_id = 5;"
      "UPDATE core.dim_item SET unit_cost = 5e10, unit_price = 5e10 WHERE item_id = 6;"
      "UPDATE core.dim_item SET min_order_qty = 'NaN', max_order_qty = 'NaN' WHERE item_id = 7;"
      "INSERT INTO core.fact_orders (order_date, item_id, supplier_id, site_id, quantity, status,"
      " expected_delivery_date) SELECT " + as_of + " - 2, 8, supplier_id, 1, 'NaN', 'PLACED', " +
      as_of + " + 5 FROM core.dim_item WHERE item_id = 8;"
      "UPDATE core.dim_supplier SET avg_lead_time_days = 2000000000 WHERE supplier_id = 9001;"
      "INSERT INTO core.fact_orders (order_date, item_id, supplier_id, site_id, quantity, status,"
      " expected_delivery_date, actual_delivery_date) VALUES ('1900-01-01', 9, 9001, 1, 10,"
      " 'RECEIVED', '1900-01-08', " + as_of + " - 20);");

  RunReport hostile = RunPipeline();
  EXPECT_GT(hostile.run_id, clean.run_id);
  EXPECT_EQ(c.Execute("SELECT status FROM analytics.pipeline_runs WHERE run_id = $1",
                      hostile.run_id)
                .GetString(0, 0),
            "SUCCEEDED");
  EXPECT_EQ(hostile.series, clean.series);
  Snapshot(c, hostile.run_id, "_hostile");
  for (const auto& [name, sql] : kSnapshots) {
    const std::string a = "public.snap_" + name + "_clean", b = "public.snap_" + name + "_hostile";
    EXPECT_GT(Count(c, "SELECT count(*) FROM " + a), 0) << name;
    EXPECT_EQ(Count(c, "SELECT count(*) FROM " + a), Count(c, "SELECT count(*) FROM " + b))
        << name;
    EXPECT_EQ(Count(c, "SELECT count(*) FROM ((TABLE " + a + " EXCEPT ALL TABLE " + b +
                           ") UNION ALL (TABLE " + b + " EXCEPT ALL TABLE " + a + ")) d"),
              0)
        << name << " differs between the blank and the hostile cells";
  }
  // What was set aside is reported: the run's stats, its summary line.
  auto dq = [&](const std::string& path) {
    return c.Execute("SELECT (stats #>> $2::text[])::bigint FROM analytics.pipeline_runs"
                     " WHERE run_id = $1",
                     hostile.run_id, path)
        .GetInt(0, 0);
  };
  EXPECT_EQ(dq("{data_quality,demand,non_finite}"), 2);
  EXPECT_EQ(dq("{data_quality,demand,absurd}"), 1);
  EXPECT_EQ(dq("{data_quality,demand,concerned}"), 3);
  EXPECT_EQ(dq("{data_quality,stock,non_finite}"), 3);
  EXPECT_EQ(dq("{data_quality,stock,absurd}"), 3);
  EXPECT_EQ(dq("{data_quality,unit_value,non_finite}"), 2);
  EXPECT_EQ(dq("{data_quality,unit_value,absurd}"), 2);
  EXPECT_EQ(dq("{data_quality,order_limits,non_finite}"), 2);
  EXPECT_EQ(dq("{data_quality,order_quantity,non_finite}"), 1);
  EXPECT_EQ(dq("{data_quality,lead_time,absurd}"), 2);
  EXPECT_EQ(dq("{data_quality,total}"), 18);
  EXPECT_EQ(c.Execute("SELECT stats #>> '{data_quality,demand,examples,0,value}'"
                      " FROM analytics.pipeline_runs WHERE run_id = $1",
                      hostile.run_id)
                .GetString(0, 0),
            "NaN");
  EXPECT_NE(hostile.data_quality.find("demand rows 3 (2 NaN, 1 absurd) in 3 series"),
            std::string::npos)
      << hostile.data_quality;
  EXPECT_NE(hostile.data_quality.find("read as missing"), std::string::npos);
  // Nothing NaN was published.
  EXPECT_EQ(Count(c,
                  "SELECT count(*) FROM analytics.kpis_daily WHERE 'NaN' IN (total_demand,"
                  " stockout_rate, abc_a_share, avg_inventory_value)"),
            0);
  EXPECT_EQ(Count(c,
                  "SELECT count(*) FROM analytics.inventory_policy WHERE 'NaN' IN (safety_stock,"
                  " reorder_point, order_up_to, current_stock, on_order, lead_time_days)"),
            0);
}

// A relative outlier (decide/outliers.h): finite, under the absurd ceiling, but a thousand
// times what its slow series sells, alone. It is read as missing, so the run publishes exactly
// what it publishes with that cell at zero, for that series and every other one; a promotion
// of a few times normal demand on another series is left alone.
TEST_F(HostileDataTest, RelativeOutliersAreReadAsMissingAndPromotionsAreNot) {
  auto c = db_.Connect();
  const std::string as_of = "DATE '" + FormatDate(ss::kEndDay) + "'";
  // The three slowest series that still sell on most days (a few units a day).
  auto slow = c.ExecScript(
      "SELECT item_id, site_id FROM core.fact_demand_daily WHERE full_date > " + as_of +
      " - 365 GROUP BY 1, 2 HAVING count(*) FILTER (WHERE quantity > 0) >= 200"
      " ORDER BY avg(quantity), 1, 2 LIMIT 3");
  ASSERT_EQ(slow.Rows(), 3);
  const std::string a = "(" + slow.GetString(0, 0) + ", " + slow.GetString(0, 1) + ", ";
  const std::string b = "(" + slow.GetString(1, 0) + ", " + slow.GetString(1, 1) + ", ";
  const std::string promo =
      "item_id = " + slow.GetString(2, 0) + " AND site_id = " + slow.GetString(2, 1);
  const std::string a_days = a + as_of + " - 10), " + a + as_of + " - 200)";
  const std::string b_day = b + as_of + ")";
  // Rows on those days, at zero: the clean run.
  c.ExecScript(
      "INSERT INTO core.fact_demand_daily (full_date, item_id, site_id, quantity)"
      " SELECT d, i, s, 0 FROM (VALUES " + a_days + ", " + b_day + ") v(i, s, d)"
      " ON CONFLICT (item_id, site_id, full_date) DO UPDATE SET quantity = 0");
  // Five days at four times the series' mean (a promotion): in both runs.
  c.ExecScript("UPDATE core.fact_demand_daily SET quantity = quantity * 4 WHERE " + promo +
               " AND full_date BETWEEN " + as_of + " - 40 AND " + as_of + " - 36");
  // A run 15 days earlier first: the last run scores its forecasts against the actuals that
  // followed (FORECAST_DRIFT, the KPIs' forecast MAPE and WAPE), the 1e6 day among them.
  EXPECT_EQ(RunPipeline(ss::kEndDay - 15).data_quality, "");
  RunReport clean = RunPipeline();
  EXPECT_EQ(clean.data_quality, "");
  Snapshot(c, clean.run_id, "_clean");

  c.ExecScript("UPDATE core.fact_demand_daily SET quantity = 1000000 WHERE"
               " (item_id, site_id, full_date) = " + a + as_of + " - 10);"
               "UPDATE core.fact_demand_daily SET quantity = 5000 WHERE"
               " (item_id, site_id, full_date) IN (" + a + as_of + " - 200), " + b_day + ")");
  EXPECT_NE(RunPipeline(ss::kEndDay - 15).data_quality, "");  // the day 200 back
  RunReport hostile = RunPipeline();
  Snapshot(c, hostile.run_id, "_hostile");
  for (const auto& [name, sql] : kSnapshots) {
    const std::string x = "public.snap_" + name + "_clean", y = "public.snap_" + name + "_hostile";
    EXPECT_GT(Count(c, "SELECT count(*) FROM " + x), 0) << name;
    EXPECT_EQ(Count(c, "SELECT count(*) FROM ((TABLE " + x + " EXCEPT ALL TABLE " + y +
                           ") UNION ALL (TABLE " + y + " EXCEPT ALL TABLE " + x + ")) d"),
              0)
        << name << " differs between the zero cells and the outliers";
  }
  auto dq = [&](const std::string& path) {
    return c.Execute("SELECT stats #>> $2::text[] FROM analytics.pipeline_runs WHERE run_id = $1",
                     hostile.run_id, path)
        .GetString(0, 0);
  };
  EXPECT_EQ(dq("{data_quality,demand_outliers,days}"), "3");
  EXPECT_EQ(dq("{data_quality,demand_outliers,concerned}"), "2");
  EXPECT_EQ(dq("{data_quality,total}"), "3");
  EXPECT_EQ(dq("{data_quality,demand,absurd}"), "0");  // under the absurd ceiling
  EXPECT_EQ(c.Execute("SELECT string_agg((e->>'value')::float8::text || '@' || (e->>'date'),"
                      " ' ' ORDER BY (e->>'value')::float8, e->>'date')"
                      " FROM analytics.pipeline_runs r, jsonb_array_elements("
                      "  r.stats #> '{data_quality,demand_outliers,examples}') e"
                      " WHERE r.run_id = $1",
                      hostile.run_id)
                .GetString(0, 0),
            "5000@" + FormatDate(ss::kEndDay - 200) + " 5000@" + FormatDate(ss::kEndDay) +
                " 1000000@" + FormatDate(ss::kEndDay - 10));
  EXPECT_NE(hostile.data_quality.find("demand outliers 3"), std::string::npos)
      << hostile.data_quality;
  EXPECT_NE(hostile.data_quality.find("in 2 series; read as missing"), std::string::npos)
      << hostile.data_quality;
}

// Series that are extreme but not errors run as any other and are not counted as bad data.
TEST_F(HostileDataTest, EdgeSeriesRunAsAnyOther) {
  auto c = db_.Connect();
  const std::string as_of = "DATE '" + FormatDate(ss::kEndDay) + "'";
  c.ExecScript(
      // 10: every day zero. 11: one day of history, at one site, no stock rows.
      "UPDATE core.fact_demand_daily SET quantity = 0 WHERE item_id = 10;"
      "DELETE FROM core.fact_demand_daily WHERE item_id = 11 AND NOT (site_id = 1 AND"
      " full_date = " + as_of + " - 3);"
      "UPDATE core.fact_demand_daily SET quantity = 6 WHERE item_id = 11;"
      "DELETE FROM core.fact_inventory_daily WHERE item_id = 11;"
      // 12: history only after as_of.
      "DELETE FROM core.fact_demand_daily WHERE item_id = 12;"
      "DELETE FROM core.fact_inventory_daily WHERE item_id = 12;"
      "INSERT INTO core.fact_demand_daily (full_date, item_id, site_id, quantity)"
      " SELECT " + as_of + " + g, 12, 1, 5 FROM generate_series(1, 30) g;"
      // 13: a supplier whose lead time is 0 days. 14: no cost, no price.
      "INSERT INTO core.dim_supplier (supplier_id, code, name, avg_lead_time_days)"
      " VALUES (9002, 'Z9002', 'same day', 0);"
      "UPDATE core.dim_item SET supplier_id = 9002 WHERE item_id = 13;"
      "UPDATE core.dim_item SET unit_cost = 0, unit_price = 0 WHERE item_id = 14;"
      // An item without a site, a site without items.
      "INSERT INTO core.dim_item (item_id, sku, name) VALUES (9001, 'NOSITE', 'no site');"
      "INSERT INTO core.dim_site (site_id, code, name) VALUES (901, 'NOITEMS', 'no items');");
  RunReport rep = RunPipeline();
  const std::string run = std::to_string(rep.run_id);
  EXPECT_EQ(c.ExecScript("SELECT status FROM analytics.pipeline_runs WHERE run_id = " + run)
                .GetString(0, 0),
            "SUCCEEDED");
  EXPECT_EQ(rep.data_quality, "");
  // Item 12 has no series, item 11 one instead of three.
  EXPECT_EQ(rep.series, ss::kItems * ss::kSites - 3 - 2);
  auto policy = [&](const std::string& cols, const std::string& where) {
    return c.ExecScript("SELECT " + cols + " FROM analytics.inventory_policy WHERE run_id = " +
                        run + " AND " + where);
  };
  // Zeros in, zeros out: no stock held against no demand, and no REORDER.
  EXPECT_EQ(Count(c, "SELECT count(*) FROM analytics.forecasts WHERE run_id = " + run +
                         " AND item_id = 10 AND yhat <> 0"),
            0);
  EXPECT_EQ(Count(c, "SELECT count(*) FROM analytics.forecasts WHERE run_id = " + run +
                         " AND item_id = 10"),
            ss::kSites * 90);
  EXPECT_EQ(policy("count(*)", "item_id = 10 AND avg_daily_demand = 0 AND safety_stock = 0"
                               " AND reorder_point = 0 AND order_up_to = 0")
                .GetInt(0, 0),
            ss::kSites);
  EXPECT_EQ(Count(c, "SELECT count(*) FROM analytics.recommendations WHERE item_id = 10 AND"
                     " type = 'REORDER' AND acknowledged_at IS NULL"),
            0);
  // One day of 6 units in the 90-day window: d = 6 / 90; forecast and policy exist.
  auto one = policy("avg_daily_demand::float8, current_stock::float8", "item_id = 11");
  ASSERT_EQ(one.Rows(), 1);
  EXPECT_NEAR(one.GetDouble(0, 0), 6.0 / 90, 1e-4);
  EXPECT_EQ(one.GetDouble(0, 1), 0);
  EXPECT_EQ(Count(c, "SELECT count(*) FROM analytics.forecasts WHERE run_id = " + run +
                         " AND item_id = 11 AND site_id = 1"),
            90);
  // Only future rows: no series. Nor for the item without a site or the site without items.
  EXPECT_EQ(Count(c, "SELECT count(*) FROM analytics.forecasts WHERE run_id = " + run +
                         " AND (item_id IN (12, 9001) OR site_id = 901)"),
            0);
  // A lead time of 0 days: same-day supply, nothing to cover over the lead time.
  auto zero_lead = policy("count(*), min(lead_time_days)::float8, max(reorder_point)::float8",
                          "item_id = 13");
  EXPECT_EQ(zero_lead.GetInt(0, 0), ss::kSites);
  EXPECT_EQ(zero_lead.GetDouble(0, 1), 0);
  EXPECT_EQ(zero_lead.GetDouble(0, 2), 0);
  // No price: no revenue, class C.
  EXPECT_EQ(c.ExecScript("SELECT abc_class FROM core.dim_item WHERE item_id = 14").GetString(0, 0),
            "C");
}

}  // namespace
}  // namespace corrente::pipeline
