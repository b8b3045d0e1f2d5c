#pragma once
// Value profiles: where a declared type is only an affinity (SQLite), the plan reads a
// sample of each table and, for every column whose values the declared type cannot all
// hold exactly, picks the narrowest type that can (numeric, then text, then bytea). The
// copy still converts every row, so a value past the sample that does not fit is refused
// and verify lists it. Reads the source, never writes; not thread-safe (one Source).
#include <cstdint>

#include "migrate/plan.h"

namespace corrente::migrate {

constexpr int64_t kProfileRows = 100000;

// Widens the columns of `plan` (already typed by the source's mapping) that the first
// `sample_rows` rows of `table` do not fit, and says so in each column's decision and in
// the plan's warnings. Identity columns are left alone (their values are keys). With
// `invalid_bytea` (--invalid-text bytea), a text column whose sampled values hold bytes that
// are not UTF-8 becomes bytea too; with `check_all_text` as well, the rows past the sample
// are read to the end for those bytes (text columns only, no conversion), so a column whose
// first invalid byte comes late is found too (plan and copy).
void WidenToValues(Source& source, const SourceTable& table, TablePlan* plan,
                   int64_t sample_rows = kProfileRows, bool invalid_bytea = false,
                   bool check_all_text = false);

}  // namespace corrente::migrate
