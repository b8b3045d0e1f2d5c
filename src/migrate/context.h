#pragma once
// One command's opened source: the Source opened once, the target schema name and the plan
// read from it once. Internal to src/migrate. The Source is not thread-safe: parallel
// workers (table loads, verify parts) open their own.
#include <memory>
#include <string>
#include <vector>

#include "migrate/engine.h"
#include "migrate/plan.h"
#include "pg/pg.h"

namespace corrente::migrate {

struct SourceContext {
  std::unique_ptr<Source> source;
  std::string schema;
  std::vector<TablePlan> plans;
};

// `o` with the mapping options (zero_dates, invalid_text, strict, renames) that the copy of
// its schema recorded in staging.migration_options, unless the user gave any of them: so
// verify, diff, sync, the manifest and a resumed copy map the source as the copy did.
EngineOptions WithRecordedMapping(const EngineOptions& o);
// Records `o`'s mapping options for `schema` (copy).
void RecordMapping(pg::Connection& conn, const std::string& schema, const EngineOptions& o);

// The other schemas of `o`'s source (Source::OtherSchemas), each as the options of its own
// command: URL + "?schema=NAME", target schema <o's schema>_NAME (sanitized), a manifest
// of its own (FILE.<schema>). Empty when `o` names tables (they are main's).
std::vector<EngineOptions> SchemaParts(const EngineOptions& o);

// Keeps `o`'s source open for one command (copy, verify, diff, sync, the manifest check), so
// that every Source of the same DuckDB file opened meanwhile, by any schema part or worker,
// shares its database instead of opening the file again (source_duckdb.cpp); nullptr for
// the other kinds of source.
std::unique_ptr<Source> HoldSource(const EngineOptions& o);

// Adds `p`, a report of another schema of the source, to `r`: its counts and warnings, its
// verify tables named <schema>.<table>.
void MergePart(CopyReport* r, CopyReport p);
void MergePart(VerifyReport* r, VerifyReport p);

// True when the target has the postgis extension.
bool TargetHasPostgis(pg::Connection& conn);
// The plan options of `o` (PostGIS is the target's to say: OpenContext).
PlanOptions PlanOptionsOf(const EngineOptions& o);

// Opens `o.source_url`, resolves the schema and builds the plan of `o.tables` (throws when
// one of them is not in the source). With a target (`o.dsn`): spatial columns become
// geometry when it has PostGIS, and, with `recorded` and not `o.fresh`, each column takes
// the type choice the copy recorded (recorded.h). `check_all_text`: PlanOptions's (plan, copy).
SourceContext OpenContext(const EngineOptions& o, bool recorded = true,
                          bool check_all_text = false);

}  // namespace corrente::migrate
