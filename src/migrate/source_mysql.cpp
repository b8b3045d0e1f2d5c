// MySQL/MariaDB source through MariaDB Connector/C. The session is READ ONLY, uses
// time_zone '+00:00' (TIMESTAMP values come out in UTC, DATETIME is never shifted) and
// character_set_results NULL, so text arrives as the column's own bytes and the plan
// converts latin1 and validates UTF-8 itself, row by row.
#include <mysql.h>

#include <cctype>
#include <stdexcept>

#include "migrate/source.h"
#include "migrate/types.h"
#include "migrate/values.h"

namespace corrente::migrate {
namespace {

std::string PercentDecode(const std::string& s) {
  std::string r;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size()) {
      r += static_cast<char>(std::stoi(s.substr(i + 1, 2), nullptr, 16));
      i += 2;
    } else {
      r += s[i];
    }
  }
  return r;
}

std::string QuoteMy(const std::string& ident) {
  std::string r = "`";
  for (char c : ident) {
    if (c == '`') r += '`';
    r += c;
  }
  return r + "`";
}

std::vector<std::string> ParseMembers(const std::string& column_type) {
  // enum('a','b''c') -> a, b'c
  std::vector<std::string> out;
  auto open = column_type.find('(');
  if (open == std::string::npos) return out;
  size_t i = open + 1;
  while (i < column_type.size() && column_type[i] == '\'') {
    std::string m;
    ++i;
    while (i < column_type.size()) {
      if (column_type[i] == '\'' && i + 1 < column_type.size() && column_type[i + 1] == '\'') {
        m += '\'';
        i += 2;
      } else if (column_type[i] == '\'') {
        ++i;
        break;
      } else {
        m += column_type[i++];
      }
    }
    out.push_back(m);
    if (i < column_type.size() && column_type[i] == ',') ++i;
  }
  return out;
}

// A quoted default as MariaDB's information_schema writes it ('a\\b', 'l1\nl2', 'it\'s',
// 'q''q') in standard SQL, where only a doubled quote is special: the plan reads that form
// (left as it was, a backslash stayed in the PostgreSQL default: 'it\'s').
std::string StandardLiteral(const std::string& d) {
  if (d.size() < 2 || d.front() != '\'' || d.back() != '\'') return d;
  std::string out = "'";
  for (size_t i = 1; i + 1 < d.size(); ++i) {
    char c = d[i];
    if (c == '\\' && i + 2 < d.size()) {
      char e = d[++i];
      c = e == 'n' ? '\n' : e == 't' ? '\t' : e == 'r' ? '\r' : e == '0' ? '\0' : e == 'Z' ? '\x1a'
          : e == 'b' ? '\b' : e;
    } else if (c == '\'') {
      if (i + 2 >= d.size() || d[i + 1] != '\'') return d;  // not one literal: an expression
      ++i;
    }
    out += c;
    if (c == '\'') out += '\'';
  }
  return out + "'";
}

class Conn {
 public:
  explicit Conn(const std::string& url) {
    // mysql://user:pass@host:port/db[?socket=/path]
    std::string rest = url.substr(url.find("://") + 3);
    std::string query;
    if (auto q = rest.find('?'); q != std::string::npos) query = rest.substr(q + 1), rest.resize(q);
    auto slash = rest.find('/');
    if (slash == std::string::npos)
      throw std::runtime_error("mysql URL needs a database: mysql://user:pass@host:port/db");
    db_ = PercentDecode(rest.substr(slash + 1));
    std::string auth_host = rest.substr(0, slash);
    std::string user, pass, host = "127.0.0.1";
    unsigned port = 3306;
    if (auto at = auth_host.rfind('@'); at != std::string::npos) {
      std::string auth = auth_host.substr(0, at);
      auth_host = auth_host.substr(at + 1);
      auto colon = auth.find(':');
      user = PercentDecode(auth.substr(0, colon));
      if (colon != std::string::npos) pass = PercentDecode(auth.substr(colon + 1));
    }
    if (auto colon = auth_host.rfind(':'); colon != std::string::npos) {
      port = static_cast<unsigned>(std::stoul(auth_host.substr(colon + 1)));
      auth_host.resize(colon);
    }
    if (!auth_host.empty()) host = auth_host;
    std::string socket;
    if (query.rfind("socket=", 0) == 0) socket = PercentDecode(query.substr(7));
    my_ = mysql_init(nullptr);
    mysql_options(my_, MYSQL_SET_CHARSET_NAME, "utf8mb4");
    if (!mysql_real_connect(my_, host.c_str(), user.c_str(), pass.c_str(), db_.c_str(), port,
                            socket.empty() ? nullptr : socket.c_str(), 0)) {
      std::string err = mysql_error(my_);
      mysql_close(my_);
      throw std::runtime_error("mysql: cannot connect to " + host + ":" + std::to_string(port) +
                               "/" + db_ + ": " + err);
    }
    Exec("SET SESSION TRANSACTION READ ONLY");
    Exec("SET time_zone = '+00:00'");
    Exec("SET character_set_results = NULL");
    Exec("SET SESSION sql_mode = ''");
  }
  ~Conn() { mysql_close(my_); }
  Conn(const Conn&) = delete;
  Conn& operator=(const Conn&) = delete;

  void Exec(const std::string& sql) {
    if (mysql_real_query(my_, sql.data(), sql.size()) != 0)
      throw std::runtime_error("mysql: " + Error() + " in: " + sql);
    if (MYSQL_RES* r = mysql_store_result(my_)) mysql_free_result(r);
  }
  // Runs a catalog query and returns all rows as strings ("" for NULL, with a null mask).
  std::vector<std::vector<std::optional<std::string>>> Rows(const std::string& sql) {
    if (mysql_real_query(my_, sql.data(), sql.size()) != 0)
      throw std::runtime_error("mysql: " + Error() + " in: " + sql);
    MYSQL_RES* r = mysql_store_result(my_);
    std::vector<std::vector<std::optional<std::string>>> out;
    if (!r) return out;
    unsigned n = mysql_num_fields(r);
    while (MYSQL_ROW row = mysql_fetch_row(r)) {
      unsigned long* len = mysql_fetch_lengths(r);
      std::vector<std::optional<std::string>> v;
      for (unsigned i = 0; i < n; ++i)
        v.push_back(row[i] ? std::optional<std::string>(std::string(row[i], len[i]))
                           : std::nullopt);
      out.push_back(std::move(v));
    }
    mysql_free_result(r);
    return out;
  }
  std::string Literal(const std::string& s) {
    std::string buf(s.size() * 2 + 1, '\0');
    buf.resize(mysql_real_escape_string(my_, buf.data(), s.data(), s.size()));
    return "'" + buf + "'";
  }
  std::string Error() { return mysql_error(my_); }
  MYSQL* Raw() { return my_; }
  const std::string& Db() const { return db_; }

 private:
  MYSQL* my_ = nullptr;
  std::string db_;
};

class MysqlCursor : public RowCursor {
 public:
  MysqlCursor(Conn& conn, const std::string& sql, std::vector<int> key_cols,
              std::vector<std::string> key_names)
      : conn_(conn), key_cols_(std::move(key_cols)), key_names_(std::move(key_names)) {
    if (mysql_real_query(conn.Raw(), sql.data(), sql.size()) != 0)
      throw std::runtime_error("mysql: " + conn.Error() + " in: " + sql);
    res_ = mysql_use_result(conn.Raw());  // streams: bounded memory whatever the table size
    if (!res_) throw std::runtime_error("mysql: " + conn.Error());
    n_ = mysql_num_fields(res_);
    MYSQL_FIELD* f = mysql_fetch_fields(res_);
    binary_.resize(n_);
    for (unsigned i = 0; i < n_; ++i)
      binary_[i] = f[i].charsetnr == 63 && f[i].type != MYSQL_TYPE_NEWDECIMAL &&
                   !IS_NUM(f[i].type) && f[i].type != MYSQL_TYPE_DATE &&
                   f[i].type != MYSQL_TYPE_DATETIME && f[i].type != MYSQL_TYPE_TIMESTAMP &&
                   f[i].type != MYSQL_TYPE_TIME && f[i].type != MYSQL_TYPE_YEAR;
    for (unsigned i = 0; i < n_; ++i)
      if (f[i].type == MYSQL_TYPE_BIT) binary_[i] = true;
    values_.resize(n_);
    for (unsigned i = 0; i < n_; ++i) names_.emplace_back(f[i].name, f[i].name_length);
  }
  const std::vector<std::string>& Names() const { return names_; }
  ~MysqlCursor() override {
    if (res_) {
      while (mysql_fetch_row(res_)) {
      }
      mysql_free_result(res_);
    }
  }
  bool Next() override {
    MYSQL_ROW row = mysql_fetch_row(res_);
    if (!row) {
      if (mysql_errno(conn_.Raw())) throw std::runtime_error("mysql: " + conn_.Error());
      return false;
    }
    ++row_number_;
    unsigned long* len = mysql_fetch_lengths(res_);
    for (unsigned i = 0; i < n_; ++i) {
      auto& v = values_[i];
      if (!row[i]) {
        v.kind = SourceValue::Kind::kNull;
      } else {
        v.kind = binary_[i] ? SourceValue::Kind::kBlob : SourceValue::Kind::kText;
        v.s = {row[i], len[i]};
      }
    }
    return true;
  }
  const SourceValue& Value(int col) const override { return values_[col]; }
  std::string RowLabel() const override {
    if (key_cols_.empty()) return "row " + std::to_string(row_number_);
    if (latin1_keys_.empty()) return KeyLabel(values_, key_cols_, key_names_);
    // A latin1 key is shown as its text (é), as diff shows it, not as its byte (\xE9).
    std::vector<SourceValue> shown = values_;
    std::vector<std::string> decoded(latin1_keys_.size());
    for (size_t k = 0; k < latin1_keys_.size(); ++k) {
      auto& v = shown[latin1_keys_[k]];
      if (v.kind != SourceValue::Kind::kText) continue;
      decoded[k] = Latin1ToUtf8(v.s);
      v.s = decoded[k];
    }
    return KeyLabel(shown, key_cols_, key_names_);
  }
  // Key columns (positions) whose text is latin1 (cp1252) bytes.
  void SetLatin1Keys(std::vector<int> cols) { latin1_keys_ = std::move(cols); }

 private:
  Conn& conn_;
  MYSQL_RES* res_ = nullptr;
  unsigned n_ = 0;
  std::vector<bool> binary_;
  std::vector<std::string> names_;
  std::vector<SourceValue> values_;
  std::vector<int> key_cols_;
  std::vector<std::string> key_names_;
  std::vector<int> latin1_keys_;
  int64_t row_number_ = 0;
};

class MysqlSource : public Source {
 public:
  explicit MysqlSource(const std::string& url) : conn_(url) {}
  std::string Kind() const override { return "mysql"; }
  const TypeMapping& Types() const override { return MysqlTypes(); }
  std::string DefaultSchemaName() const override { return SanitizeName(conn_.Db()); }

  std::vector<SourceTable> Tables() override {
    std::vector<SourceTable> out;
    std::string db = conn_.Literal(conn_.Db());
    // MariaDB's system-versioned tables are tables too: their current rows are copied.
    for (auto& row : conn_.Rows(
             "SELECT table_name, table_rows, auto_increment, table_type, create_options, table_comment "
             "FROM "
             "information_schema.tables WHERE table_schema = " +
             db + " AND table_type IN ('BASE TABLE', 'SYSTEM VERSIONED') ORDER BY table_name")) {
      SourceTable t;
      t.name = *row[0];
      t.estimated_rows = row[1] ? std::stoll(*row[1]) : -1;
      if (row[2]) t.next_auto_key = std::stoll(*row[2]);
      t.comment = row[5].value_or("");
      if (*row[3] == "SYSTEM VERSIONED")
        t.notes.push_back("system-versioned: its current rows are copied, not its history");
      if (row[4] && Contains(Lower(*row[4]), "partitioned"))
        t.notes.push_back("partitioned in the source: copied as one table");
      std::string tn = conn_.Literal(t.name);
      for (auto& c :
           conn_.Rows("SELECT column_name, column_type, is_nullable, column_default, extra, "
                      "character_set_name, data_type, generation_expression, collation_name, column_comment "
                      "FROM "
                      "information_schema.columns WHERE "
                      "table_schema = " +
                      db + " AND table_name = " + tn + " ORDER BY ordinal_position")) {
        SourceColumn col;
        col.name = *c[0];
        col.declared_type = *c[1];
        col.not_null = *c[2] == "NO";
        if (c[3] && *c[3] != "NULL") col.default_expr = StandardLiteral(*c[3]);
        std::string extra;
        for (char ch : c[4].value_or(""))
          extra += static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
        col.auto_increment = extra.find("auto_increment") != std::string::npos;
        col.on_update_now = extra.find("on update current_timestamp") != std::string::npos;
        col.generated = extra.find("generated") != std::string::npos || extra == "virtual" ||
                        extra == "persistent" || extra == "stored";
        if (col.generated) col.generation_expr = c[7].value_or("");
        col.charset = c[5].value_or("");
        col.collation = c[8].value_or("");
        col.comment = c[9].value_or("");
        if (*c[6] == "enum" || *c[6] == "set") col.members = ParseMembers(*c[1]);
        if (*c[6] == "json") col.declared_type = "json";
        t.columns.push_back(std::move(col));
      }
      // Declared SRIDs: MariaDB's GEOMETRY_COLUMNS, else MySQL 8's ST_GEOMETRY_COLUMNS.
      for (const char* sql :
           {"SELECT g_geometry_column, srid FROM information_schema.geometry_columns WHERE "
            "g_table_schema = ",
            "SELECT column_name, srs_id FROM information_schema.st_geometry_columns WHERE "
            "table_schema = "}) {
        try {
          for (auto& g : conn_.Rows(sql + db + " AND " +
                                    (sql[7] == 'g' ? "g_table_name" : "table_name") + " = " + tn))
            for (auto& c : t.columns)
              if (g[0] && g[1] && *g[0] == c.name) c.srid = std::stoi(*g[1]);
          break;
        } catch (const std::exception&) {
        }
      }
      for (auto& ix :
           conn_.Rows("SELECT index_name, non_unique, column_name, sub_part, index_type, collation "
                      "FROM "
                      "information_schema.statistics WHERE table_schema = " +
                      db + " AND table_name = " + tn +
                      " ORDER BY index_name = 'PRIMARY' DESC, index_name, seq_in_index")) {
        if (*ix[0] == "PRIMARY") {
          t.primary_key.push_back(*ix[2]);
          t.primary_key_name = "PRIMARY";
          continue;
        }
        if (t.indexes.empty() || t.indexes.back().name != *ix[0])
          t.indexes.push_back({*ix[0], {}, *ix[1] == "0", ix[4] && *ix[4] == "SPATIAL",
                               ix[4] && *ix[4] == "FULLTEXT"});
        if (!ix[2]) continue;
        auto& six = t.indexes.back();
        six.columns.push_back(*ix[2]);
        six.prefix.push_back(ix[3] && !six.spatial ? std::stoi(*ix[3]) : 0);
        six.descending.push_back(ix[5] && *ix[5] == "D");
      }
      try {
        for (auto& ck : conn_.Rows(
                 "SELECT constraint_name, check_clause FROM information_schema.check_constraints "
                 "WHERE constraint_schema = " +
                 db + " AND table_name = " + tn + " ORDER BY 1")) {
          // MariaDB's JSON type: LONGTEXT and this CHECK, which jsonb itself enforces.
          bool json = false;
          for (auto& c : t.columns)
            if (*ck[1] == "json_valid(`" + c.name + "`)") json = c.json = true;
          if (!json) t.checks.push_back(*ck[1]);
        }
      } catch (const std::exception&) {
        t.notes.push_back("this server does not report CHECK constraints");
      }
      for (auto& fk : conn_.Rows(
               "SELECT k.constraint_name, k.column_name, k.referenced_table_name, "
               "k.referenced_column_name, "
               "r.delete_rule, r.update_rule FROM information_schema.key_column_usage k JOIN "
               "information_schema.referential_constraints r ON r.constraint_schema = "
               "k.constraint_schema AND "
               "r.constraint_name = k.constraint_name AND r.table_name = k.table_name WHERE "
               "k.table_schema = " +
               db + " AND k.table_name = " + tn +
               " AND k.referenced_table_name IS NOT NULL ORDER BY 1, k.ordinal_position")) {
        if (t.foreign_keys.empty() || t.foreign_keys.back().name != *fk[0])
          t.foreign_keys.push_back({*fk[0], {}, *fk[2], {}, *fk[4], *fk[5]});
        t.foreign_keys.back().columns.push_back(*fk[1]);
        t.foreign_keys.back().ref_columns.push_back(*fk[3]);
      }
      out.push_back(std::move(t));
    }
    return out;
  }

  std::unique_ptr<RowCursor> Scan(const SourceTable& table,
                                  const std::vector<std::string>& order_by,
                                  const std::optional<KeyRange>& range) override {
    std::string sql = "SELECT ";
    for (size_t i = 0; i < table.columns.size(); ++i) {
      const auto& c = table.columns[i];
      std::string base = Lower(c.declared_type);
      base = base.substr(0, base.find_first_of("( "));
      std::string col = QuoteMy(c.name);
      if (base == "float")  // as a double: MySQL prints a FLOAT with 6 digits
        col = "(" + col + " + 0E0)";
      else if (MysqlServerConverts(c.charset))
        col = "CONVERT(" + col + " USING utf8mb4)";
      sql += (i ? ", " : "") + col;
    }
    sql += " FROM " + QuoteMy(table.name);
    sql += KeyRangeWhere(range, QuoteMy);
    if (!order_by.empty()) {
      sql += " ORDER BY ";
      for (size_t i = 0; i < order_by.size(); ++i) {
        std::string charset;
        for (const auto& c : table.columns)
          if (c.name == order_by[i]) charset = c.charset;
        // Binary order of the UTF-8 text matches PostgreSQL's COLLATE "C" (a latin1 or
        // cp1251 key is converted first: its own bytes sort otherwise).
        std::string key = QuoteMy(order_by[i]);
        if (!charset.empty() && charset != "binary" && !Contains(charset, "utf8") &&
            charset != "ascii")
          key = "CONVERT(" + key + " USING utf8mb4)";
        sql += (i ? ", " : "") + (charset.empty() ? key : "CAST(" + key + " AS BINARY)");
      }
    }
    std::vector<int> key_cols = KeyColumnIndexes(table);
    std::vector<int> latin1;
    for (int k : key_cols)
      if (table.columns[k].charset == "latin1" || table.columns[k].charset == "cp1252")
        latin1.push_back(k);
    auto cur = std::make_unique<MysqlCursor>(conn_, sql, key_cols, table.primary_key);
    cur->SetLatin1Keys(std::move(latin1));
    return cur;
  }

  std::unique_ptr<RowCursor> Query(const std::string& sql,
                                   std::vector<std::string>* columns) override {
    // Query results have no single column charset to convert from: let the server convert
    // to UTF-8. Table scans on this source afterwards would be converted too, so map (the
    // only caller) uses a source for queries only.
    conn_.Exec("SET character_set_results = utf8mb4");
    auto cur =
        std::make_unique<MysqlCursor>(conn_, sql, std::vector<int>{}, std::vector<std::string>{});
    *columns = cur->Names();
    return cur;
  }

  std::optional<KeyRange> KeyBounds(const SourceTable& table) override {
    auto key = SingleIntegerKey(table);
    if (!key) return std::nullopt;
    auto r = conn_.Rows("SELECT MIN(" + QuoteMy(*key) + "), MAX(" + QuoteMy(*key) + ") FROM " +
                        QuoteMy(table.name));
    if (r.empty() || !r[0][0] || !r[0][1]) return std::nullopt;
    try {
      return KeyBoundsOf(*key, std::stoll(*r[0][0]), std::stoll(*r[0][1]));
    } catch (const std::exception&) {
      return std::nullopt;  // unsigned keys past the int64 range
    }
  }

  std::vector<std::string> NotCarried() override {
    std::vector<std::string> out;
    std::string db = conn_.Literal(conn_.Db());
    for (auto& r : conn_.Rows("SELECT table_name FROM information_schema.views WHERE "
                              "table_schema = " + db + " ORDER BY 1"))
      out.push_back("view " + *r[0] + " is not copied (recreate it from the source's SELECT)");
    for (auto& r : conn_.Rows("SELECT table_name FROM information_schema.tables WHERE "
                              "table_schema = " + db + " AND table_type = 'SEQUENCE' ORDER BY 1"))
      out.push_back("sequence " + *r[0] + " (MariaDB) is not carried: create it in PostgreSQL "
                    "past the source's next value");
    for (auto& r : conn_.Rows("SELECT trigger_name, action_timing, event_manipulation, "
                              "event_object_table FROM information_schema.triggers WHERE "
                              "trigger_schema = " + db + " ORDER BY 1"))
      out.push_back("trigger " + *r[0] + " (" + *r[1] + " " + *r[2] + " on " + *r[3] +
                    ") is not carried: rows change in PostgreSQL without it");
    for (auto& r : conn_.Rows("SELECT routine_type, routine_name FROM "
                              "information_schema.routines WHERE routine_schema = " + db +
                              " ORDER BY 2"))
      out.push_back(Lower(*r[0]) + " " + *r[1] + " is not carried");
    try {
      for (auto& r : conn_.Rows("SELECT event_name FROM information_schema.events WHERE "
                                "event_schema = " + db + " ORDER BY 1"))
        out.push_back("event " + *r[0] + " is not carried");
    } catch (const std::exception&) {
    }
    return out;
  }

  bool AllZeroOrOne(const SourceTable& table, const std::string& column) override {
    return conn_
        .Rows("SELECT 1 FROM " + QuoteMy(table.name) + " WHERE " + QuoteMy(column) +
              " NOT IN (0, 1) LIMIT 1")
        .empty();
  }

 private:
  Conn conn_;
};

}  // namespace

std::unique_ptr<Source> OpenMysql(const std::string& url) {
  return std::make_unique<MysqlSource>(url);
}

}  // namespace corrente::migrate
