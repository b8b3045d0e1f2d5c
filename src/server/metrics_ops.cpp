#include "server/metrics_ops.h"

#include <spdlog/spdlog.h>
#include <sys/statvfs.h>

#include <chrono>
#include <cstdio>
#include <functional>

namespace corrente::server {
namespace {

// Slower than this on average, a statement counts as slow (the alert rules use the same).
constexpr double kSlowMs = 100;

class Text {
 public:
  void Metric(const char* name, const char* type, const char* help) {
    out_ += std::string("# HELP ") + name + " " + help + "\n# TYPE " + name + " " + type + "\n";
  }
  void Sample(const std::string& name_and_labels, double v) {
    char buf[64];
    std::snprintf(buf, sizeof buf, " %.9g\n", v);
    out_ += name_and_labels + buf;
  }
  void One(const char* name, const char* type, const char* help, double v) {
    Metric(name, type, help);
    Sample(name, v);
  }
  std::string& Str() { return out_; }

 private:
  std::string out_;
};

// Escapes a label value (backslash, quote, newline).
std::string Label(const std::string& v) {
  std::string out;
  for (char c : v) {
    if (c == '\\' || c == '"') out.push_back('\\');
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out.push_back(c);
  }
  return out;
}

// One read in its own short transaction: a slow catalog never holds the scrape for long.
bool Read(pg::Connection& c, const char* what, const std::string& sql,
          const std::function<void(const pg::Result&)>& use) {
  try {
    c.ExecScript("BEGIN READ ONLY; SET LOCAL statement_timeout = '2s'");
    auto r = c.Execute(sql);
    c.ExecScript("COMMIT");
    use(r);
    return true;
  } catch (const pg::Error& e) {
    spdlog::debug("/metrics: {} left out: {}", what, e.what());
    if (c.IsOk()) c.ExecScript("ROLLBACK");
    return false;
  }
}

void DatabaseMetrics(pg::Connection& c, Text& t) {
  Read(c, "cache hit ratio",
       "SELECT blks_hit, blks_read FROM pg_stat_database WHERE datname = current_database()",
       [&](const pg::Result& r) {
         double hit = r.GetDouble(0, 0), read = r.GetDouble(0, 1);
         if (hit + read <= 0) return;
         t.One("db_cache_hit_ratio", "gauge",
               "Share of block reads served by PostgreSQL's buffer cache (since stats reset).",
               hit / (hit + read));
       });
  Read(c, "pg_stat_statements",
       "SELECT count(*) FILTER (WHERE mean_exec_time > " + std::to_string(kSlowMs) + "),"
       " coalesce(sum(calls) FILTER (WHERE mean_exec_time > " + std::to_string(kSlowMs) + "), 0),"
       " coalesce(max(mean_exec_time), 0) / 1000.0"
       " FROM pg_stat_statements WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())",
       [&](const pg::Result& r) {
         t.One("db_slow_statements", "gauge",
               "Statements (pg_stat_statements) whose mean execution time is over 100 ms.",
               r.GetDouble(0, 0));
         t.One("db_slow_statement_calls", "gauge",
               "Calls of the statements whose mean execution time is over 100 ms.", r.GetDouble(0, 1));
         t.One("db_statement_mean_seconds_max", "gauge",
               "The slowest statement's mean execution time (pg_stat_statements).", r.GetDouble(0, 2));
       });
  Read(c, "pipeline runs",
       "SELECT (SELECT extract(epoch FROM now() - max(finished_at)) FROM analytics.pipeline_runs"
       "         WHERE status = 'SUCCEEDED'),"
       " l.seconds, l.failed"
       " FROM (SELECT 1) one LEFT JOIN LATERAL ("
       "   SELECT extract(epoch FROM finished_at - started_at) AS seconds, status = 'FAILED' AS failed"
       "   FROM analytics.pipeline_runs WHERE finished_at IS NOT NULL"
       "   ORDER BY finished_at DESC LIMIT 1) l ON true",
       [&](const pg::Result& r) {
         if (!r.IsNull(0, 0))
           t.One("pipeline_last_success_age_seconds", "gauge",
                 "Seconds since the last successful pipeline run finished.", r.GetDouble(0, 0));
         if (!r.IsNull(0, 1)) {
           t.One("pipeline_last_run_duration_seconds", "gauge",
                 "Duration of the last finished pipeline run.", r.GetDouble(0, 1));
           t.One("pipeline_last_run_failed", "gauge", "1 when the last finished pipeline run failed.",
                 r.GetBool(0, 2) ? 1 : 0);
         }
       });
  // Sync lag: how long ago each synced schema's last pass finished (continuous sync runs a
  // pass a minute). Left out when no sync has run, or the log is not readable.
  Read(c, "sync lag",
       "SELECT target_schema, extract(epoch FROM now() - max(finished_at))"
       " FROM staging.migration_sync_log WHERE finished_at IS NOT NULL GROUP BY 1 ORDER BY 1",
       [&](const pg::Result& r) {
         if (r.Rows() == 0) return;
         t.Metric("sync_lag_seconds", "gauge",
                  "Seconds since the last finished sync pass, by target schema.");
         for (int i = 0; i < r.Rows(); ++i)
           t.Sample("sync_lag_seconds{target_schema=\"" + Label(r.GetString(i, 0)) + "\"}",
                    r.GetDouble(i, 1));
       });
}

}  // namespace

std::string OpsMetrics(const OpsSources& s) {
  Text t;
  auto waits = s.pool->Waits();
  t.One("db_pool_connections_in_use", "gauge", "Pooled database connections lent out.",
        static_cast<double>(s.pool->Open()) - static_cast<double>(s.pool->Idle()));
  t.One("db_pool_acquires_total", "counter", "Connections taken from the pool.",
        static_cast<double>(waits.acquired));
  t.One("db_pool_waits_total", "counter", "Acquisitions that waited for a busy pool.",
        static_cast<double>(waits.waited));
  t.One("db_pool_wait_seconds_total", "counter", "Time spent waiting for a pooled connection.",
        waits.wait_seconds);
  t.One("db_pool_timeouts_total", "counter", "Acquisitions that gave up (all connections busy).",
        static_cast<double>(waits.timeouts));
  if (s.cache_hits + s.cache_misses > 0)
    t.One("cache_hit_ratio", "gauge", "Share of cacheable API requests answered from the cache.",
          static_cast<double>(s.cache_hits) / static_cast<double>(s.cache_hits + s.cache_misses));
  bool up = false;
  try {
    auto lease = s.pool->Acquire(std::chrono::milliseconds(500));
    up = Read(*lease, "database", "SELECT 1", [](const pg::Result&) {});
    if (up) DatabaseMetrics(*lease, t);
  } catch (const pg::Error& e) {
    spdlog::debug("/metrics: database not reachable: {}", e.what());
  }
  t.One("db_up", "gauge", "1 when the database answered this scrape.", up ? 1 : 0);
  if (s.replica) {
    t.One("db_replica_up", "gauge", "1 when the read replica answers.", s.replica->Up() ? 1 : 0);
    if (auto lag = s.replica->LagSeconds())
      t.One("db_replica_lag_seconds", "gauge", "How far the read replica's replay is behind the primary.", *lag);
    t.One("db_replica_max_lag_seconds", "gauge", "Past this lag reads go to the primary.", s.replica->MaxLag());
    t.One("db_replica_serving", "gauge",
          "1 when reads go to the replica now: up, within the lag bound, and past the last cache drop.",
          s.replica->Usable(0, s.cache_invalidated_at) ? 1 : 0);
    t.Metric("db_reads_total", "counter", "API reads by the server that answered them.");
    t.Sample("db_reads_total{target=\"replica\"}", static_cast<double>(s.replica->ReplicaReads()));
    t.Sample("db_reads_total{target=\"primary\"}", static_cast<double>(s.replica->PrimaryReads()));
  }
  struct statvfs fs {};
  if (!s.disk_path.empty() && ::statvfs(s.disk_path.c_str(), &fs) == 0) {
    std::string label = "{path=\"" + Label(s.disk_path) + "\"}";
    t.Metric("disk_free_bytes", "gauge", "Free bytes (for unprivileged users) on CORRENTE_HOME's file system.");
    t.Sample("disk_free_bytes" + label, static_cast<double>(fs.f_bavail) * fs.f_frsize);
    t.Metric("disk_size_bytes", "gauge", "Size of CORRENTE_HOME's file system.");
    t.Sample("disk_size_bytes" + label, static_cast<double>(fs.f_blocks) * fs.f_frsize);
  }
  return std::move(t.Str());
}

}  // namespace corrente::server
