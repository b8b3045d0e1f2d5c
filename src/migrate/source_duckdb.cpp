// DuckDB source through its C API (built only when .deps/duckdb is present). The database
// is opened READ_ONLY; rows stream in chunks (duckdb_execute_prepared_streaming), every
// column cast to VARCHAR (DuckDB prints doubles shortest round-trip) and BLOBs as hex.
#include <duckdb.h>

#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <stdexcept>

#include "migrate/source.h"
#include "migrate/types.h"

namespace corrente::migrate {
namespace {

std::string QuoteDuck(const std::string& ident) {
  std::string r = "\"";
  for (char c : ident) {
    if (c == '"') r += '"';
    r += c;
  }
  return r + "\"";
}
std::string LiteralDuck(const std::string& s) {
  std::string r = "'";
  for (char c : s) {
    if (c == '\'') r += '\'';
    r += c;
  }
  return r + "'";
}

// A streaming query: rows are read chunk by chunk as text.
class DuckStream {
 public:
  DuckStream(duckdb_connection con, const std::string& sql) {
    if (duckdb_prepare(con, sql.c_str(), &stmt_) != DuckDBSuccess) {
      std::string err = duckdb_prepare_error(stmt_);
      duckdb_destroy_prepare(&stmt_);
      throw std::runtime_error("duckdb: " + err + " in: " + sql);
    }
    if (duckdb_execute_prepared_streaming(stmt_, &res_) != DuckDBSuccess) {
      std::string err = duckdb_result_error(&res_);
      duckdb_destroy_result(&res_);
      duckdb_destroy_prepare(&stmt_);
      throw std::runtime_error("duckdb: " + err + " in: " + sql);
    }
    cols_ = duckdb_column_count(&res_);
  }
  ~DuckStream() {
    if (chunk_) duckdb_destroy_data_chunk(&chunk_);
    duckdb_destroy_result(&res_);
    duckdb_destroy_prepare(&stmt_);
  }
  DuckStream(const DuckStream&) = delete;
  DuckStream& operator=(const DuckStream&) = delete;

  bool Next() {
    while (!chunk_ || ++row_ >= size_) {
      if (chunk_) duckdb_destroy_data_chunk(&chunk_);
      chunk_ = duckdb_fetch_chunk(res_);
      if (!chunk_) return false;
      size_ = duckdb_data_chunk_get_size(chunk_);
      row_ = 0;
      if (size_ > 0) break;
    }
    return true;
  }
  idx_t Cols() const { return cols_; }
  std::optional<std::string_view> Get(idx_t col) {
    duckdb_vector v = duckdb_data_chunk_get_vector(chunk_, col);
    uint64_t* validity = duckdb_vector_get_validity(v);
    if (validity && !duckdb_validity_row_is_valid(validity, row_)) return std::nullopt;
    auto* data = static_cast<duckdb_string_t*>(duckdb_vector_get_data(v));
    return std::string_view(duckdb_string_t_data(&data[row_]), duckdb_string_t_length(data[row_]));
  }

 private:
  duckdb_prepared_statement stmt_ = nullptr;
  duckdb_result res_{};
  duckdb_data_chunk chunk_ = nullptr;
  idx_t cols_ = 0, size_ = 0, row_ = 0;
};

class DuckCursor : public RowCursor {
 public:
  DuckCursor(duckdb_connection con, const std::string& sql, std::vector<bool> blob,
             std::vector<int> key_cols, std::vector<std::string> key_names)
      : stream_(con, sql),
        blob_(std::move(blob)),
        key_cols_(std::move(key_cols)),
        key_names_(std::move(key_names)) {
    values_.resize(blob_.size());
    blobs_.resize(blob_.size());
  }
  bool Next() override {
    if (!stream_.Next()) return false;
    ++row_number_;
    for (size_t i = 0; i < values_.size(); ++i) {
      auto v = stream_.Get(i);
      auto& out = values_[i];
      if (!v) {
        out.kind = SourceValue::Kind::kNull;
      } else if (blob_[i]) {
        blobs_[i].clear();
        for (size_t k = 0; k + 1 < v->size(); k += 2)
          blobs_[i] += static_cast<char>(std::stoi(std::string(v->substr(k, 2)), nullptr, 16));
        out.kind = SourceValue::Kind::kBlob;
        out.s = blobs_[i];
      } else {
        out.kind = SourceValue::Kind::kText;
        out.s = *v;
      }
    }
    return true;
  }
  const SourceValue& Value(int col) const override { return values_[col]; }
  std::string RowLabel() const override {
    if (key_cols_.empty()) return "row " + std::to_string(row_number_);
    return KeyLabel(values_, key_cols_, key_names_);
  }

 private:
  DuckStream stream_;
  std::vector<bool> blob_;
  std::vector<SourceValue> values_;
  std::vector<std::string> blobs_;
  std::vector<int> key_cols_;
  std::vector<std::string> key_names_;
  int64_t row_number_ = 0;
};

// One READ_ONLY database per file, shared by every Source of it that is open at the same
// time (any schema, any thread: each has its own connection, as DuckDB requires). Opening
// the file costs 27-135 ms here (catalog, thread pool); a connection costs next to nothing.
class DuckDatabase {
 public:
  explicit DuckDatabase(const std::string& path) {
    duckdb_config config;
    duckdb_create_config(&config);
    duckdb_set_config(config, "access_mode", "READ_ONLY");
    char* err = nullptr;
    if (duckdb_open_ext(path.c_str(), &db_, config, &err) != DuckDBSuccess) {
      std::string msg = err ? err : "unknown error";
      duckdb_free(err);
      duckdb_destroy_config(&config);
      throw std::runtime_error("duckdb: cannot open " + path + ": " + msg);
    }
    duckdb_destroy_config(&config);
  }
  ~DuckDatabase() { duckdb_close(&db_); }
  DuckDatabase(const DuckDatabase&) = delete;
  DuckDatabase& operator=(const DuckDatabase&) = delete;
  duckdb_database get() const { return db_; }

 private:
  duckdb_database db_ = nullptr;
};

// The open database of `path`, or a new one. Closed when its last Source is: a file is not
// held (READ_ONLY takes a lock a writer waits on) between commands or `sync --follow` passes.
std::shared_ptr<DuckDatabase> SharedDatabase(const std::string& path) {
  static std::mutex mu;
  static std::map<std::string, std::weak_ptr<DuckDatabase>> open;
  std::lock_guard<std::mutex> lock(mu);
  auto& slot = open[path];
  if (auto db = slot.lock()) return db;
  auto db = std::make_shared<DuckDatabase>(path);
  slot = db;
  return db;
}

class DuckdbSource : public Source {
 public:
  // `path` may end in ?schema=NAME: the tables of that schema (default main).
  explicit DuckdbSource(const std::string& url) : path_(url) {
    if (auto q = url.rfind("?schema="); q != std::string::npos) {
      schema_ = url.substr(q + 8);
      path_ = url.substr(0, q);
      if (schema_.empty()) throw std::runtime_error("duckdb: ?schema= names no schema");
    }
    if (!std::filesystem::exists(path_)) throw std::runtime_error("duckdb: no such file: " + path_);
    db_ = SharedDatabase(path_);
    if (duckdb_connect(db_->get(), &con_) != DuckDBSuccess)
      throw std::runtime_error("duckdb: cannot connect");
  }
  ~DuckdbSource() override { duckdb_disconnect(&con_); }
  std::string Kind() const override { return "duckdb"; }
  const TypeMapping& Types() const override { return DuckdbTypes(); }
  // The file's stem; another schema than main adds its own name: odd.duckdb?schema=sales
  // -> odd_sales.
  std::string DefaultSchemaName() const override {
    std::string stem = std::filesystem::path(path_).stem().string();
    return SanitizeName(schema_ == "main" ? stem : stem + "_" + schema_);
  }

  std::vector<std::vector<std::optional<std::string>>> Rows(const std::string& sql) {
    DuckStream s(con_, sql);
    std::vector<std::vector<std::optional<std::string>>> out;
    while (s.Next()) {
      std::vector<std::optional<std::string>> row;
      for (idx_t i = 0; i < s.Cols(); ++i) {
        auto v = s.Get(i);
        row.push_back(v ? std::optional<std::string>(std::string(*v)) : std::nullopt);
      }
      out.push_back(std::move(row));
    }
    return out;
  }

  std::vector<SourceTable> Tables() override {
    std::vector<SourceTable> out;
    const std::string in = " WHERE schema_name = " + LiteralDuck(schema_);
    for (auto& tr : Rows("SELECT table_name, CAST(estimated_size AS VARCHAR) FROM duckdb_tables()" +
                         in + " AND NOT internal ORDER BY table_name")) {
      SourceTable t;
      t.name = *tr[0];
      std::string tn = LiteralDuck(t.name);
      for (auto& c :
           Rows("SELECT column_name, data_type, CAST(is_nullable AS VARCHAR), column_default FROM "
                "duckdb_columns()" + in + " AND table_name = " +
                tn + " ORDER BY column_index")) {
        SourceColumn col;
        col.name = *c[0];
        col.declared_type = *c[1];
        col.not_null = *c[2] == "false";
        if (c[3]) col.default_expr = *c[3];
        t.columns.push_back(std::move(col));
      }
      for (auto& k :
           Rows("SELECT constraint_type, CAST(constraint_column_names AS VARCHAR), expression, "
                "constraint_name, CAST(referenced_column_names AS VARCHAR), referenced_table FROM "
                "duckdb_constraints()" + in + " AND table_name = " +
                tn + " ORDER BY constraint_index")) {
        auto names = SplitList(k[1].value_or("[]"));
        if (*k[0] == "PRIMARY KEY") {
          t.primary_key = names;
        } else if (*k[0] == "UNIQUE") {
          t.indexes.push_back({"", names, true});
        } else if (*k[0] == "CHECK" && k[2]) {
          t.checks.push_back(*k[2]);
        } else if (*k[0] == "FOREIGN KEY" && k[5]) {
          t.foreign_keys.push_back(
              {"", names, *k[5], SplitList(k[4].value_or("[]")), "NO ACTION", "NO ACTION"});
        }
      }
      for (auto& ix :
           Rows("SELECT index_name, CAST(is_unique AS VARCHAR), CAST(expressions AS VARCHAR) FROM "
                "duckdb_indexes()" + in + " AND table_name = " +
                tn)) {
        auto cols = SplitList(ix[2].value_or("[]"));
        t.indexes.push_back({*ix[0], cols, *ix[1] == "true"});
      }
      t.estimated_rows = tr[1] ? std::stoll(*tr[1]) : -1;
      out.push_back(std::move(t));
    }
    return out;
  }

  std::vector<std::string> NotCarried() override {
    std::vector<std::string> out;
    // One schema per source URL: copy, verify (and --manifest), diff and sync of main's go on
    // to the others (OtherSchemas); plan takes each through its own URL.
    for (auto& r : Rows("SELECT schema_name, table_name FROM duckdb_tables() WHERE schema_name <> " +
                        LiteralDuck(schema_) + " AND NOT internal ORDER BY 1, 2"))
      out.push_back("table " + *r[0] + "." + *r[1] + " is in schema " + *r[0] + ": " +
                    (schema_ == "main" ? "copy, verify, diff and sync of this URL take it after main's"
                                       : "not copied by this command") +
                    "; its own source URL is duckdb://" + path_ +
                    (*r[0] == "main" ? "" : "?schema=" + *r[0]) + " (plan)");
    for (auto& r : Rows("SELECT schema_name, view_name FROM duckdb_views() WHERE NOT internal "
                        "ORDER BY 1, 2"))
      out.push_back("view " + (*r[0] == "main" ? "" : *r[0] + ".") + *r[1] +
                    " is not copied (recreate it from the source's SELECT)");
    return out;
  }

  std::vector<std::string> OtherSchemas() override {
    std::vector<std::string> out;
    if (schema_ != "main") return out;
    for (auto& r : Rows("SELECT DISTINCT schema_name FROM duckdb_tables() WHERE schema_name <> "
                        "'main' AND NOT internal AND database_name = current_database() "
                        "ORDER BY 1"))
      out.push_back(*r[0]);
    return out;
  }

  std::unique_ptr<RowCursor> Query(const std::string& sql,
                                   std::vector<std::string>* columns) override {
    columns->clear();
    {
      duckdb_result res;
      std::string probe = "SELECT * FROM (" + sql + ") LIMIT 0";
      if (duckdb_query(con_, probe.c_str(), &res) != DuckDBSuccess) {
        std::string err = duckdb_result_error(&res);
        duckdb_destroy_result(&res);
        throw std::runtime_error("duckdb: " + err);
      }
      for (idx_t i = 0; i < duckdb_column_count(&res); ++i)
        columns->push_back(duckdb_column_name(&res, i));
      duckdb_destroy_result(&res);
    }
    std::string select;
    for (const auto& c : *columns)
      select += (select.empty() ? "" : ", ") + std::string("CAST(") + QuoteDuck(c) + " AS VARCHAR)";
    return std::make_unique<DuckCursor>(con_, "SELECT " + select + " FROM (" + sql + ")",
                                        std::vector<bool>(columns->size(), false),
                                        std::vector<int>{}, std::vector<std::string>{});
  }

  std::optional<KeyRange> KeyBounds(const SourceTable& table) override {
    auto key = SingleIntegerKey(table);
    if (!key) return std::nullopt;
    std::vector<std::string> names;
    auto cur = Query("SELECT min(" + QuoteDuck(*key) + "), max(" + QuoteDuck(*key) + ") FROM " +
                         Table(table),
                     &names);
    if (!cur->Next() || cur->Value(0).kind != SourceValue::Kind::kText ||
        cur->Value(1).kind != SourceValue::Kind::kText)
      return std::nullopt;
    try {
      return KeyBoundsOf(*key, std::stoll(std::string(cur->Value(0).s)),
                         std::stoll(std::string(cur->Value(1).s)));
    } catch (const std::exception&) {
      return std::nullopt;  // HUGEINT/UBIGINT keys past the int64 range
    }
  }

  std::unique_ptr<RowCursor> Scan(const SourceTable& table,
                                  const std::vector<std::string>& order_by,
                                  const std::optional<KeyRange>& range) override {
    std::string sql = "SELECT ";
    std::vector<bool> blob;
    for (size_t i = 0; i < table.columns.size(); ++i) {
      const auto& c = table.columns[i];
      bool is_blob = c.declared_type == "BLOB";
      blob.push_back(is_blob);
      // A FLOAT prints as its shortest float form (0.1), which as a double is another value:
      // read as a double, it is the float's exact value (0.10000000149011612).
      std::string col = c.declared_type == "FLOAT" ? "CAST(" + QuoteDuck(c.name) + " AS DOUBLE)"
                                                   : QuoteDuck(c.name);
      sql += (i ? ", " : "") + (is_blob ? "hex(" + col + ")" : "CAST(" + col + " AS VARCHAR)");
    }
    sql += " FROM " + Table(table);
    sql += KeyRangeWhere(range, QuoteDuck);
    if (!order_by.empty()) {
      sql += " ORDER BY ";
      for (size_t i = 0; i < order_by.size(); ++i) {
        bool text = false, enumeration = false;
        for (const auto& c : table.columns)
          if (c.name == order_by[i]) {
            text = c.declared_type == "VARCHAR";
            enumeration = c.declared_type.rfind("ENUM(", 0) == 0;
          }
        // An ENUM sorts by its members' order; its text (the target's) by bytes.
        std::string key = QuoteDuck(order_by[i]);
        if (enumeration) key = "CAST(" + key + " AS VARCHAR)";
        // (after an expression, DuckDB's parser takes the collation only quoted)
        sql += (i ? ", " : "") + key + (text || enumeration ? " COLLATE \"binary\"" : "");
      }
    }
    std::vector<int> key_cols = KeyColumnIndexes(table);
    return std::make_unique<DuckCursor>(con_, sql, blob, key_cols, table.primary_key);
  }

 private:
  // "[a, b]" -> {a, b}
  static std::vector<std::string> SplitList(const std::string& s) {
    std::vector<std::string> out;
    std::string cur;
    for (char c : s) {
      if (c == '[' || c == ']') continue;
      if (c == ',') {
        out.push_back(cur);
        cur.clear();
      } else if (c != ' ' || !cur.empty()) {
        cur += c;
      }
    }
    if (!cur.empty()) out.push_back(cur);
    for (auto& x : out)
      if (x.size() >= 2 && x.front() == '"' && x.back() == '"') x = x.substr(1, x.size() - 2);
    return out;
  }

  std::string Table(const SourceTable& t) const { return QuoteDuck(schema_) + "." + QuoteDuck(t.name); }

  std::string path_;
  std::string schema_ = "main";
  std::shared_ptr<DuckDatabase> db_;
  duckdb_connection con_ = nullptr;
};

}  // namespace

std::unique_ptr<Source> OpenDuckdb(const std::string& path) {
  return std::make_unique<DuckdbSource>(path);
}

}  // namespace corrente::migrate
