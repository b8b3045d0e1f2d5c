// The published totals of /forecasts/total, adjusted by the approved overrides (see the header).
#include "server/forecast_totals.h"

#include <atomic>

#include "server/effective_forecast.h"

namespace corrente::server {
namespace {

std::atomic<uint64_t> g_published{0};

// An overridden row's column `col` (ov always found here), as Effective() computes it but
// rounded instead of cast to numeric(18,4), so that an absurd override cannot overflow.
std::string Overridden(const std::string& col) {
  return "round(CASE ov.mode WHEN 'ABSOLUTE' THEN greatest(0, f." + col +
         " + ov.value - f.yhat) WHEN 'PERCENT' THEN f." + col + " * (1 + ov.value / 100) ELSE f." +
         col + " END, 4)";
}

// A day's sum of `col`: the published sum (t), less the overridden rows as published (a.p_),
// plus them as overridden (a.e_). Null when no non-null value is left (n_: the counts of
// non-null values), as sum() would be: an override can turn a value null (PERCENT of a null
// value) or a null bound into 0 (ABSOLUTE).
std::string Adjusted(const std::string& col) {
  return "CASE WHEN t.n_" + col + " - coalesce(a.pn_" + col + ", 0) + coalesce(a.en_" + col +
         ", 0) > 0 THEN round(coalesce(t." + col + ", 0) - coalesce(a.p_" + col +
         ", 0) + coalesce(a.e_" + col + ", 0), 4) END AS " + col;
}

// The published and the overridden sums and counts of `col` over a's rows.
std::string Sums(const std::string& col) {
  return "sum(f." + col + ") AS p_" + col + ", count(f." + col + ") AS pn_" + col + ", sum(" +
         Overridden(col) + ") AS e_" + col + ", count(" + Overridden(col) + ") AS en_" + col;
}

// $1 site_id (null: every site), $2 horizon (null: all), $3 run. t: the published sums per day;
// a: per day, the rows of the series with an approved override whose validity covers the day,
// as published and as overridden. The series come from the overrides (a handful), each read
// through the run's (run_id, item_id, site_id) index.
std::string TotalsSql() {
  return "WITH t AS (SELECT full_date, sum(series)::bigint AS series, sum(yhat) AS yhat,"
         " sum(series) AS n_yhat, sum(yhat_lower) AS yhat_lower, sum(n_lower) AS n_yhat_lower,"
         " sum(yhat_upper) AS yhat_upper, sum(n_upper) AS n_yhat_upper"
         " FROM analytics.forecast_totals WHERE run_id = $3::bigint"
         " AND site_id = coalesce($1::int, 0) AND ($2::int IS NULL OR horizon_days <= $2)"
         " GROUP BY full_date),"
         " a AS (SELECT f.full_date, count(*) AS n, " +
         Sums("yhat") + ", " + Sums("yhat_lower") + ", " + Sums("yhat_upper") +
         " FROM (SELECT DISTINCT g.item_id, g.site_id FROM analytics.overrides g"
         " WHERE g.kind = 'FORECAST' AND g.state = 'APPROVED'"
         " AND ($1::int IS NULL OR g.site_id = $1)) s"
         " JOIN analytics.forecasts f ON f.run_id = $3::bigint AND f.item_id = s.item_id"
         " AND f.site_id = s.site_id" +
         OverrideJoin() +
         " WHERE ov.override_id IS NOT NULL AND ($2::int IS NULL OR f.horizon_days <= $2)"
         " GROUP BY f.full_date)"
         " SELECT t.full_date, " +
         Adjusted("yhat") + ", " + Adjusted("yhat_lower") + ", " + Adjusted("yhat_upper") +
         ", t.series, coalesce(a.n, 0) AS overridden"
         " FROM t LEFT JOIN a ON a.full_date = t.full_date ORDER BY t.full_date";
}

}  // namespace

std::optional<pg::Result> PublishedForecastTotals(Db& db, const std::optional<int64_t>& site,
                                                  const std::optional<int64_t>& horizon,
                                                  const std::string& run_id) {
  try {
    static const std::string sql = TotalsSql();
    pg::Result rows = db.Q(sql, site, horizon, run_id);
    // No day: the filters match nothing, or the run has no totals at all.
    if (rows.Rows() == 0 &&
        !db.Q("SELECT EXISTS (SELECT 1 FROM analytics.forecast_totals WHERE run_id = $1::bigint)",
              run_id)
             .GetBool(0, 0))
      return std::nullopt;
    g_published.fetch_add(1, std::memory_order_relaxed);
    return rows;
  } catch (const pg::Error& e) {
    // A schema downgraded below V073 under a running server: the row-by-row statement answers.
    if (e.SqlState() == "42P01") return std::nullopt;
    throw;
  }
}

uint64_t ForecastTotalsPublished() { return g_published.load(std::memory_order_relaxed); }

}  // namespace corrente::server
