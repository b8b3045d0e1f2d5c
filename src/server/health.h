#pragma once
#include <functional>

#include "pg/pool.h"
#include "server/router.h"

namespace corrente::server {

// GET /health: database round-trip, timestamp and data freshness.
// 200 {"status":"healthy","database":"connected",...}; 503 "degraded" with Retry-After
// when the database cannot be reached. The versions (corrente's "version" and
// "postgres_version") are given only when `authenticated(req)` says the request carries a
// valid token: anyone may probe /health, and exact versions would tell them which
// vulnerabilities to try.
// `schedule`, when set, gives the pipeline schedule's status (scheduler.h) as "pipeline_schedule".
Handler MakeHealthHandler(pg::Pool& pool, std::function<bool(const Request&)> authenticated,
                          std::function<std::string()> schedule = {});

}  // namespace corrente::server
