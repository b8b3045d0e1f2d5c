#pragma once
// Reference data the schema needs: core.dim_calendar rows with Brazilian holidays.
#include <cstdint>

#include "pg/pg.h"

namespace corrente::schema {

// Upserts dim_calendar for the days [from, to] (days since 1970). Fiscal year = calendar
// year. Returns the number of rows written. Works inside or outside a transaction.
int64_t FillCalendar(pg::Connection& conn, int64_t from, int64_t to);

}  // namespace corrente::schema
