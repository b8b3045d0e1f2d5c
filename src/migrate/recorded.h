#pragma once
// The copy's recorded type choices (staging.migration_columns, V063): the type each column
// got at copy, from the source's mapping, the SQLite value scan, PostGIS and generated
// columns. Verify, diff, sync, the manifest and a resumed copy take them instead of what
// the source's values would choose now, so they convert rows as the copy did; a row the
// recorded type cannot hold is then refused and named, never silently retyped.
// EncodeChoice/DecodeChoice are pure; the rest read or write the target.
#include <string>
#include <string_view>
#include <vector>

#include "migrate/plan.h"
#include "pg/pg.h"

namespace corrente::migrate {

// A column's type choice as text (type, precision, scale, collation, charset, generated
// expression, geometry...), and back: false when `s` is not one.
std::string EncodeChoice(const ColumnPlan& c);
bool DecodeChoice(std::string_view s, ColumnPlan* c);

// Records the type choices of `plans` for `schema` (copy), replacing a table's earlier ones.
void RecordChoices(pg::Connection& conn, const std::string& schema,
                   const std::vector<TablePlan>& plans);
// Gives each column of `plans` the choice recorded for it. Where the plan built now chose
// differently, the recorded one is kept and the column's decision and the table's warnings
// say what the values now would choose.
void ApplyRecordedChoices(pg::Connection& conn, const std::string& schema,
                          std::vector<TablePlan>* plans);
// The recorded choices of `schema` ("table.column: sql type -- decision" lines), for
// `migrate status` and `migrate plan --show-state`; empty when none.
std::string RenderChoices(pg::Connection& conn, const std::string& schema);

}  // namespace corrente::migrate
