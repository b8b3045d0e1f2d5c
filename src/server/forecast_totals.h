#pragma once
// GET /api/v1/forecasts/total from the totals the publish wrote (analytics.forecast_totals,
// V073): the run's sums per day over all sites or one site, with the approved FORECAST
// overrides applied as adjustments (only the overridden series' rows are read).
#include <cstdint>
#include <optional>
#include <string>

#include "server/api.h"

namespace corrente::server {

// The rows of /forecasts/total (full_date, yhat, yhat_lower, yhat_upper, series, overridden)
// for run `run_id`, the same values the row-by-row statement gives, with sums written as
// round(x, 4) (no numeric(18,4) overflow). nullopt when the run has no totals (published
// before V073 or by an older binary) or the schema is below V073: the caller runs the
// row-by-row statement. Thread-safe as `db` is (one per request).
std::optional<pg::Result> PublishedForecastTotals(Db& db, const std::optional<int64_t>& site,
                                                  const std::optional<int64_t>& horizon,
                                                  const std::string& run_id);

// How many answers PublishedForecastTotals gave (for /metrics).
uint64_t ForecastTotalsPublished();

}  // namespace corrente::server
