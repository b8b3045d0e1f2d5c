#include "migrate/types.h"

#include <algorithm>
#include <cctype>
#include <cstdio>

namespace corrente::migrate {

bool TypeMapping::IsRowid(const SourceTable&, const SourceColumn&) const { return false; }
bool TypeMapping::ScansValues() const { return false; }
std::optional<std::string> TypeMapping::CheckNotCarried(const SourceTable&,
                                                        const std::vector<ColumnPlan>&,
                                                        const std::string&) const {
  return std::nullopt;
}

std::optional<std::string> TypeMapping::RewriteCheck(const SourceTable&,
                                                     const std::vector<ColumnPlan>&,
                                                     const std::string&) const {
  return std::nullopt;
}

std::optional<StoredDefault> TypeMapping::ConstantDefault(const SourceColumn&,
                                                          std::string* why) const {
  why->clear();
  return std::nullopt;
}

std::optional<std::string> TypeMapping::GeneratedSql(const SourceTable&,
                                                     const std::vector<ColumnPlan>&,
                                                     const ColumnPlan&, std::string* why) const {
  *why = "this source's expressions are not translated";
  return std::nullopt;
}

std::string Upper(std::string_view s) {
  std::string r(s);
  for (auto& c : r) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return r;
}
std::string Lower(std::string_view s) {
  std::string r(s);
  for (auto& c : r) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return r;
}
bool Contains(const std::string& hay, const char* needle) {
  return hay.find(needle) != std::string::npos;
}

std::pair<int, int> TypeArgs(const std::string& t) {
  auto open = t.find('(');
  if (open == std::string::npos) return {-1, -1};
  int p = -1, s = -1;
  if (std::sscanf(t.c_str() + open, "(%d,%d)", &p, &s) >= 1) return {p, s};
  if (std::sscanf(t.c_str() + open, "( %d , %d )", &p, &s) >= 1) return {p, s};
  return {-1, -1};
}

bool MentionsColumn(std::string_view ck, const std::string& name) {
  auto word = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '$'; };
  for (size_t i = 0; i < ck.size();) {
    char c = ck[i];
    if (c == '\'' || c == '"' || c == '`' || c == '[') {
      char close = c == '[' ? ']' : c;
      std::string text;
      for (++i; i < ck.size(); ++i) {
        if (ck[i] == '\\' && c == '\'' && i + 1 < ck.size()) {
          text += ck[++i];  // MySQL's escapes in a literal
        } else if (ck[i] == close && close != ']' && i + 1 < ck.size() && ck[i + 1] == close) {
          text += ck[++i];
        } else if (ck[i] == close) {
          break;
        } else {
          text += ck[i];
        }
      }
      ++i;
      if (c != '\'' && Lower(text) == Lower(name)) return true;
    } else if (word(c)) {
      size_t j = i;
      while (j < ck.size() && word(ck[j])) ++j;
      if (Lower(ck.substr(i, j - i)) == Lower(name)) return true;
      i = j;
    } else {
      ++i;
    }
  }
  return false;
}

std::string SqlLiteral(std::string_view s) {
  std::string r = "'";
  for (char c : s) {
    if (c == '\'') r += '\'';
    r += c;
  }
  return r + "'";
}

std::string Quote(std::string_view ident) {
  std::string r = "\"";
  for (char c : ident) {
    if (c == '"') r += '"';
    r += c;
  }
  return r + "\"";
}

std::string ColumnPlan::SqlType() const {
  switch (type) {
    case PgType::kSmallInt:
      return "smallint";
    case PgType::kInteger:
      return "integer";
    case PgType::kBigInt:
      return "bigint";
    case PgType::kNumeric:
      if (precision > 0)
        return "numeric(" + std::to_string(precision) + "," + std::to_string(std::max(scale, 0)) +
               ")";
      return "numeric";
    case PgType::kDouble:
      return "double precision";
    case PgType::kText:
      return "text";
    case PgType::kVarchar:
      return "varchar(" + std::to_string(precision) + ")";
    case PgType::kBytea:
      return "bytea";
    case PgType::kBool:
      return "boolean";
    case PgType::kDate:
      return "date";
    case PgType::kTimestamp:
      return "timestamp without time zone";
    case PgType::kTimestampTz:
      return "timestamp with time zone";
    case PgType::kInterval:
      return "interval";
    case PgType::kTime:
      return "time without time zone";
    case PgType::kUuid:
      return "uuid";
    case PgType::kJsonb:
      return "jsonb";
    case PgType::kGeometry: {
      if (geometry.empty() && srid == 0) return "geometry";
      std::string t = "geometry(" + (geometry.empty() ? std::string("Geometry") : geometry);
      return t + (srid ? "," + std::to_string(srid) : std::string()) + ")";
    }
  }
  return "text";
}

}  // namespace corrente::migrate
