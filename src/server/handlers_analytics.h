#pragma once
// What handlers_analytics.cpp shares with handlers_forecasts.cpp: the date range rule of the
// series and lists, their whole-result reply, and the forecasts' routes.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "server/handlers.h"

namespace corrente::server {

// The longest window a series or list may ask for, in days.
inline constexpr int64_t kMaxSeriesDays = 3660;

// start_date <= end_date and at most kMaxSeriesDays apart, when both are given.
void CheckRange(Params& p, const std::optional<std::string>& start,
                const std::optional<std::string>& end);

// All of `rows`: CSV, or JSON with metadata {"total_count": rows, `metadata`}.
Response SeriesReply(const Ctx& ctx, const pg::Result& rows, const std::string& metadata);

// The number, or null.
std::string OptJson(const std::optional<int64_t>& v);

// A date query parameter.
ParamDoc DateDoc(const std::string& name, const std::string& d);

// GET /forecasts and /forecasts/total (handlers_forecasts.cpp). AddAnalyticsRoutes adds them
// before /features, where they have always been in the table.
void AddForecastRoutes(std::vector<ApiRoute>& routes, Services& s);

}  // namespace corrente::server
