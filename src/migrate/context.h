#pragma once
// One command's opened source: the Source opened once, the target schema name and the plan
// read from it once. Internal to src/migrate. The Source is not thread-safe: parallel
// workers (table loads, verify parts) open their own.
#include <memory>
#include <string>
#include <vector>

#include "migrate/engine.h"
#include "migrate/plan.h"

namespace corrente::migrate {

struct SourceContext {
  std::unique_ptr<Source> source;
  std::string schema;
  std::vector<TablePlan> plans;
};

// Opens `o.source_url`, resolves the schema and builds the plan of `o.tables` (throws when
// one of them is not in the source).
SourceContext OpenContext(const EngineOptions& o);

}  // namespace corrente::migrate
