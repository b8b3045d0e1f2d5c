// Planners' approved overrides (Mirror + Delta) for the policy stage: the forecast paths the
// rules see take the FORECAST overrides, the levels the POLICY ones (decide/overrides.h). The
// forecasts this run publishes stay statistical: they are the mirror.
#include "decide/overrides.h"
#include "pipeline/runner.h"

namespace corrente::pipeline::detail {

std::map<Pair, decide::PolicyOverride> Runner::ApplyOverrides(StageReport& rep) {
  const std::string as_of = FormatDate(as_of_);
  // Workers only read (the query below skips those anyway): the coordinator expires at publish.
  const int64_t expired = slice_mode_ ? 0 : ExpireOverrides();
  std::map<Pair, size_t> index;
  for (size_t i = 0; i < pairs_.size(); ++i) index[pairs_[i]] = i;
  auto r = writer_.Execute(
      "SELECT item_id, site_id, kind, valid_from - DATE '1970-01-01', valid_to - DATE '1970-01-01',"
      " mode, value::float8, service_level::float8, min_stock::float8, max_stock::float8,"
      " lead_time_days::float8 FROM analytics.overrides WHERE state = 'APPROVED'"
      " AND kind IN ('FORECAST', 'POLICY') AND valid_to > $1::date" + SliceFilter("item_id") +
          " ORDER BY decided_at, override_id",
      as_of);
  std::map<Pair, decide::PolicyOverride> policy;
  int64_t forecast_days = 0, orphaned = 0;
  auto opt = [&](int row, int col) {
    return r.IsNull(row, col) ? std::nullopt : std::optional<double>(r.GetDouble(row, col));
  };
  for (int i = 0; i < r.Rows(); ++i) {
    const Pair p{static_cast<int32_t>(r.GetInt(i, 0)), static_cast<int32_t>(r.GetInt(i, 1))};
    auto it = index.find(p);
    if (it == index.end() || !outcomes_[it->second].done) {
      ++orphaned;  // its item or site is gone or inactive: reported, kept
      continue;
    }
    const int64_t from = r.GetInt(i, 3), to = r.GetInt(i, 4);
    if (r.GetString(i, 2) == "FORECAST") {
      SeriesOutcome& o = outcomes_[it->second];
      forecast_days += decide::ApplyForecastOverride(
          o.mean, o.sd, as_of_ + 1,
          {from, to, r.GetString(i, 5) == "ABSOLUTE", r.GetDouble(i, 6)});
    } else if (from <= as_of_ + 1) {
      policy[p] = {opt(i, 7), opt(i, 8), opt(i, 9), opt(i, 10)};
    }
  }
  rep.note += (rep.note.empty() ? "" : "; ") + std::string("overrides: ") +
              std::to_string(forecast_days) + " forecast days, " + std::to_string(policy.size()) +
              " policies, " + std::to_string(expired) + " expired";
  if (orphaned > 0) {
    rep.note += ", " + std::to_string(orphaned) + " for series not in this run (kept)";
    spdlog::warn("pipeline: {} approved override(s) refer to items or sites not in this run; "
                 "they are kept and reported (GET /api/v1/overrides?state=APPROVED)",
                 orphaned);
  }
  extra_stats_.emplace_back("overrides", "{\"forecast_days\":" + std::to_string(forecast_days) +
                                             ",\"policies\":" + std::to_string(policy.size()) +
                                             ",\"expired\":" + std::to_string(expired) +
                                             ",\"orphaned\":" + std::to_string(orphaned) + "}");
  return policy;
}

int64_t Runner::ExpireOverrides() {
  // Approved overrides whose period ended before the day after as_of are done with.
  return writer_
      .Execute(
          "UPDATE analytics.overrides SET state = 'EXPIRED', version = version + 1,"
          " updated_at = now() WHERE state = 'APPROVED' AND valid_to <= $1::date",
          FormatDate(as_of_))
      .AffectedRows();
}

}  // namespace corrente::pipeline::detail
