#pragma once
// Monthly partition upkeep for the partitioned fact tables.
#include <cstdint>
#include <functional>
#include <string>

#include "pg/pg.h"

namespace corrente::schema {

// The partitioned tables whose partitions are kept by EnsureFactPartitions.
inline constexpr const char* kPartitionedFacts[] = {"core.fact_demand_daily", "core.fact_inventory_daily",
                                                   "core.fact_orders"};

// One row, true when the demand rollup core.demand_item_daily (V064) is kept by its triggers;
// false where they were dropped (a distributed database) or never made.
inline constexpr const char* kDemandRollupKeptSql =
    "SELECT EXISTS (SELECT 1 FROM pg_trigger WHERE tgname = 'demand_rollup_ins'"
    " AND tgrelid = to_regclass('core.fact_demand_daily'))";

// Whether the rollup is kept, for a long-running process (the server): `ask` runs
// kDemandRollupKeptSql once, and again after ForgetDemandRollup (the rollup went away under the
// process, e.g. `db downgrade` below V064). One answer for every caller of the process.
bool DemandRollupKept(const std::function<bool()>& ask);
void ForgetDemandRollup();

// Where the rollup is kept: the latest demand date, as a scalar subquery reading one entry of
// the rollup's date index (V069). The fact's max(full_date) is planned over every monthly
// partition (milliseconds with three years).
inline constexpr const char* kLatestDemandDateFromRollupSql =
    "(SELECT full_date FROM core.demand_item_daily WHERE n > 0 ORDER BY full_date DESC LIMIT 1)";

// Creates the monthly partitions of `table` covering the days [from, to] (days since 1970).
// Returns how many were created.
int EnsurePartitions(pg::Connection& conn, const std::string& table, int64_t from, int64_t to);
// The same for every partitioned fact table.
int EnsureFactPartitions(pg::Connection& conn, int64_t from, int64_t to);

}  // namespace corrente::schema
