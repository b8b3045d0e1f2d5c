#include "migrate/sqlite_default.h"

#include <sqlite3.h>

#include <cctype>
#include <memory>
#include <vector>

namespace corrente::migrate {
namespace {

enum class Tok { kAtom, kSign, kBinary, kOpen, kClose };

// Splits `e` into tokens; false on anything outside the constant form.
bool Tokenize(std::string_view e, std::vector<Tok>* out) {
  auto digit = [&](size_t i) {
    return i < e.size() && std::isdigit(static_cast<unsigned char>(e[i]));
  };
  auto xdigit = [&](size_t i) {
    return i < e.size() && std::isxdigit(static_cast<unsigned char>(e[i]));
  };
  for (size_t i = 0; i < e.size();) {
    char c = e[i];
    if (std::isspace(static_cast<unsigned char>(c))) {
      ++i;
    } else if (c == '(' || c == ')') {
      out->push_back(c == '(' ? Tok::kOpen : Tok::kClose);
      ++i;
    } else if (c == '+' || c == '-') {
      // A sign after an operand is the binary operator; Check() tells them apart.
      out->push_back(Tok::kSign);
      ++i;
    } else if (c == '*' || c == '/' || c == '%') {
      out->push_back(Tok::kBinary);
      ++i;
    } else if (c == '|' && i + 1 < e.size() && e[i + 1] == '|') {
      out->push_back(Tok::kBinary);
      i += 2;
    } else if (c == '0' && i + 1 < e.size() && (e[i + 1] == 'x' || e[i + 1] == 'X')) {
      size_t j = i + 2;
      while (xdigit(j)) ++j;
      if (j == i + 2) return false;
      out->push_back(Tok::kAtom);
      i = j;
    } else if (digit(i) || (c == '.' && digit(i + 1))) {
      size_t j = i;
      while (digit(j)) ++j;
      if (j < e.size() && e[j] == '.')
        for (++j; digit(j);) ++j;
      if (j < e.size() && (e[j] == 'e' || e[j] == 'E')) {
        size_t k = j + 1;
        if (k < e.size() && (e[k] == '+' || e[k] == '-')) ++k;
        if (!digit(k)) return false;
        for (j = k; digit(j);) ++j;
      }
      out->push_back(Tok::kAtom);
      i = j;
    } else if ((c == 'x' || c == 'X') && i + 1 < e.size() && e[i + 1] == '\'') {
      size_t j = i + 2;
      while (xdigit(j)) ++j;
      if (j >= e.size() || e[j] != '\'' || (j - i - 2) % 2 != 0) return false;
      out->push_back(Tok::kAtom);
      i = j + 1;
    } else if (c == '\'') {
      size_t j = i + 1;
      for (;; ++j) {
        if (j >= e.size()) return false;
        if (e[j] == '\'') {
          if (j + 1 < e.size() && e[j + 1] == '\'') {
            ++j;
            continue;
          }
          break;
        }
      }
      out->push_back(Tok::kAtom);
      i = j + 1;
    } else if (std::isalpha(static_cast<unsigned char>(c))) {
      size_t j = i;
      while (j < e.size() && (std::isalnum(static_cast<unsigned char>(e[j])) || e[j] == '_')) ++j;
      std::string w = Upper(e.substr(i, j - i));
      if (w != "TRUE" && w != "FALSE") return false;
      out->push_back(Tok::kAtom);
      i = j;
    } else {
      return false;
    }
  }
  return true;
}

// operand := sign* (atom | '(' expr ')');  expr := operand (binary operand)*
bool Expr(const std::vector<Tok>& t, size_t* i);
bool Operand(const std::vector<Tok>& t, size_t* i) {
  while (*i < t.size() && t[*i] == Tok::kSign) ++*i;
  if (*i >= t.size()) return false;
  if (t[*i] == Tok::kAtom) {
    ++*i;
    return true;
  }
  if (t[*i] != Tok::kOpen) return false;
  ++*i;
  if (!Expr(t, i) || *i >= t.size() || t[*i] != Tok::kClose) return false;
  ++*i;
  return true;
}
bool Expr(const std::vector<Tok>& t, size_t* i) {
  if (!Operand(t, i)) return false;
  while (*i < t.size() && (t[*i] == Tok::kBinary || t[*i] == Tok::kSign)) {
    ++*i;
    if (!Operand(t, i)) return false;
  }
  return true;
}

}  // namespace

std::string SqliteAffinity(std::string_view declared_type) {
  std::string t = Upper(declared_type);
  if (Contains(t, "INT")) return "INTEGER";
  if (Contains(t, "CHAR") || Contains(t, "CLOB") || Contains(t, "TEXT")) return "TEXT";
  if (Contains(t, "BLOB") || t.empty()) return "BLOB";
  if (Contains(t, "REAL") || Contains(t, "FLOA") || Contains(t, "DOUB")) return "REAL";
  return "NUMERIC";
}

bool IsSqliteConstant(std::string_view expr) {
  std::vector<Tok> t;
  size_t i = 0;
  return Tokenize(expr, &t) && Expr(t, &i) && i == t.size();
}

std::optional<StoredDefault> SqliteConstantDefault(std::string_view declared_type,
                                                   std::string_view expr, std::string* why) {
  why->clear();
  if (!IsSqliteConstant(expr)) return std::nullopt;
  sqlite3* raw = nullptr;
  int rc = sqlite3_open_v2(":memory:", &raw, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr);
  std::unique_ptr<sqlite3, int (*)(sqlite3*)> db(raw, sqlite3_close);
  if (rc != SQLITE_OK) {
    *why = "SQLite could not open an in-memory database to evaluate it";
    return std::nullopt;
  }
  // The expression passed IsSqliteConstant (literals and operators only), so it runs nothing
  // but arithmetic; the affinity keyword is ours, not the source's declared type.
  std::string affinity = SqliteAffinity(declared_type);
  std::string sql = "CREATE TABLE d (c " + (affinity == "BLOB" ? std::string() : affinity) +
                    " DEFAULT (" + std::string(expr) + ")); INSERT INTO d DEFAULT VALUES";
  if (sqlite3_exec(db.get(), sql.c_str(), nullptr, nullptr, nullptr) != SQLITE_OK) {
    *why = std::string("SQLite refuses it: ") + sqlite3_errmsg(db.get());
    return std::nullopt;
  }
  sqlite3_stmt* raw_stmt = nullptr;
  if (sqlite3_prepare_v2(db.get(), "SELECT c FROM d", -1, &raw_stmt, nullptr) != SQLITE_OK) {
    *why = std::string("SQLite refuses it: ") + sqlite3_errmsg(db.get());
    return std::nullopt;
  }
  std::unique_ptr<sqlite3_stmt, int (*)(sqlite3_stmt*)> stmt(raw_stmt, sqlite3_finalize);
  if (sqlite3_step(stmt.get()) != SQLITE_ROW) {
    *why = std::string("SQLite refuses it: ") + sqlite3_errmsg(db.get());
    return std::nullopt;
  }
  StoredDefault d;
  switch (sqlite3_column_type(stmt.get(), 0)) {
    case SQLITE_INTEGER:
      d.kind = SourceValue::Kind::kInt;
      d.i = sqlite3_column_int64(stmt.get(), 0);
      break;
    case SQLITE_FLOAT:
      d.kind = SourceValue::Kind::kReal;
      d.d = sqlite3_column_double(stmt.get(), 0);
      break;
    case SQLITE_TEXT:
    case SQLITE_BLOB: {
      bool text = sqlite3_column_type(stmt.get(), 0) == SQLITE_TEXT;
      const void* p = text ? static_cast<const void*>(sqlite3_column_text(stmt.get(), 0))
                           : sqlite3_column_blob(stmt.get(), 0);
      d.kind = text ? SourceValue::Kind::kText : SourceValue::Kind::kBlob;
      d.bytes.assign(static_cast<const char*>(p) ? static_cast<const char*>(p) : "",
                     static_cast<size_t>(sqlite3_column_bytes(stmt.get(), 0)));
      break;
    }
    default:
      d.kind = SourceValue::Kind::kNull;
  }
  return d;
}

}  // namespace corrente::migrate
