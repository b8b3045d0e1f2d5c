#include <unordered_map>

#include "decide/cycles.h"
#include "decide/levels.h"
#include "decide/policy.h"
#include "decide/priority.h"
#include "pg/copy.h"
#include "pipeline/reports.h"
#include "pipeline/runner.h"

namespace corrente::pipeline::detail {

int64_t Runner::StageAbc(StageReport& rep) {
  AbcClassesText abc = ComputeAbc(rep);
  rep.note += "; changed " + std::to_string(WriteAbc(abc));
  return abc.items;
}

Runner::AbcClassesText Runner::ComputeAbc(StageReport& rep) {
  const auto outliers = OutlierParams();
  auto r = reader_.Execute(
      "SELECT i.item_id, coalesce(sum(" + UsableQuantitySql("d.quantity") + " * " +
          UsableUnitValueSql("i.unit_price") + "), 0)::float8"
      " FROM core.dim_item i LEFT JOIN core.fact_demand_daily d ON d.item_id = i.item_id"
      "  AND d.full_date BETWEEN $1::date - 364 AND $1::date AND " + NotOutlierSql("d", 2) +
      " WHERE i.active GROUP BY i.item_id ORDER BY i.item_id",
      FormatDate(as_of_), outliers[0], outliers[1], outliers[2]);
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
  rep.note = "A " + std::to_string(counts[0]) + ", B " + std::to_string(counts[1]) + ", C " +
             std::to_string(counts[2]);
  extra_stats_.emplace_back("abc", "{\"A\":" + std::to_string(counts[0]) +
                                       ",\"B\":" + std::to_string(counts[1]) +
                                       ",\"C\":" + std::to_string(counts[2]) + "}");
  return {ids + "}", classes + "}", r.Rows()};
}

int64_t Runner::WriteAbc(const AbcClassesText& abc) {
  return writer_
      .Execute(
          "UPDATE core.dim_item i SET abc_class = v.c, updated_at = now()"
          " FROM unnest($1::int[], $2::text[]) AS v(id, c)"
          " WHERE i.item_id = v.id AND i.abc_class IS DISTINCT FROM v.c",
          abc.ids, abc.classes)
      .AffectedRows();
}

std::vector<double> Runner::DemandRates() {
  // What the forecast stage's history holds of the last 90 days (zero-filled), so that a
  // worker's coordinator gets the same rates without the series (an aggregate, run by SQL).
  const int64_t n = std::min<int64_t>({90, as_of_ - first_day_ + 1, opt_.history_days});
  const auto outliers = OutlierParams();
  auto r = reader_.Execute(
      "SELECT item_id, site_id, sum(" + UsableQuantitySql("quantity") +
          ")::float8 FROM core.fact_demand_daily d"
      " WHERE full_date BETWEEN $1::date - $2::int + 1 AND $1::date AND " +
          NotOutlierSql("d", 3) + " GROUP BY 1, 2",
      FormatDate(as_of_), n, outliers[0], outliers[1], outliers[2]);
  std::map<Pair, double> sums;
  for (int i = 0; i < r.Rows(); ++i)
    sums[{static_cast<int32_t>(r.GetInt(i, 0)), static_cast<int32_t>(r.GetInt(i, 1))}] =
        r.GetDouble(i, 2);
  std::vector<double> rate(pairs_.size(), 0.0);
  for (size_t i = 0; i < pairs_.size(); ++i) {
    auto it = sums.find(pairs_[i]);
    if (it != sums.end() && n > 0) rate[i] = it->second / static_cast<double>(n);
  }
  return rate;
}

std::vector<double> Runner::PolicyCycles() {
  if (slice_mode_) return slice_cycles_;  // solved over every series by the coordinator
  decide::CycleBounds b;
  b.base_days = opt_.review_days;
  if (!opt_.shared_cycles) return std::vector<double>(pairs_.size(), b.base_days);
  // Each series' mean daily demand over its last 90 days; series not computed get none.
  std::vector<double> rate = DemandRates();
  for (size_t i = 0; i < outcomes_.size(); ++i)  // none yet: the coordinator's, for all
    if (!outcomes_[i].done) rate[i] = 0;
  return decide::OrderCycles(rate, b);
}

// Lead times per supplier from delivered orders (actual - order date): their mean and std,
// and the most recent 100 of them as samples for the empirical method. They do not depend on
// the series, so a worker computing many slices of one run reads them once.
const std::unordered_map<int, Runner::SupplierLead>& Runner::SupplierLeads() {
  if (leads_ && leads_run_ == run_id_) return *leads_;
  const std::string as_of = FormatDate(as_of_);
  std::unordered_map<int, SupplierLead> lead;
  {
    auto r = reader_.Execute(
        "SELECT s.supplier_id, CASE WHEN s.avg_lead_time_days BETWEEN 0 AND $2"
        "  THEN s.avg_lead_time_days ELSE 7 END::float8, count(o.order_id),"
        " avg(o.actual_delivery_date - o.order_date)::float8,"
        " coalesce(stddev_samp(o.actual_delivery_date - o.order_date), 0)::float8"
        " FROM core.dim_supplier s LEFT JOIN core.fact_orders o ON o.supplier_id = s.supplier_id"
        "  AND o.actual_delivery_date IS NOT NULL AND o.actual_delivery_date <= $1::date"
        "  AND o.actual_delivery_date - o.order_date BETWEEN 0 AND $2"
        " GROUP BY s.supplier_id, s.avg_lead_time_days",
        as_of, static_cast<int>(decide::kMaxLeadTimeDays));
    for (int i = 0; i < r.Rows(); ++i) {
      SupplierLead l;
      l.mean = r.GetDouble(i, 1);
      if (r.GetInt(i, 2) > 0) {
        l.mean = r.GetDouble(i, 3);
        l.std = r.GetDouble(i, 4);
      }
      lead[static_cast<int>(r.GetInt(i, 0))] = std::move(l);
    }
    // The most recent 100 per supplier, newest first.
    auto samples = reader_.Execute(
        "SELECT supplier_id, lead::float8 FROM ("
        " SELECT supplier_id, actual_delivery_date - order_date AS lead, row_number() OVER ("
        "  PARTITION BY supplier_id ORDER BY order_date DESC, order_id DESC) AS k"
        " FROM core.fact_orders WHERE actual_delivery_date IS NOT NULL"
        "  AND actual_delivery_date <= $1::date"
        "  AND actual_delivery_date - order_date BETWEEN 0 AND $2) t"
        " WHERE k <= 100 ORDER BY supplier_id, k",
        as_of, static_cast<int>(decide::kMaxLeadTimeDays));
    for (int i = 0; i < samples.Rows(); ++i) {
      auto it = lead.find(static_cast<int>(samples.GetInt(i, 0)));
      if (it != lead.end() && !samples.IsNull(i, 1))
        it->second.samples.push_back(samples.GetDouble(i, 1));
    }
  }
  leads_ = std::move(lead);
  leads_run_ = run_id_;
  return *leads_;
}

int64_t Runner::StagePolicy(StageReport& rep) {
  const std::string as_of = FormatDate(as_of_);
  const decide::PolicyMethod method = decide::ParsePolicyMethod(opt_.policy);
  const std::unordered_map<int, SupplierLead>& lead = SupplierLeads();
  std::map<Pair, double> stock;
  {
    auto r = reader_.Execute(
        "SELECT DISTINCT ON (item_id, site_id) item_id, site_id, current_stock::float8"
        " FROM core.fact_inventory_daily WHERE full_date BETWEEN $1::date - 30 AND $1::date"
        // The latest usable snapshot: a NaN or absurd one is no count of the stock.
        " AND " + UsableSqlCond("current_stock", decide::kAbsurdQuantity) +
            SliceFilter("item_id") + " ORDER BY item_id, site_id, full_date DESC",
        as_of);
    for (int i = 0; i < r.Rows(); ++i)
      stock[{static_cast<int32_t>(r.GetInt(i, 0)), static_cast<int32_t>(r.GetInt(i, 1))}] =
          r.GetDouble(i, 2);
  }
  {
    auto r = reader_.Execute(
        "SELECT item_id, site_id, quantity::float8, expected_delivery_date - DATE '1970-01-01'"
        " FROM core.fact_orders WHERE status IN ('PLACED', 'DELAYED')"
        " AND actual_delivery_date IS NULL AND order_date <= $1::date AND " +
            UsableSqlCond("quantity", decide::kAbsurdQuantity) + SliceFilter("item_id"),
        as_of);
    for (int i = 0; i < r.Rows(); ++i) {
      Pair p{static_cast<int32_t>(r.GetInt(i, 0)), static_cast<int32_t>(r.GetInt(i, 1))};
      decide::OpenOrders& oo = open_orders_[p];
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
  // Before the COPY below starts on the writer: ApplyOverrides writes through it too.
  const std::map<Pair, decide::PolicyOverride> overrides = ApplyOverrides(rep);
  policy_.assign(pairs_.size(), PolicyRow{});
  std::map<std::string, int64_t> methods;
  pg::CopyWriter w(writer_,
                   "COPY analytics.inventory_policy (run_id, item_id, site_id, as_of,"
                   " avg_daily_demand, demand_std, lead_time_days, lead_time_std, service_level,"
                   " safety_stock, reorder_point, order_up_to, current_stock, on_order,"
                   " days_to_rupture, method, order_cycle_days) FROM STDIN (FORMAT binary)");
  const SupplierLead no_lead;
  const std::vector<double> cycles = PolicyCycles();
  for (size_t i = 0; i < pairs_.size(); ++i) {
    const SeriesOutcome& o = outcomes_[i];
    if (!o.done) continue;
    const Pair& p = pairs_[i];
    const ItemInfo& it = items_[p.item];
    PolicyRow& row = policy_[i];
    auto l = lead.find(it.supplier);
    const SupplierLead& ld = l != lead.end() ? l->second : no_lead;
    decide::PolicyInput in;
    in.history = o.recent;
    in.lead_time = ld.mean;
    in.lead_time_std = ld.std;
    in.lead_samples = ld.samples;
    in.service_level = method == decide::PolicyMethod::kEmpirical
                           ? decide::FillRateForClass(it.abc)
                           : decide::ServiceLevelForClass(it.abc);
    in.review_days = cycles[i];
    in.forecast_mean = o.mean;
    in.forecast_sd = o.sd;
    auto ov = overrides.find(p);
    if (ov != overrides.end()) decide::ApplyPolicyInputs(in, ov->second);
    row.levels = decide::ComputeLevels(method, in);
    if (ov != overrides.end()) decide::ApplyPolicyBounds(row.levels, ov->second);
    ++methods[decide::PolicyMethodName(row.levels.method)];
    auto s = stock.find(p);
    row.stock = s != stock.end() ? s->second : 0.0;
    auto oo = open_orders_.find(p);
    row.on_order = oo != open_orders_.end() ? oo->second.quantity : 0.0;
    row.dtr = decide::DaysToRupture(row.stock, o.mean);
    row.expected_short = decide::ExpectedShortOverLead(o.mean, row.levels.std, row.levels.lead,
                                                        row.stock + row.on_order);
    row.valid = true;
    const decide::PolicyLevels& lv = row.levels;
    w.StartRow(17);
    w.Int64(run_id_);
    w.Int32(p.item);
    w.Int32(p.site);
    w.Date(as_of_);
    w.Numeric(lv.mean, 4);
    w.Numeric(lv.std, 4);
    w.Numeric(lv.lead, 2);
    w.Numeric(lv.lead_std, 2);
    w.Numeric(lv.service, 4);
    w.Numeric(lv.ss, 4);
    w.Numeric(lv.rop, 4);
    w.Numeric(lv.out, 4);
    w.Numeric(row.stock, 4);
    w.Numeric(row.on_order, 4);
    if (row.dtr)
      w.Int32(*row.dtr);
    else
      w.Null();
    w.Text(decide::PolicyMethodName(lv.method));
    w.Numeric(cycles[i], 2);
  }
  std::string note;
  for (auto& [m, n] : methods) note += (note.empty() ? "" : ", ") + m + " " + std::to_string(n);
  rep.note = "levels: " + note + "; " + rep.note;
  int64_t rows = w.Finish();
  if (!slice_mode_) UpdateInventoryPolicy();  // workers: at publish
  return rows;
}

void Runner::UpdateInventoryPolicy() {
  writer_.Execute(
      "UPDATE core.fact_inventory_daily f SET safety_stock = p.safety_stock,"
      " reorder_point = p.reorder_point, days_to_rupture = p.days_to_rupture"
      " FROM analytics.inventory_policy p"
      " WHERE p.run_id = $1 AND f.item_id = p.item_id AND f.site_id = p.site_id"
      " AND f.full_date = $2::date",
      run_id_, FormatDate(as_of_));
}

int64_t Runner::StageKpis(StageReport&) {
  const auto outliers = OutlierParams();
  auto r = writer_.Exec(std::string(kKpisDailySql),
                        {pg::ToParam(run_id_), pg::ToParam(computed_at_sql_),
                         pg::ToParam(FormatDate(as_of_)), pg::ToParam(FormatDate(first_day_)),
                         pg::ToParam(static_cast<int64_t>(decide::kAbsurdQuantity)),
                         pg::ToParam(static_cast<int64_t>(decide::kAbsurdUnitValue)),
                         pg::ToParam(outliers[0]), pg::ToParam(outliers[1]),
                         pg::ToParam(outliers[2])});
  // Only this run's KPI rows stay: the statement above already carried earlier values over.
  writer_.Execute("DELETE FROM analytics.kpis_daily WHERE run_id IS DISTINCT FROM $1", run_id_);
  return r.AffectedRows();
}

}  // namespace corrente::pipeline::detail
