#pragma once
// `migrate copy --distribute-by COLUMN` on a Citus target: once the copy is loaded and
// constrained, every copied table with COLUMN is distributed by it (co-located with each
// other) and every other table becomes a reference table, through the same layer as
// `db upgrade --distributed` (schema/distributed.h): keys without COLUMN are widened with it
// and reported, foreign keys are kept or Citus's refusal is reported and nothing changes.
#include <string>
#include <vector>

#include "migrate/plan.h"
#include "pg/pg.h"

namespace corrente::migrate {

// One line per change. Throws when the target has no citus extension, when no copied table
// has `column`, or when Citus refuses the placement (a foreign key from a reference table to
// a distributed one, a key it cannot widen).
std::vector<std::string> DistributeCopy(pg::Connection& conn, const std::string& schema,
                                        const std::vector<TablePlan>& plans,
                                        const std::string& column);

}  // namespace corrente::migrate
