#pragma once
// Generated columns (MySQL/MariaDB VIRTUAL/STORED, SQLite VIRTUAL/STORED): their expression
// as a PostgreSQL GENERATED ALWAYS AS (...) STORED expression, when it computes exactly the
// same values; otherwise nothing, with the reason. Accepted: column references, integer and
// decimal literals, string literals, NULL in branches, + - * and unary minus on numbers,
// concat (SQLite ||), lower, upper, trim, ltrim, rtrim, char_length, coalesce/ifnull, abs,
// (MySQL, on exact numbers) round; comparisons of like kinds (text only in SQLite, BINARY),
// AND/OR/NOT, CASE, IF/iif; integer DIV, %, MOD (SQLite: / of integers) and / of doubles,
// a zero divisor NULL; MySQL YEAR/MONTH/DAY/DATE of a DATE or DATETIME. Not translated:
// MySQL / of exact numbers (a decimal of div_precision_increment digits), MySQL's 4-byte
// FLOAT, other types and other functions. Pure; thread-safe.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "migrate/source.h"
#include "migrate/types.h"

namespace corrente::migrate {

enum class ExprDialect { kMysql, kSqlite };

// Translates the expression of generated column `self` of `table`, whose columns are
// already typed and named for the target (`columns`, by source_index). Returns the
// PostgreSQL expression, or nullopt with `why` set.
std::optional<std::string> TranslateGenerated(ExprDialect dialect, std::string_view expr,
                                              const SourceTable& table,
                                              const std::vector<ColumnPlan>& columns,
                                              const ColumnPlan& self, std::string* why);

}  // namespace corrente::migrate
