#include "migrate/source.h"

#include <algorithm>
#include <cctype>
#include <climits>
#include <cstdio>
#include <stdexcept>

#include "common/utf8.h"
#include "migrate/values.h"

namespace corrente::migrate {

std::unique_ptr<RowCursor> Source::Query(const std::string&, std::vector<std::string>*) {
  throw std::runtime_error(Kind() +
                           " sources do not run queries; use a SQLite, MySQL or DuckDB source");
}

bool Source::AllZeroOrOne(const SourceTable&, const std::string&) { return false; }

std::vector<std::string> Source::NotCarried() { return {}; }

std::vector<std::string> Source::OtherSchemas() { return {}; }

std::optional<KeyRange> Source::KeyBounds(const SourceTable&) { return std::nullopt; }

std::string SanitizeName(std::string_view name) {
  std::string r;
  for (char c : name) {
    unsigned char u = static_cast<unsigned char>(c);
    r += std::isalnum(u) ? static_cast<char>(std::tolower(u)) : '_';
  }
  if (r.empty() || std::isdigit(static_cast<unsigned char>(r[0]))) r = "s_" + r;
  if (r.size() > 63) r.resize(63);
  return r;
}

std::unique_ptr<Source> OpenSource(const std::string& url) {
  auto scheme_end = url.find("://");
  if (scheme_end == std::string::npos)
    throw std::runtime_error(
        "source URL must look like sqlite:///path.db, mysql://user:pass@host:port/db, "
        "duckdb:///path.duckdb or csv:///dir; got " +
        url);
  std::string scheme = url.substr(0, scheme_end);
  std::string rest = url.substr(scheme_end + 3);
  if (scheme == "sqlite") return OpenSqlite(rest);
  if (scheme == "duckdb") return OpenDuckdb(rest);
  if (scheme == "csv") return OpenCsv(rest);
  if (scheme == "mysql" || scheme == "mariadb") return OpenMysql(url);
  throw std::runtime_error("unknown source kind '" + scheme + "' (sqlite, mysql, duckdb, csv)");
}

std::string KeyRangeWhere(const std::optional<KeyRange>& range,
                          const std::function<std::string(const std::string&)>& quote) {
  if (!range) return "";
  std::string w;
  if (range->lo) w += quote(range->column) + " >= " + std::to_string(*range->lo);
  if (range->hi)
    w += (w.empty() ? "" : " AND ") + quote(range->column) + " < " + std::to_string(*range->hi);
  return w.empty() ? "" : " WHERE " + w;
}

KeyRange KeyBoundsOf(const std::string& column, int64_t min, int64_t max) {
  return {column, min, max == INT64_MAX ? max : max + 1};
}

std::vector<KeyRange> SplitKeyRange(const KeyRange& bounds, int n) {
  // 128-bit: a key span can exceed INT64_MAX.
  __int128 lo = bounds.lo.value_or(0), span = static_cast<__int128>(bounds.hi.value_or(0)) - lo;
  n = static_cast<int>(std::clamp<__int128>(std::min<__int128>(n, span), 1, 1 << 20));
  __int128 step = (span + n - 1) / n;
  if (step > 0) n = static_cast<int>((span + step - 1) / step);
  std::vector<KeyRange> parts;
  for (int k = 0; k < n; ++k) {
    KeyRange r{bounds.column, std::nullopt, std::nullopt};
    if (k > 0) r.lo = static_cast<int64_t>(lo + k * step);
    if (k < n - 1) r.hi = static_cast<int64_t>(lo + (k + 1) * step);
    parts.push_back(std::move(r));
  }
  return parts;
}

std::optional<std::string> SingleIntegerKey(const SourceTable& table) {
  if (table.primary_key.size() != 1) return std::nullopt;
  for (const auto& c : table.columns) {
    if (c.name != table.primary_key[0]) continue;
    std::string t;
    for (char ch : c.declared_type) t += static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    if (t.rfind("interval", 0) == 0) return std::nullopt;
    for (const char* p : {"tinyint", "smallint", "mediumint", "int", "bigint", "utinyint",
                          "usmallint", "uinteger", "ubigint"})
      if (t.rfind(p, 0) == 0) return c.name;
  }
  return std::nullopt;
}

std::vector<int> KeyColumnIndexes(const SourceTable& table) {
  std::vector<int> key_cols;
  for (const auto& k : table.primary_key)
    for (size_t i = 0; i < table.columns.size(); ++i)
      if (table.columns[i].name == k) key_cols.push_back(static_cast<int>(i));
  return key_cols;
}

std::string KeyLabel(const std::vector<SourceValue>& values, const std::vector<int>& key_cols,
                     const std::vector<std::string>& key_names) {
  std::string r;
  for (size_t k = 0; k < key_cols.size(); ++k) {
    const auto& v = values[key_cols[k]];
    r += (k ? "," : "") + key_names[k] + "=";
    if (v.kind == SourceValue::Kind::kInt) {
      r += std::to_string(v.i);
    } else if (v.kind == SourceValue::Kind::kReal) {
      r += ShortestDouble(v.d);  // its view is not set (it showed the last text key)
    } else if (v.kind == SourceValue::Kind::kNull) {
      r += "NULL";
    } else {
      r += Printable(v.s);
    }
  }
  return r;
}

bool IsDecimalText(std::string_view s) {
  size_t i = !s.empty() && (s[0] == '-' || s[0] == '+') ? 1 : 0;
  bool digit = false, dot = false;
  for (; i < s.size(); ++i) {
    if (std::isdigit(static_cast<unsigned char>(s[i])))
      digit = true;
    else if (s[i] == '.' && !dot)
      dot = true;
    else
      return false;
  }
  return digit;
}

}  // namespace corrente::migrate
