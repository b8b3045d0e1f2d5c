#include "server/forecast_page.h"

#include <algorithm>
#include <array>
#include <charconv>

namespace corrente::server {
namespace {

// A field holds a date, an integer, a number as PostgreSQL writes numeric or float8
// (digits, '-', '.', 'e', '+') or null: nothing that could end a JSON string or value early.
bool PlainField(std::string_view f) {
  if (f == "null") return true;
  if (f.empty()) return false;
  for (char c : f)
    if (!((c >= '0' && c <= '9') || c == '-' || c == '.' || c == 'e' || c == 'E' || c == '+'))
      return false;
  return true;
}

// The row's seven fields, or false.
bool SplitRow(std::string_view row, std::array<std::string_view, 7>& f) {
  size_t n = 0, at = 0;
  for (;;) {
    const size_t comma = std::min(row.find(',', at), row.size());
    if (n == f.size()) return false;
    f[n] = row.substr(at, comma - at);
    if (!PlainField(f[n++])) return false;
    if (comma == row.size()) return n == f.size();
    at = comma + 1;
  }
}

}  // namespace

bool AppendForecastPage(std::string& out, std::string_view compact, std::string_view row_tail,
                        int64_t item, int64_t site, int64_t n_rows) {
  if (n_rows <= 0) return false;
  char item_buf[24], site_buf[24];
  const std::string_view item_text(item_buf,
                                   std::to_chars(item_buf, item_buf + 24, item).ptr - item_buf);
  const std::string_view site_text(site_buf,
                                   std::to_chars(site_buf, site_buf + 24, site).ptr - site_buf);
  const size_t mark = out.size();
  // Each row adds its names (about 190 bytes) and the tail to the compact values.
  out.reserve(mark + compact.size() + static_cast<size_t>(n_rows) * (row_tail.size() + 200));
  out += '[';
  int64_t rows = 0;
  for (size_t pos = 0;;) {
    const size_t row_end = std::min(compact.find(';', pos), compact.size());
    std::array<std::string_view, 7> f;  // date, horizon, yhat, lower, upper, lower 95, upper 95
    if (!SplitRow(compact.substr(pos, row_end - pos), f)) {
      out.resize(mark);
      return false;
    }
    if (rows++ > 0) out += ',';
    for (std::string_view piece :
         {std::string_view("{\"full_date\":\""), f[0], std::string_view("\",\"item_id\":"),
          item_text, std::string_view(",\"site_id\":"), site_text,
          std::string_view(",\"horizon_days\":"), f[1], std::string_view(",\"yhat\":"), f[2],
          std::string_view(",\"yhat_lower\":"), f[3], std::string_view(",\"yhat_upper\":"), f[4],
          std::string_view(",\"yhat_lower_95\":"), f[5], std::string_view(",\"yhat_upper_95\":"),
          f[6], std::string_view(",\"yhat_statistical\":"), f[2], row_tail})
      out += piece;
    if (row_end == compact.size()) break;
    pos = row_end + 1;
  }
  if (rows != n_rows) {
    out.resize(mark);
    return false;
  }
  out += ']';
  return true;
}

bool FiniteJson(std::string_view json) {
  bool in_string = false;
  for (size_t i = 0; i < json.size(); ++i) {
    const char c = json[i];
    if (in_string) {
      if (c == '\\')
        ++i;  // the escaped character, a quote included
      else if (c == '"')
        in_string = false;
    } else if (c == '"') {
      in_string = true;
    } else if (c == 'N' || c == 'I') {  // NaN, Infinity, -Infinity: JSON's literals are lowercase
      return false;
    }
  }
  return true;
}

}  // namespace corrente::server
