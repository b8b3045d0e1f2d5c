// /api/v1/simulations: the stored policy simulations (`corrente simulate` runs and what-if
// jobs), and POST to start a what-if on a bounded sample (ANALYST, ADMIN). See
// src/server/simulation_jobs.h.
#include <boost/json.hpp>

#include "common/dates.h"
#include "decide/levels.h"
#include "server/handlers.h"
#include "server/json_body.h"
#include "server/simulation_jobs.h"

namespace corrente::server {
namespace {

constexpr int kMaxSample = 500;

constexpr const char* kColumns =
    "simulation_id, status, source, params, created_by, started_at, finished_at, error";

Response List(Ctx& ctx) {
  Params p(ctx.req);
  auto status = p.Enum("status", {"RUNNING", "SUCCEEDED", "FAILED"});
  int64_t limit = p.Limit(), offset = p.Offset();
  p.Check();
  return ListPage(ctx,
                  std::string("SELECT ") + kColumns +
                      ", count(*) OVER () AS total_count FROM analytics.simulation_runs"
                      " WHERE ($1::text IS NULL OR status = $1)"
                      " ORDER BY simulation_id DESC LIMIT $2 OFFSET $3",
                  {status}, limit, offset);
}

Response Get(Ctx& ctx) {
  Params p(ctx.req);
  int64_t id = p.PathId("id");
  p.Check();
  auto r = ctx.db.Q(std::string("SELECT ") + kColumns +
                        ", results FROM analytics.simulation_runs WHERE simulation_id = $1",
                    id);
  if (r.Rows() == 0)
    throw ApiError(404, "not_found", "simulation " + std::to_string(id) + " does not exist");
  std::string out;
  AppendRowJson(out, r, 0);
  Response res = Envelope(out);
  // A running job changes under the same URL: never cached.
  res.headers.emplace_back("Cache-Control", "no-store");
  return res;
}

// A number field within [lo, hi], or the default when absent; a bad one is named.
double Number(const boost::json::object& o, const char* name, double dflt, double lo, double hi,
              Params& p) {
  return NumberField(o, name, lo, hi, p).value_or(dflt);
}

constexpr const char* kStartFields[] = {
    "sample",          "seed",           "from",    "to",      "lead_time_scale",
    "review_days",     "refit_every",    "service_level_a", "service_level_b",
    "service_level_c", "backorders",     "policy"};

Response Start(Ctx& ctx, SimulationJobs& jobs) {
  const boost::json::object o = ParseStoredBody(ctx.req, kStartFields);
  Params p(ctx.req);
  WhatIf w;
  w.source.sample = static_cast<int>(Number(o, "sample", 200, 1, kMaxSample, p));
  w.source.seed = static_cast<uint64_t>(Number(o, "seed", 1, 0, 1e15, p));
  for (const char* f : {"from", "to"}) {
    const auto* d = o.if_contains(f);
    if (!d || d->is_null()) continue;
    auto day = d->is_string() ? ParseDate(std::string_view(d->as_string())) : std::nullopt;
    if (!day)
      p.Fail(f, "must be a date YYYY-MM-DD");
    else
      (std::string_view(f) == "from" ? w.source.from : w.source.to) = *day;
  }
  auto& r = w.changed.replay;
  r.seed = w.source.seed;
  r.lead_time_scale = Number(o, "lead_time_scale", 1, 0.1, 5, p);
  r.review_days = Number(o, "review_days", 14, 1, 90, p);
  r.refit_every = static_cast<int>(Number(o, "refit_every", 7, 1, 90, p));
  r.service_scale_a = Number(o, "service_level_a", 0, 0.5, 0.9999, p);
  r.service_scale_b = Number(o, "service_level_b", 0, 0.5, 0.9999, p);
  r.service_scale_c = Number(o, "service_level_c", 0, 0.5, 0.9999, p);
  if (const auto* b = o.if_contains("backorders"); b && !b->is_null()) {
    if (!b->is_bool())
      p.Fail("backorders", "must be true or false");
    else
      r.backorders = b->as_bool();
  }
  w.changed.policies = {decide::PolicyMethod::kNormal};
  if (const auto* pol = o.if_contains("policy"); pol && !pol->is_null()) {
    try {
      if (!pol->is_string()) throw std::invalid_argument("");
      w.changed.policies = {decide::ParsePolicyMethod(std::string(pol->as_string()))};
    } catch (const std::invalid_argument&) {
      p.Fail("policy", "must be one of spec, normal, empirical, forecast");
    }
  }
  p.Check();
  if (jobs.Busy())
    throw ApiError(429, "busy", "a simulation is already running; retry when it has finished");
  int64_t id = 0;
  InTransaction(ctx, [&] {
    auto row = ctx.db.Q(
        "INSERT INTO analytics.simulation_runs (status, source, params, created_by)"
        " VALUES ('RUNNING', 'database', $1::jsonb, $2) RETURNING simulation_id",
        boost::json::serialize(o), ctx.user->username);
    id = row.GetInt(0, 0);
    WriteAudit(ctx.db, ctx.req,
               {ctx.user->username, "SIMULATION_START", std::string("simulation"), id,
                boost::json::serialize(o)});
  });
  if (!jobs.Start(id, std::move(w))) {
    // Another request started one between the check and now.
    ctx.db.Q("DELETE FROM analytics.simulation_runs WHERE simulation_id = $1", id);
    throw ApiError(429, "busy", "a simulation is already running; retry when it has finished");
  }
  Response res = Envelope("{\"simulation_id\":" + std::to_string(id) +
                              ",\"status\":\"RUNNING\",\"poll\":\"/api/v1/simulations/" +
                              std::to_string(id) + "\"}",
                          "{}", 202);
  return res;
}

}  // namespace

void AddSimulationRoutes(std::vector<ApiRoute>& routes, Services& s) {
  routes.push_back({"GET",
                    "/api/v1/simulations",
                    Role::kViewer,
                    false,
                    true,
                    "simulations",
                    "Stored policy simulations, newest first (results in /simulations/{id})",
                    {{"status", "query", "string", {"RUNNING", "SUCCEEDED", "FAILED"}, "status"},
                     LimitDoc(),
                     OffsetDoc(),
                     FormatDoc()},
                    "",
                    List});
  routes.push_back({"GET",
                    "/api/v1/simulations/{id}",
                    Role::kViewer,
                    false,
                    false,
                    "simulations",
                    "One simulation with its results (poll it while RUNNING)",
                    {IdDoc("id")},
                    "",
                    Get});
  routes.push_back(
      {"POST",
       "/api/v1/simulations",
       Role::kAnalyst,
       false,
       false,
       "simulations",
       "Start a what-if on a sample (at most 500 series): 202 with the id to poll; 429 while "
       "another runs",
       {},
       R"({"type":"object","properties":{"sample":{"type":"integer","minimum":1,"maximum":500},)"
       R"("from":{"type":"string","format":"date"},"to":{"type":"string","format":"date"},)"
       R"("policy":{"enum":["spec","normal","empirical","forecast"]},"lead_time_scale":{"type":"number"},)"
       R"("review_days":{"type":"number"},"refit_every":{"type":"integer"},)"
       R"("service_level_a":{"type":"number"},"service_level_b":{"type":"number"},)"
       R"("service_level_c":{"type":"number"},"backorders":{"type":"boolean"},"seed":{"type":"integer"}}})",
       [&s](Ctx& ctx) { return Start(ctx, s.simulations); }});
}

}  // namespace corrente::server
