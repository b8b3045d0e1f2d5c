#pragma once
// Target-side helpers of the migration engine: connections with the canonical session
// settings, quoting, the text COPY of a table's columns, catalog checks, the keys PostgreSQL
// refused at load, identities, and a small parallel-for. Internal to src/migrate.
#include <functional>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "migrate/plan.h"
#include "pg/pg.h"
#include "pg/pool.h"

namespace corrente::migrate {

// A connection to `dsn` under kSessionSetup (canonical text output).
pg::Connection OpenTarget(const std::string& dsn);
// Connections like OpenTarget's, reused by one command's short tasks, which run a few at a
// time (index builds, keys and ANALYZE, verify's reads): a new backend costs the server
// about 6 ms of CPU and the client about 3 ms (SCRAM), and copy --verify opened 40 of them.
// It never waits: the tasks' threads bound how many are open. A task may leave
// maintenance_work_mem set, nothing else.
std::unique_ptr<pg::Pool> TargetPool(const std::string& dsn);
std::string Qualified(const std::string& schema, const std::string& table);
std::string ColumnList(const std::vector<std::string>& cols);
std::string ColumnList(const TablePlan& t, const std::string& prefix = "");
// The columns the copy and sync write: all but the generated ones PostgreSQL computes.
std::string WrittenColumnList(const TablePlan& t);
bool ExistsConstraint(pg::Connection& c, const std::string& schema, const std::string& name);
bool ExistsRelation(pg::Connection& c, const std::string& schema, const std::string& name);
// The unique index on md5 of each key column that copy builds for a primary key whose values
// are too large for a btree entry, and the ON CONFLICT target sync then uses (its
// expressions, else the key's columns).
std::string OversizeKeyIndexName(const TablePlan& t);
std::string ConflictTarget(pg::Connection& c, const std::string& schema, const TablePlan& t);

// Runs `fn` in parallel over `n` items with `jobs` threads; rethrows the first exception.
void ParallelFor(int n, int jobs, const std::function<void(int)>& fn);

// "COPY (SELECT cols FROM schema.table [WHERE where] [ORDER BY ...]) TO STDOUT", text keys
// ordered COLLATE "C" (byte order, as the sources scan them).
std::string TargetSelect(const TablePlan& t, const std::string& schema, const std::string& where,
                         const std::vector<std::string>& order_by,
                         const std::vector<std::string>* columns = nullptr);

// The reason prefix of rows PostgreSQL itself refused (verify skips their keys).
constexpr const char* kRefused = "refused by PostgreSQL";

// Keys of the rows of `table` that PostgreSQL refused at load (verify, diff and sync skip
// them as they skip rows the conversion refuses).
std::set<std::string> RefusedKeys(pg::Connection& conn, const std::string& schema,
                                  const std::string& table);
// Keys of the rows of `table` in staging.migration_rejects that the conversion refused (at
// copy, or found later by diff and sync): every reject but PostgreSQL's refusals.
std::set<std::string> ConversionRejectKeys(pg::Connection& conn, const std::string& schema,
                                           const std::string& table);

// A source row the conversion refuses, as staging.migration_rejects records it.
struct RejectRow {
  std::string key, column, reason;
};
// Records `rows` of `table` in staging.migration_rejects (diff and sync: rows the recorded
// types cannot hold), so verify's reject accounting covers them.
void InsertRejects(pg::Connection& conn, const std::string& schema, const std::string& table,
                   const std::vector<RejectRow>& rows);

// Sets each identity of table `q` past its maximum and the source's next automatic key
// (SourceTable::next_auto_key): the next value is max + 1, or 1 when the
// table is empty or holds only keys below 1 (at INT64_MAX, the next insert fails, as it must).
void SetIdentities(pg::Connection& conn, const std::string& q, const TablePlan& t);

}  // namespace corrente::migrate
