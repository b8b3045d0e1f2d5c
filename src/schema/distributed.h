#pragma once
// The distributed layer for Citus: applied on top of the one set of migrations, idempotent.
// Facts and item-keyed analytics are hash-distributed by item_id and co-located; dimensions,
// users, runs and other small tables become reference tables (a copy on every node).
#include <string>
#include <vector>

#include "pg/pg.h"

namespace corrente::schema {

// How one table is placed on a Citus cluster.
struct Placement {
  std::string table;
  bool distributed;  // by item_id, co-located with the first distributed table; else reference
};
// In the order they are converted: a referenced table comes before the tables referencing it.
const std::vector<Placement>& DistributedPlan();

// True when the connected database has the citus extension.
bool HasCitus(pg::Connection& conn);
// True when some table of DistributedPlan() is already in Citus's metadata.
bool IsDistributed(pg::Connection& conn);

// True when `table` is hash-distributed by Citus (false on a server without Citus).
bool IsDistributedTable(pg::Connection& conn, const std::string& table);

// Converts every table of DistributedPlan() that is not yet placed, under the migrations'
// advisory lock. A primary key or unique constraint without item_id is rebuilt with item_id
// appended (its surrogate id stays unique through its sequence); each such change is returned
// as one line of the report, as is every table placed. Throws when citus is not installed.
// The connection must be a superuser's (or the tables' owner's) outside a transaction.
std::vector<std::string> Distribute(pg::Connection& conn);

// The same for any plan (`migrate copy --distribute-by`): the distributed tables by `column`,
// co-located with the plan's first distributed table; keys widened with `column` and reported
// likewise. Throws (and changes nothing) when Citus refuses a table or a foreign key.
std::vector<std::string> DistributeTables(pg::Connection& conn, const std::vector<Placement>& plan,
                                          const std::string& column);

}  // namespace corrente::schema
