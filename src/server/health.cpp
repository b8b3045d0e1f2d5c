#include "server/health.h"

#include <spdlog/spdlog.h>

#include <boost/json.hpp>
#include <chrono>
#include <ctime>

#include "common/dates.h"
#include "schema/partitions.h"

namespace corrente::server {

namespace {

// The latest demand date: from the rollup where it is kept, else from the fact (a distributed
// database, or a schema below V064). /health is probed often, also under floods.
constexpr const char* kLatestDemandDateFromFactSql =
    "(SELECT max(full_date)::text FROM core.fact_demand_daily)";

std::string LatestDemandDateSql(pg::Connection& c) {
  return schema::DemandRollupKept(
             [&c] { return c.ExecScript(schema::kDemandRollupKeptSql).GetBool(0, 0); })
             ? std::string(schema::kLatestDemandDateFromRollupSql) + "::text"
             : kLatestDemandDateFromFactSql;
}

}  // namespace

Handler MakeHealthHandler(pg::Pool& pool, std::function<bool(const Request&)> authenticated,
                          std::function<std::string()> schedule) {
  return [&pool, authenticated, schedule](const Request& req) {
    bool versions = authenticated(req);
    boost::json::object body{{"timestamp", FormatUtc(std::time(nullptr))}};
    if (schedule) body["pipeline_schedule"] = boost::json::parse(schedule());
    if (versions) body["version"] = CORRENTE_VERSION;
    try {
      auto conn = pool.Acquire(std::chrono::milliseconds(1000));
      auto probe = [&](const std::string& latest_demand_date) {
        return conn->ExecScript("SELECT current_setting('server_version'), " + latest_demand_date +
                                ","
                                " (SELECT to_char(max(finished_at) AT TIME ZONE 'UTC', "
                                "'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"
                                "    FROM analytics.pipeline_runs WHERE status = 'SUCCEEDED'),"
                                " (SELECT status || ' ' || to_char(started_at AT TIME ZONE 'UTC',"
                                "   'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') FROM analytics.pipeline_runs"
                                "  ORDER BY run_id DESC LIMIT 1)");
      };
      const std::string latest = LatestDemandDateSql(*conn);
      pg::Result r;
      try {
        r = probe(latest);
      } catch (const pg::Error& e) {
        // The rollup dropped under a running server: the fact answers, and the next probe asks.
        if (e.SqlState() != "42P01" || latest == kLatestDemandDateFromFactSql) throw;
        schema::ForgetDemandRollup();
        r = probe(kLatestDemandDateFromFactSql);
      }
      body["status"] = "healthy";
      body["database"] = "connected";
      if (versions) body["postgres_version"] = r.GetString(0, 0);
      body["data_freshness"] = {
          {"latest_demand_date",
           r.IsNull(0, 1) ? boost::json::value() : boost::json::value(r.GetString(0, 1))},
          {"latest_pipeline_run",
           r.IsNull(0, 2) ? boost::json::value() : boost::json::value(r.GetString(0, 2))}};
      // The last run of any outcome ("SUCCEEDED|FAILED|RUNNING <started>").
      body["last_pipeline_run"] =
          r.IsNull(0, 3) ? boost::json::value() : boost::json::value(r.GetString(0, 3));
      return Response{
          200, "application/json", boost::json::serialize(body), {{"Cache-Control", "no-store"}}};
    } catch (const pg::Error& e) {
      spdlog::warn("health: database unavailable: {}", e.what());
      body["status"] = "degraded";
      body["database"] = e.Kind() == pg::ErrorKind::kConnection ? "disconnected" : "error";
      return Response{503,
                      "application/json",
                      boost::json::serialize(body),
                      {{"Retry-After", "5"}, {"Cache-Control", "no-store"}}};
    }
  };
}

}  // namespace corrente::server
