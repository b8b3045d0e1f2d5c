#pragma once
// SQLite's constant DEFAULTs: the value SQLite stores when an INSERT leaves a column out.
// A DEFAULT made only of literals (numbers, 0x hex, x'' blobs, '' strings, TRUE, FALSE),
// signs, parentheses and + - * / % || is evaluated by SQLite itself, in an in-memory
// database, under the column's affinity: 0x10 is 16.0 in a REAL column and '16' in a TEXT
// one, 1e3 is 1000 in an INTEGER column and '1000.0' in a TEXT one. Anything else (a
// function, CURRENT_TIMESTAMP) is not evaluated here. Thread-safe (one connection per call).
#include <optional>
#include <string>
#include <string_view>

#include "migrate/types.h"

namespace corrente::migrate {

// SQLite's affinity of a declared type: "INTEGER", "TEXT", "BLOB", "REAL" or "NUMERIC".
std::string SqliteAffinity(std::string_view declared_type);

// True when `expr` has the constant form above (no name but TRUE and FALSE, no function).
bool IsSqliteConstant(std::string_view expr);

// The value SQLite stores for DEFAULT `expr` in a column of `declared_type`; nullopt with
// `why` empty when `expr` is not such a constant, with `why` set when SQLite refuses it.
std::optional<StoredDefault> SqliteConstantDefault(std::string_view declared_type,
                                                   std::string_view expr, std::string* why);

}  // namespace corrente::migrate
