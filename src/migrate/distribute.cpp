#include "migrate/distribute.h"

#include <algorithm>
#include <stdexcept>

#include "migrate/target.h"
#include "schema/distributed.h"

namespace corrente::migrate {

std::vector<std::string> DistributeCopy(pg::Connection& conn, const std::string& schema,
                                        const std::vector<TablePlan>& plans,
                                        const std::string& column) {
  if (!schema::HasCitus(conn))
    throw std::runtime_error("--distribute-by needs a Citus target: the citus extension is not "
                             "installed in the target database (docs/scale.md)");
  // References first: a distributed table may reference them, not the other way round.
  std::vector<schema::Placement> refs, hashed;
  for (const auto& t : plans) {
    const bool has = std::any_of(t.columns.begin(), t.columns.end(),
                                 [&](const ColumnPlan& c) { return c.name == column; });
    (has ? hashed : refs).push_back({Qualified(schema, t.name), has});
  }
  if (hashed.empty())
    throw std::runtime_error("--distribute-by " + column + ": no copied table has that column");
  refs.insert(refs.end(), hashed.begin(), hashed.end());
  return schema::DistributeTables(conn, refs, column);
}

}  // namespace corrente::migrate
