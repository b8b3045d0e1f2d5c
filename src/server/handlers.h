#pragma once
// The /api/v1 route table: each resource file contributes its routes (method, pattern,
// minimum role, cacheability, documentation for OpenAPI, and the handler). app.cpp wraps
// every route with authentication, RBAC, caching, CSV and error mapping.
#include <atomic>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "pg/pool.h"
#include "server/api.h"
#include "server/auth.h"
#include "server/cache.h"
#include "server/hashing_pool.h"
#include "server/login_rate.h"
#include "server/metrics.h"
#include "server/throttled_logins.h"

namespace corrente::server {

class SimulationJobs;
class EventHub;
class InFlightLimit;

// Long-lived state the handlers share. Owned by Serve(); outlives the server.
struct Services {
  pg::Pool& pool;
  Jwt& jwt;
  RevokedTokens& revoked;
  UserStates& users;
  LoginThrottle& account_throttle;
  LoginThrottle& address_throttle;
  LoginRate& address_rate;  // every login attempt, per client address and per account
  LoginRate& account_rate;
  HashingPool& hashing;  // every argon2id hash and verification runs here
  ThrottledLogins& throttled;  // refused logins of a throttled account, summarised for the audit
  ResponseCache& cache;
  Metrics& metrics;
  SimulationJobs& simulations;  // what-if jobs, one at a time
  std::string version;
  EventHub* events = nullptr;  // live events for /events; set by Serve()
  InFlightLimit* in_flight = nullptr;  // each client's requests in flight; set by Serve()
};

struct ParamDoc {
  std::string name;
  std::string in = "query";         // query | path
  std::string type = "string";      // string | integer | boolean | date
  std::vector<std::string> values;  // enum values
  std::string description;
  bool required = false;
};

using ApiFn = std::function<Response(Ctx&)>;

struct ApiRoute {
  std::string method;
  std::string pattern;
  std::optional<Role> min_role;  // nullopt: open (no token needed)
  bool cacheable = false;        // GET responses that depend only on data, query and role
  bool list = false;             // supports CSV
  std::string tag;
  std::string summary;
  std::vector<ParamDoc> params;
  std::string body_schema;  // JSON schema of the request body, when it takes one
  ApiFn fn;
  std::string produces = {};  // the 200 body's type when not the JSON envelope (no ETag, no 304)
  std::string response = {};  // the envelope's data: a schema name, "Name[]" (server/schemas.h)
  int status = 200;           // the success status (201 created, 202 accepted)
};

// The largest id a path or query may name (ids are int4).
inline constexpr int64_t kMaxId = 2147483647;

// The latest published pipeline run (a scalar subquery without its parentheses).
inline constexpr const char* kLatestRun =
    "SELECT run_id FROM analytics.pipeline_runs WHERE status = 'SUCCEEDED'"
    " ORDER BY finished_at DESC NULLS LAST, run_id DESC LIMIT 1";

// One function per resource file.
void AddAuthRoutes(std::vector<ApiRoute>& routes, Services& s);
// 429 for a login past a login rate, with Retry-After: `seconds`.
ApiError LoginRateLimited(int64_t seconds);
// Writes the summaries of throttled logins whose window ended (all of them with `all`) to
// support.audit_logs, one row per account; returns how many rows. Serve() calls it each second.
size_t WriteThrottledSummaries(pg::Pool& pool, ThrottledLogins& throttled, bool all);
void AddItemRoutes(std::vector<ApiRoute>& routes, Services& s);
void AddProjectionRoutes(std::vector<ApiRoute>& routes, Services& s);
void AddLookupRoutes(std::vector<ApiRoute>& routes, Services& s);
void AddAnalyticsRoutes(std::vector<ApiRoute>& routes, Services& s);
// GET /forecasts answers served from a published page (analytics.forecast_pages).
uint64_t ForecastPagesServed();
// Items list pages written from core.dim_item.api_json (V067), for /metrics.
uint64_t ItemPagesRendered();
// Items list pages whose total was a count kept for the filter (count_cache.h), for /metrics.
uint64_t ItemCountsReused();
// KPI pages written from analytics.mv_kpis_latest.api_json (V070), for /metrics.
uint64_t KpiPagesRendered();
// Default KPI pages read whole from the view's window_json (V079; counted in both), for /metrics.
uint64_t KpiWindowsServed();
void AddRecommendationRoutes(std::vector<ApiRoute>& routes, Services& s);
void AddAlertRoutes(std::vector<ApiRoute>& routes, Services& s);
void AddAdminRoutes(std::vector<ApiRoute>& routes, Services& s);
void AddSimulationRoutes(std::vector<ApiRoute>& routes, Services& s);
void AddOverrideRoutes(std::vector<ApiRoute>& routes, Services& s);
void AddEventRoutes(std::vector<ApiRoute>& routes, Services& s);

// The OpenAPI 3.1 document for the table (including the open routes listed in `extra`).
std::string OpenApiJson(const std::vector<ApiRoute>& routes, const std::string& version);
// The docs page: plain HTML + JS that fetches /api/v1/openapi.json and lists operations.
std::string DocsHtml();

// Common parameter docs.
ParamDoc LimitDoc();
ParamDoc OffsetDoc();
ParamDoc FormatDoc();
ParamDoc IdDoc(const std::string& name);

// Runs `fn` inside one transaction on ctx.db; commits when it returns.
void InTransaction(Ctx& ctx, const std::function<void()>& fn);

}  // namespace corrente::server
