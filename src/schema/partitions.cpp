#include "schema/partitions.h"

#include <atomic>

#include "common/dates.h"

namespace corrente::schema {

namespace {
std::atomic<int> g_rollup_kept{-1};  // -1: not asked yet
}  // namespace

bool DemandRollupKept(const std::function<bool()>& ask) {
  if (g_rollup_kept.load() < 0) g_rollup_kept = ask() ? 1 : 0;
  return g_rollup_kept.load() == 1;
}

void ForgetDemandRollup() { g_rollup_kept = -1; }

int EnsurePartitions(pg::Connection& conn, const std::string& table, int64_t from, int64_t to) {
  auto r = conn.Execute("SELECT core.ensure_partitions($1::regclass, $2::date, $3::date)", table,
                        FormatDate(from), FormatDate(to));
  return static_cast<int>(r.GetInt(0, 0));
}

int EnsureFactPartitions(pg::Connection& conn, int64_t from, int64_t to) {
  int n = 0;
  for (const char* t : kPartitionedFacts) n += EnsurePartitions(conn, t, from, to);
  return n;
}

}  // namespace corrente::schema
