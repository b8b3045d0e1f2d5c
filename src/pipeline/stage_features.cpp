#include <fstream>
#include <sstream>

#include "common/json.h"
#include "common/progress.h"
#include "pg/copy.h"
#include "decide/policy.h"
#include "forecast/forecast.h"
#include "pipeline/runner.h"
#include "schema/distributed.h"

namespace corrente::pipeline::detail {

int64_t Runner::StageFeatures(StageReport& rep) {
  auto t0 = Clock::now();
  const int64_t first_feature_day = as_of_ - opt_.feature_days + 1;
  const int64_t from = first_feature_day - kTrailingWindow;  // lags and trailing windows
  std::map<int64_t, std::string> holidays;
  for (int y = CivilFromDays(from).year; y <= CivilFromDays(as_of_).year + 2; ++y)
    for (auto& h : BrazilHolidays(y)) holidays.emplace(h.day, h.name);

  // Workers stage theirs (V062); the coordinator moves them in at publish (coordinator.cpp).
  if (!slice_mode_) CreateShadowFeatures();
  pg::CopyWriter w(writer_, std::string("COPY analytics.") +
                                (slice_mode_          ? "pipeline_features"
                                 : features_shadowed_ ? "features_store_next"
                                                      : "features_store") +
                                " (run_id, full_date, item_id, site_id, features, schema_version,"
                                " computed_at) FROM STDIN (FORMAT binary)");
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
  if (features_shadowed_) IndexShadowFeatures();
  rep.note = "compute+copy " + Fixed(std::chrono::duration<double>(t1 - t0).count(), 2) +
             " s, indexes " + Fixed(std::chrono::duration<double>(Clock::now() - t1).count(), 2) +
             " s";
  return rows;
}

void Runner::CreateShadowFeatures() {
  // On Citus the swap's DDL is refused (a distributed table's sequence cannot change owner):
  // the live table is emptied and refilled in the run's transaction, so readers still see the
  // previous run's rows until COMMIT, then this run's.
  if (schema::IsDistributedTable(writer_, "analytics.features_store")) {
    writer_.ExecScript("DELETE FROM analytics.features_store");
    return;
  }
  // The shadow is made as the live table's owner (corrente_pipeline since V053) when this
  // session is another role that may act as it, so the id sequence and the API's read
  // privilege (default privileges) carry over to it.
  auto owner = writer_.ExecScript(
      "SELECT r.rolname FROM pg_class c JOIN pg_roles r ON r.oid = c.relowner"
      " WHERE c.oid = 'analytics.features_store'::regclass AND r.rolname <> current_user"
      " AND pg_has_role(c.relowner, 'MEMBER')");
  if (owner.Rows() == 1)
    writer_.ExecScript("SET LOCAL ROLE " + writer_.QuoteIdentifier(owner.GetString(0, 0)));
  // Only this transaction sees the shadow table; the run lock keeps other runs out.
  writer_.ExecScript(
      "CREATE TABLE analytics.features_store_next (LIKE analytics.features_store"
      " INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING STORAGE INCLUDING COMPRESSION)");
  if (owner.Rows() == 1) writer_.ExecScript("RESET ROLE");
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

}  // namespace corrente::pipeline::detail
