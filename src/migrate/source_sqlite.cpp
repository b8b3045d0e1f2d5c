// SQLite source: read-only connection, catalog from PRAGMAs and the CREATE TABLE text.
#include <spdlog/spdlog.h>
#include <sqlite3.h>

#include <algorithm>
#include <cctype>
#include <cstring>
#include <filesystem>
#include <map>
#include <set>
#include <stdexcept>

#include "migrate/source.h"
#include "migrate/types.h"

namespace corrente::migrate {
namespace {

std::string QuoteSqlite(const std::string& ident) {
  std::string r = "\"";
  for (char c : ident) {
    if (c == '"') r += '"';
    r += c;
  }
  return r + "\"";
}

class Stmt {
 public:
  Stmt(sqlite3* db, const std::string& sql) {
    if (sqlite3_prepare_v2(db, sql.c_str(), -1, &st_, nullptr) != SQLITE_OK)
      throw std::runtime_error("sqlite: " + std::string(sqlite3_errmsg(db)) + " in: " + sql);
  }
  ~Stmt() { sqlite3_finalize(st_); }
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;
  bool Step() {
    int rc = sqlite3_step(st_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    throw std::runtime_error("sqlite: " + std::string(sqlite3_errmsg(sqlite3_db_handle(st_))));
  }
  std::string Text(int i) {
    auto p = sqlite3_column_text(st_, i);
    return p ? std::string(reinterpret_cast<const char*>(p), sqlite3_column_bytes(st_, i))
             : std::string();
  }
  bool IsNull(int i) { return sqlite3_column_type(st_, i) == SQLITE_NULL; }
  int64_t Int(int i) { return sqlite3_column_int64(st_, i); }
  sqlite3_stmt* Raw() { return st_; }

 private:
  sqlite3_stmt* st_ = nullptr;
};

// The ')' that closes the '(' at `open` in SQL text, skipping quoted strings; npos if none.
size_t ClosingParen(const std::string& sql, size_t open) {
  int depth = 0;
  for (size_t m = open; m < sql.size(); ++m) {
    if (sql[m] == '\'') {
      m = sql.find('\'', m + 1);
      if (m == std::string::npos) return m;
      continue;
    }
    if (sql[m] == '(') ++depth;
    if (sql[m] == ')' && --depth == 0) return m;
  }
  return std::string::npos;
}

// Finds CHECK (...) clauses and the PRIMARY KEY constraint name in CREATE TABLE text,
// skipping quoted text.
void ParseCreateTable(const std::string& sql, std::vector<std::string>* checks,
                      std::string* pk_name) {
  auto upper = sql;
  for (auto& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  std::string last_constraint_name;
  size_t i = 0;
  auto is_word = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; };
  while (i < sql.size()) {
    char c = sql[i];
    if (c == '\'' || c == '"' || c == '`' || c == '[') {
      char close = c == '[' ? ']' : c;
      size_t j = sql.find(close, i + 1);
      if (j == std::string::npos) return;
      i = j + 1;
      continue;
    }
    if (is_word(c) && (i == 0 || !is_word(sql[i - 1]))) {
      size_t j = i;
      while (j < sql.size() && is_word(sql[j])) ++j;
      std::string word = upper.substr(i, j - i);
      if (word == "CONSTRAINT") {
        size_t k = j;
        while (k < sql.size() && std::isspace(static_cast<unsigned char>(sql[k]))) ++k;
        size_t e;
        if (k < sql.size() && (sql[k] == '[' || sql[k] == '"' || sql[k] == '`')) {
          char close = sql[k] == '[' ? ']' : sql[k];
          e = sql.find(close, k + 1);
          last_constraint_name = sql.substr(k + 1, e - k - 1);
          ++e;
        } else {
          e = k;
          while (e < sql.size() && is_word(sql[e])) ++e;
          last_constraint_name = sql.substr(k, e - k);
        }
        i = e;
        continue;
      }
      if (word == "PRIMARY" && !last_constraint_name.empty()) *pk_name = last_constraint_name;
      if (word == "CHECK") {
        size_t k = sql.find('(', j);
        if (k == std::string::npos) return;
        size_t m = ClosingParen(sql, k);
        if (m == std::string::npos) return;
        checks->push_back(sql.substr(k + 1, m - k - 1));
        i = m + 1;
        last_constraint_name.clear();
        continue;
      }
      i = j;
      continue;
    }
    if (c == ',') last_constraint_name.clear();
    ++i;
  }
}

// The expression of each generated column ("name AS (expr)", "GENERATED ALWAYS AS (expr)")
// in CREATE TABLE text, by the column's upper-case name.
std::map<std::string, std::string> GeneratedExpressions(const std::string& sql) {
  std::map<std::string, std::string> out;
  size_t open = sql.find('(');
  if (open == std::string::npos) return out;
  // Splits the definitions at top-level commas, skipping quoted text.
  std::vector<std::string> defs(1);
  int depth = 0;
  for (size_t i = open + 1; i < sql.size(); ++i) {
    char c = sql[i];
    if (c == '\'' || c == '"' || c == '`' || c == '[') {
      char close = c == '[' ? ']' : c;
      size_t j = sql.find(close, i + 1);
      if (j == std::string::npos) return out;
      defs.back() += sql.substr(i, j - i + 1);
      i = j;
      continue;
    }
    if (c == '(') ++depth;
    if (c == ')' && depth-- == 0) break;
    if (c == ',' && depth == 0) {
      defs.emplace_back();
      continue;
    }
    defs.back() += c;
  }
  auto is_word = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; };
  for (const auto& d : defs) {
    size_t i = d.find_first_not_of(" \t\r\n");
    if (i == std::string::npos) continue;
    std::string name;
    size_t k;
    if (d[i] == '"' || d[i] == '`' || d[i] == '[') {
      char close = d[i] == '[' ? ']' : d[i];
      k = d.find(close, i + 1);
      if (k == std::string::npos) continue;
      name = d.substr(i + 1, k - i - 1);
      ++k;
    } else {
      k = i;
      while (k < d.size() && is_word(d[k])) ++k;
      name = d.substr(i, k - i);
    }
    // " AS (" at depth 0, outside quotes: the generated expression.
    int dep = 0;
    for (size_t j = k; j < d.size(); ++j) {
      char c = d[j];
      if (c == '\'' || c == '"' || c == '`' || c == '[') {
        size_t e = d.find(c == '[' ? ']' : c, j + 1);
        if (e == std::string::npos) break;
        j = e;
        continue;
      }
      if (c == '(') ++dep;
      if (c == ')') --dep;
      if (dep != 0 || !(c == 'A' || c == 'a') || j + 1 >= d.size() ||
          (d[j + 1] != 'S' && d[j + 1] != 's') || (j > 0 && is_word(d[j - 1])) ||
          (j + 2 < d.size() && is_word(d[j + 2])))
        continue;
      size_t p = d.find_first_not_of(" \t\r\n", j + 2);
      if (p == std::string::npos || d[p] != '(') continue;
      size_t e = ClosingParen(d, p);
      if (e == std::string::npos) break;
      std::string expr = d.substr(p + 1, e - p - 1);
      for (auto& ch : name) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
      out[name] = expr;
      break;
    }
  }
  return out;
}

std::string Upper(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

bool IsRowidName(const std::string& c) {
  auto u = Upper(c);
  return u == "ROWID" || u == "_ROWID_" || u == "OID";
}

// A name of the rowid that no column of `table` shadows; nullopt when a column takes each.
std::optional<std::string> RowidName(const SourceTable& table) {
  for (const char* n : {"rowid", "_rowid_", "oid"})
    if (std::none_of(table.columns.begin(), table.columns.end(),
                     [&](const SourceColumn& c) { return Upper(c.name) == Upper(n); }))
      return n;
  return std::nullopt;
}

// A key column in SQL: a rowid name bare (as RowidName chose it, or an INTEGER PRIMARY KEY
// named so, which is the rowid), any other name quoted.
std::string KeySql(const std::string& c) { return IsRowidName(c) ? c : QuoteSqlite(c); }

class SqliteCursor : public RowCursor {
 public:
  SqliteCursor(sqlite3* db, const std::string& sql, std::vector<int> key_cols,
               std::vector<std::string> key_names)
      : st_(db, sql), key_cols_(std::move(key_cols)), key_names_(std::move(key_names)) {
    n_ = sqlite3_column_count(st_.Raw());
    values_.resize(n_);
  }
  bool Next() override {
    if (!st_.Step()) return false;
    auto* s = st_.Raw();
    for (int i = 0; i < n_; ++i) {
      auto& v = values_[i];
      // One column call, then the value's own accessors: each sqlite3_column_* call checks
      // the statement and its malloc state again. (The value is "unprotected": fine here, a
      // cursor is read by one thread.)
      sqlite3_value* c = sqlite3_column_value(s, i);
      switch (sqlite3_value_type(c)) {
        case SQLITE_NULL:
          v.kind = SourceValue::Kind::kNull;
          break;
        case SQLITE_INTEGER:
          v.kind = SourceValue::Kind::kInt;
          v.i = sqlite3_value_int64(c);
          break;
        case SQLITE_FLOAT:
          v.kind = SourceValue::Kind::kReal;
          v.d = sqlite3_value_double(c);
          break;
        case SQLITE_TEXT:
          v.kind = SourceValue::Kind::kText;
          v.s = {reinterpret_cast<const char*>(sqlite3_value_text(c)),
                 static_cast<size_t>(sqlite3_value_bytes(c))};
          break;
        default: {
          v.kind = SourceValue::Kind::kBlob;
          const void* p = sqlite3_value_blob(c);
          v.s = {p ? static_cast<const char*>(p) : "", static_cast<size_t>(sqlite3_value_bytes(c))};
        }
      }
    }
    return true;
  }
  const SourceValue& Value(int col) const override { return values_[col]; }
  std::string RowLabel() const override {
    if (key_cols_.empty()) return "rowid=" + std::to_string(sqlite3_column_int64(st_.Raw(), n_ - 1));
    return KeyLabel(values_, key_cols_, key_names_);
  }

 private:
  mutable Stmt st_;
  int n_ = 0;
  std::vector<SourceValue> values_;
  std::vector<int> key_cols_;
  std::vector<std::string> key_names_;
};

class SqliteSource : public Source {
 public:
  explicit SqliteSource(const std::string& path) : path_(path) {
    if (!std::filesystem::exists(path)) throw std::runtime_error("sqlite: no such file: " + path);
    std::string uri = "file:" + path + "?mode=ro";
    if (sqlite3_open_v2(uri.c_str(), &db_, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI | SQLITE_OPEN_NOMUTEX,
                        nullptr) !=
        SQLITE_OK) {
      std::string err = db_ ? sqlite3_errmsg(db_) : "out of memory";
      sqlite3_close(db_);
      throw std::runtime_error("sqlite: cannot open " + path + ": " + err);
    }
    sqlite3_busy_timeout(db_, 5000);
    // A collation the application defined (Android's LOCALIZED and UNICODE) is not in this
    // library, and SQLite refuses any statement on a table whose index uses it: the file
    // could not be read at all. Such a collation compares bytes here; the copy orders by
    // bytes anyway (Scan), and the plan says the collation is not carried.
    sqlite3_collation_needed(db_, nullptr, [](void*, sqlite3* db, int, const char* name) {
      sqlite3_create_collation(db, name, SQLITE_UTF8, nullptr,
                               [](void*, int n1, const void* a, int n2, const void* b) {
                                 int c = std::memcmp(a, b, static_cast<size_t>(std::min(n1, n2)));
                                 return c != 0 ? c : (n1 > n2) - (n1 < n2);
                               });
    });
  }
  ~SqliteSource() override { sqlite3_close(db_); }

  std::string Kind() const override { return "sqlite"; }
  const TypeMapping& Types() const override { return SqliteTypes(); }
  std::string DefaultSchemaName() const override {
    return SanitizeName(std::filesystem::path(path_).stem().string());
  }

  // Tables SQLite keeps for virtual tables (FTS, R*Tree): pragma table_list (3.37+) says
  // "shadow"; older libraries list none.
  std::set<std::string> ShadowTables() {
    std::set<std::string> out;
    try {
      Stmt st(db_, "SELECT name FROM pragma_table_list WHERE schema = 'main' AND type = 'shadow'");
      while (st.Step()) out.insert(st.Text(0));
    } catch (const std::runtime_error&) {
    }
    return out;
  }
  static std::string VirtualModule(const std::string& create_sql) {
    std::string up = Upper(create_sql);
    size_t at = up.find(" USING ");
    if (at == std::string::npos) return "?";
    size_t b = at + 7, e = b;
    while (e < create_sql.size() && (std::isalnum(static_cast<unsigned char>(create_sql[e])) ||
                                     create_sql[e] == '_'))
      ++e;
    return create_sql.substr(b, e - b);
  }
  // Whether a table can be read here (a virtual table's module may be missing).
  bool Readable(const std::string& table) {
    sqlite3_stmt* st = nullptr;
    int rc = sqlite3_prepare_v2(db_, ("SELECT * FROM " + QuoteSqlite(table) + " LIMIT 0").c_str(),
                                -1, &st, nullptr);
    sqlite3_finalize(st);
    return rc == SQLITE_OK;
  }

  std::vector<SourceTable> Tables() override {
    std::vector<SourceTable> out;
    const auto shadows = ShadowTables();
    Stmt list(
        db_,
        "SELECT name, sql FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
        "ORDER BY name");
    while (list.Step()) {
      SourceTable t;
      t.name = list.Text(0);
      std::string create_sql = list.Text(1);
      if (shadows.contains(t.name)) continue;  // a virtual table's storage, copied through it
      if (Upper(create_sql).starts_with("CREATE VIRTUAL TABLE")) {
        // Its rows are copied as a plain table's; the module's index is not.
        std::string module = VirtualModule(create_sql);
        if (!Readable(t.name)) {
          spdlog::warn("sqlite: virtual table {} (USING {}) skipped: {}", t.name, module,
                       sqlite3_errmsg(db_));
          continue;
        }
        t.notes.push_back("virtual table (USING " + module +
                          ") copied as a plain table of its rows; its index is not carried over");
        create_sql.clear();  // no column definitions of SQLite's to parse
      }
      {
        // table_xinfo lists generated columns too: hidden 2 (VIRTUAL) and 3 (STORED).
        Stmt info(db_,
                  "SELECT name, type, \"notnull\", dflt_value, pk, hidden FROM "
                  "pragma_table_xinfo(" +
                      QuoteLiteral(t.name) + ") WHERE hidden <> 1");
        auto generated = GeneratedExpressions(create_sql);
        std::vector<std::pair<int, std::string>> pk;
        while (info.Step()) {
          SourceColumn c;
          c.name = info.Text(0);
          c.declared_type = info.Text(1);
          c.not_null = info.Int(2) != 0;
          if (!info.IsNull(3)) c.default_expr = info.Text(3);
          if (info.Int(4) > 0) pk.emplace_back(static_cast<int>(info.Int(4)), c.name);
          if (info.Int(5) == 2 || info.Int(5) == 3) {
            c.generated = true;
            if (auto g = generated.find(Upper(c.name)); g != generated.end())
              c.generation_expr = g->second;
          }
          const char* coll = nullptr;
          if (sqlite3_table_column_metadata(db_, nullptr, t.name.c_str(), c.name.c_str(), nullptr,
                                            &coll, nullptr, nullptr, nullptr) == SQLITE_OK &&
              coll)
            c.collation = coll;
          t.columns.push_back(std::move(c));
        }
        std::sort(pk.begin(), pk.end());
        for (auto& [_, n] : pk) t.primary_key.push_back(n);
      }
      ParseCreateTable(create_sql, &t.checks, &t.primary_key_name);
      {
        Stmt idx(db_, "SELECT name, \"unique\", origin, partial FROM pragma_index_list(" +
                          QuoteLiteral(t.name) + ") ORDER BY name");
        while (idx.Step()) {
          if (idx.Text(2) == "pk") {
            t.key_indexed = true;
            continue;
          }
          SourceIndex ix;
          ix.name = idx.Text(0);
          ix.unique = idx.Int(1) != 0;
          bool expression = false;
          Stmt cols(db_, "SELECT cid, name FROM pragma_index_info(" + QuoteLiteral(ix.name) +
                             ") ORDER BY seqno");
          while (cols.Step()) {
            if (cols.Int(0) < 0) expression = true;
            ix.columns.push_back(cols.Text(1));
          }
          if (expression || idx.Int(3) != 0) {
            t.notes.push_back("index " + ix.name + " (expression or partial) not carried over");
            continue;
          }
          t.indexes.push_back(std::move(ix));
        }
      }
      {
        Stmt fk(db_,
                "SELECT id, seq, \"table\", \"from\", \"to\", on_update, on_delete FROM "
                "pragma_foreign_key_list(" +
                    QuoteLiteral(t.name) + ") ORDER BY id, seq");
        int64_t cur = -1;
        while (fk.Step()) {
          if (fk.Int(0) != cur) {
            cur = fk.Int(0);
            t.foreign_keys.push_back({});
            t.foreign_keys.back().ref_table = fk.Text(2);
            t.foreign_keys.back().on_update = fk.Text(5);
            t.foreign_keys.back().on_delete = fk.Text(6);
          }
          t.foreign_keys.back().columns.push_back(fk.Text(3));
          t.foreign_keys.back().ref_columns.push_back(fk.Text(4));
        }
      }
      {
        Stmt cnt(db_, "SELECT count(*) FROM " + QuoteSqlite(t.name));
        cnt.Step();
        t.estimated_rows = cnt.Int(0);
      }
      out.push_back(std::move(t));
    }
    // AUTOINCREMENT keys are never handed out again, even after a delete: the identity
    // continues from sqlite_sequence (absent until a table has had a row).
    if (Stmt has(db_, "SELECT 1 FROM sqlite_master WHERE name = 'sqlite_sequence'"); has.Step()) {
      Stmt seq(db_, "SELECT name, seq FROM sqlite_sequence");
      while (seq.Step())
        for (auto& t : out)
          if (t.name == seq.Text(0) && seq.Int(1) < INT64_MAX) t.next_auto_key = seq.Int(1) + 1;
    }
    // Foreign keys without target columns reference the parent's primary key.
    for (auto& t : out)
      for (auto& fk : t.foreign_keys)
        for (size_t k = 0; k < fk.ref_columns.size(); ++k)
          if (fk.ref_columns[k].empty())
            for (auto& p : out)
              if (p.name == fk.ref_table && k < p.primary_key.size())
                fk.ref_columns[k] = p.primary_key[k];
    return out;
  }

  std::vector<std::string> NotCarried() override {
    std::vector<std::string> out;
    Stmt st(db_, "SELECT type, name, tbl_name FROM sqlite_master WHERE type IN ('view', "
                 "'trigger') ORDER BY type DESC, name");
    while (st.Step())
      out.push_back(st.Text(0) == "view"
                        ? "view " + st.Text(1) + " is not copied (recreate it from the source's SELECT)"
                        : "trigger " + st.Text(1) + " (on " + st.Text(2) +
                              ") is not carried: rows change in PostgreSQL without it");
    return out;
  }

  std::unique_ptr<RowCursor> Query(const std::string& sql,
                                   std::vector<std::string>* columns) override {
    // The trailing rowid the cursor expects for labels is supplied as a constant.
    auto cur = std::make_unique<SqliteCursor>(db_, "SELECT *, 0 FROM (" + sql + ")",
                                              std::vector<int>{}, std::vector<std::string>{});
    Stmt names(db_, "SELECT * FROM (" + sql + ") LIMIT 0");
    columns->clear();
    for (int i = 0; i < sqlite3_column_count(names.Raw()); ++i)
      columns->push_back(sqlite3_column_name(names.Raw(), i));
    return cur;
  }

  std::optional<KeyRange> KeyBounds(const SourceTable& table) override {
    // An INTEGER PRIMARY KEY is the rowid; other rowid tables range over the rowid itself,
    // by a name no column of theirs takes.
    std::optional<std::string> col = RowidName(table);
    if (table.primary_key.size() == 1)
      for (const auto& c : table.columns)
        if (c.name == table.primary_key[0] && Upper(c.declared_type) == "INTEGER" &&
            !table.key_indexed)
          col = c.name;
    if (!col) return std::nullopt;
    try {
      // Two subqueries: SQLite reads min() or max() alone off the b-tree's ends, but both
      // in one SELECT scan the whole table (0.14 s for 1.5M rows, before any row moves).
      std::string from = " FROM " + QuoteSqlite(table.name) + ")";
      Stmt st(db_, "SELECT (SELECT min(" + KeySql(*col) + ")" + from + ", (SELECT max(" +
                       KeySql(*col) + ")" + from);
      if (!st.Step() || st.IsNull(0)) return std::nullopt;
      return KeyBoundsOf(*col, st.Int(0), st.Int(1));
    } catch (const std::runtime_error&) {
      return std::nullopt;  // WITHOUT ROWID
    }
  }

  std::unique_ptr<RowCursor> Scan(const SourceTable& table,
                                  const std::vector<std::string>& order_by,
                                  const std::optional<KeyRange>& range) override {
    std::string sql = "SELECT ";
    for (size_t i = 0; i < table.columns.size(); ++i)
      sql += (i ? ", " : "") + QuoteSqlite(table.columns[i].name);
    // The rowid labels rows of key-less tables; WITHOUT ROWID tables always have a key.
    auto rowid = RowidName(table);
    sql += (table.primary_key.empty() && rowid ? ", " + *rowid : std::string(", 0")) + " FROM " +
           QuoteSqlite(table.name);
    sql += KeyRangeWhere(range, KeySql);
    if (!order_by.empty()) {
      sql += " ORDER BY ";
      // Byte order, as PostgreSQL's COLLATE "C" on the target side: a key declared COLLATE
      // NOCASE ('B' before 'a' in bytes) came out in another order, so diff saw rows missing
      // and extra, and sync deleted them.
      for (size_t i = 0; i < order_by.size(); ++i)
        sql += (i ? ", " : "") + QuoteSqlite(order_by[i]) + " COLLATE BINARY";
    }
    std::vector<int> key_cols = KeyColumnIndexes(table);
    return std::make_unique<SqliteCursor>(db_, sql, key_cols, table.primary_key);
  }

 private:
  static std::string QuoteLiteral(const std::string& s) {
    std::string r = "'";
    for (char c : s) {
      if (c == '\'') r += '\'';
      r += c;
    }
    return r + "'";
  }

  std::string path_;
  sqlite3* db_ = nullptr;
};

}  // namespace

std::unique_ptr<Source> SqliteSnapshot(Source& source, const std::string& path) {
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr) !=
      SQLITE_OK) {
    sqlite3_close(db);
    throw std::runtime_error("sqlite: cannot create " + path);
  }
  std::unique_ptr<sqlite3, int (*)(sqlite3*)> guard(db, sqlite3_close);
  auto exec = [&](const std::string& sql) {
    if (sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr) != SQLITE_OK)
      throw std::runtime_error("sqlite: " + std::string(sqlite3_errmsg(db)) + " in: " + sql);
  };
  exec("PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF; BEGIN");
  for (const auto& t : source.Tables()) {
    std::string cols, marks;
    for (const auto& c : t.columns) {
      cols += (cols.empty() ? "" : ", ") + QuoteSqlite(c.name) + " " + QuoteSqlite(c.declared_type);
      marks += marks.empty() ? "?" : ", ?";
    }
    exec("CREATE TABLE " + QuoteSqlite(t.name) + " (" + cols + ")");
    Stmt ins(db, "INSERT INTO " + QuoteSqlite(t.name) + " VALUES (" + marks + ")");
    auto cur = source.Scan(t, {}, std::nullopt);
    while (cur->Next()) {
      if (cur->RowError()) continue;
      auto* st = ins.Raw();
      sqlite3_reset(st);
      for (int i = 0; i < static_cast<int>(t.columns.size()); ++i) {
        const auto& v = cur->Value(i);
        using K = SourceValue::Kind;
        if (v.kind == K::kInt)
          sqlite3_bind_int64(st, i + 1, v.i);
        else if (v.kind == K::kReal)
          sqlite3_bind_double(st, i + 1, v.d);
        else if (v.kind == K::kText)
          sqlite3_bind_text(st, i + 1, v.s.data(), static_cast<int>(v.s.size()), SQLITE_TRANSIENT);
        else if (v.kind == K::kBlob)
          sqlite3_bind_blob(st, i + 1, v.s.data(), static_cast<int>(v.s.size()), SQLITE_TRANSIENT);
        else
          sqlite3_bind_null(st, i + 1);
      }
      ins.Step();
    }
  }
  exec("COMMIT");
  guard.reset();
  return OpenSqlite(path);
}

std::unique_ptr<Source> OpenSqlite(const std::string& path) {
  return std::make_unique<SqliteSource>(path);
}

}  // namespace corrente::migrate
