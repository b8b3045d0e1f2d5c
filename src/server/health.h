#pragma once
#include "pg/pool.h"
#include "server/router.h"

namespace corrente::server {

// GET /health: database round-trip, version, timestamp and data freshness.
// 200 {"status":"healthy","database":"connected",...}; 503 "degraded" with Retry-After
// when the database cannot be reached.
Handler MakeHealthHandler(pg::Pool& pool);

}  // namespace corrente::server
