#include "common/series_csv.h"

#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstring>
#include <fstream>
#include <string_view>

namespace corrente {
namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// Splits one CSV record (RFC 4180 quoting within a line; embedded newlines are not supported).
std::vector<std::string> SplitCsvLine(std::string_view line) {
  std::vector<std::string> fields;
  std::string field;
  bool quoted = false;
  for (size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (quoted) {
      if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
        field += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        field += c;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      fields.push_back(std::move(field));
      field.clear();
    } else {
      field += c;
    }
  }
  fields.push_back(std::move(field));
  return fields;
}

bool IsMissing(std::string_view s) {
  return s.empty() || s == "NA" || s == "NaN" || s == "nan" || s == "null";
}

// Parses a finite decimal number (surrounding blanks allowed).
bool ParseNumber(std::string_view s, double* out) {
  s = Trim(s);
  if (!s.empty() && s.front() == '+') s.remove_prefix(1);
  if (s.empty()) return false;
  const auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  return ec == std::errc() && ptr == s.data() + s.size() && std::isfinite(*out);
}

}  // namespace

bool ReadSeries(const std::string& path, std::vector<Series>* series, std::string* error) {
  std::ifstream in(path);
  if (!in) {
    *error = "cannot open '" + path + "': " + std::strerror(errno);
    return false;
  }
  std::string line;
  size_t line_number = 0;
  bool first_record = true;
  while (std::getline(in, line)) {
    ++line_number;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (Trim(line).empty()) continue;
    std::vector<std::string> fields = SplitCsvLine(line);
    while (fields.size() > 1 && IsMissing(Trim(fields.back()))) fields.pop_back();
    if (first_record) {
      first_record = false;
      // A header ("V1","V2",... or dates) has only non-numeric names after the id column; a
      // first data row with one bad value is reported as an error below, not skipped.
      bool any_number = false, any_text = false;
      for (size_t i = 1; i < fields.size(); ++i) {
        double value;
        const std::string_view text = Trim(fields[i]);
        if (IsMissing(text)) continue;
        (ParseNumber(text, &value) ? any_number : any_text) = true;
      }
      if (any_text && !any_number) continue;
    }
    Series s;
    s.id = std::string(Trim(fields[0]));
    s.values.reserve(fields.size() - 1);
    for (size_t i = 1; i < fields.size(); ++i) {
      const std::string_view text = Trim(fields[i]);
      double value = NAN;
      if (!IsMissing(text) && !ParseNumber(text, &value)) {
        *error = path + ":" + std::to_string(line_number) + ": column " + std::to_string(i + 1) +
                 " of series '" + s.id + "': '" + std::string(text) + "' is not a number";
        return false;
      }
      s.values.push_back(value);  // an interior empty field is a gap (NaN)
    }
    series->push_back(std::move(s));
  }
  if (in.bad()) {
    *error = "error reading '" + path + "'";
    return false;
  }
  return true;
}


}  // namespace corrente
