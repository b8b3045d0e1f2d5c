#pragma once
// Verify's entry point shared with copy --verify. Internal to src/migrate.
#include <map>
#include <string>

#include "migrate/context.h"
#include "migrate/engine.h"

namespace corrente::migrate {

// Source-side stats taken while loading (copy --verify), by table name.
using LoadedStats = std::map<std::string, SideStats>;

// Verifies every table of `ctx` (tables in `loaded` take their source side from it), and
// records the report in staging.migration_verify. Uses ctx.source on the calling thread only.
VerifyReport Verify(const EngineOptions& o, SourceContext& ctx, const LoadedStats& loaded);

}  // namespace corrente::migrate
