#pragma once
// A published compact forecast page (analytics.forecast_pages, V078) written out as the JSON
// rows GET /api/v1/forecasts answers for the series: the rows' varying values come from the
// page, the rest of each row from its item, site and the ending every row shares.
#include <cstdint>
#include <string>
#include <string_view>

namespace corrente::server {

// Appends to `out` the JSON array of the `n_rows` rows in `compact` ("full_date,horizon_days,
// yhat,yhat_lower,yhat_upper,yhat_lower_95,yhat_upper_95" per row, rows joined by ';'), each
// row as {"full_date":..,"item_id":item,"site_id":site,"horizon_days":..,"yhat":..,..,
// "yhat_statistical":<yhat>} followed by `row_tail` (from ',"overridden"' to '}').
// Returns false, with `out` as it was, when `compact` is not n_rows rows of seven fields of
// the characters a date, an integer or a number written by the API can hold (the caller then
// runs the row-by-row statement).
bool AppendForecastPage(std::string& out, std::string_view compact, std::string_view row_tail,
                        int64_t item, int64_t site, int64_t n_rows);

// False when `json` has a bare NaN or Infinity outside its strings (numeric text written
// unchecked, e.g. a NaN accuracy in a page's metadata): not JSON, so the caller answers otherwise.
bool FiniteJson(std::string_view json);

}  // namespace corrente::server
