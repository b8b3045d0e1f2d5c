#pragma once
// Legacy sources (SQLite, MySQL/MariaDB, DuckDB, CSV) behind one read-only interface.
// A Source describes its tables (columns, keys, indexes, checks, foreign keys) and streams
// rows one at a time; it never writes. A Source and its cursors are not thread-safe: each
// worker thread opens its own Source with OpenSource().
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace corrente::migrate {

struct SourceColumn {
  std::string name;
  std::string declared_type;  // as the source spells it: "NVARCHAR(120)", "tinyint(1) unsigned"
  bool not_null = false;
  std::optional<std::string> default_expr;  // source text of the DEFAULT, when any
  // MySQL only: the column's character set ("latin1", "utf8mb4", "binary"), enum/set members.
  std::string charset;
  std::vector<std::string> members;
  int srid = 0;  // MySQL only: a spatial column's declared SRID
  bool auto_increment = false;
  // MySQL only: ON UPDATE CURRENT_TIMESTAMP. MySQL and SQLite: a generated (VIRTUAL/STORED)
  // column.
  bool on_update_now = false;
  bool generated = false;
  // MySQL and SQLite: a generated column's expression in the source's dialect (may be empty).
  std::string generation_expr;
  // MariaDB only: a JSON column, which it declares LONGTEXT with a CHECK (json_valid(col)).
  bool json = false;
  // SQLite: the column's collating sequence ("BINARY", "NOCASE", "RTRIM"); MySQL: its
  // collation ("utf8mb4_general_ci").
  std::string collation;
  std::string comment;  // MySQL: COMMENT '...' (empty: none)
};

struct SourceIndex {
  std::string name;
  std::vector<std::string> columns;
  bool unique = false;
  bool spatial = false;   // MySQL/MariaDB SPATIAL (an R-tree)
  bool fulltext = false;  // MySQL/MariaDB FULLTEXT
  // MySQL: per column, a prefix length (0: the whole column) and a descending part.
  std::vector<int> prefix = {};
  std::vector<bool> descending = {};
};

struct SourceForeignKey {
  std::string name;  // may be empty (SQLite)
  std::vector<std::string> columns;
  std::string ref_table;
  std::vector<std::string> ref_columns;
  std::string on_delete;  // "NO ACTION", "CASCADE", ...
  std::string on_update;
};

struct SourceTable {
  std::string name;
  std::vector<SourceColumn> columns;
  std::vector<std::string> primary_key;  // column names in key order; empty when none
  std::string primary_key_name;
  std::vector<SourceIndex> indexes;  // unique constraints and plain indexes, not the PK
  std::vector<std::string> checks;   // CHECK expressions in the source dialect
  std::vector<SourceForeignKey> foreign_keys;
  int64_t estimated_rows = -1;
  // The source's next automatic key (MySQL AUTO_INCREMENT, SQLite sqlite_sequence + 1), 0
  // when unknown: an identity continues from it, so deleted keys are not handed out again.
  int64_t next_auto_key = 0;
  std::vector<std::string> notes;  // what the source could not describe (expression indexes)
  std::string comment;             // MySQL: the table's COMMENT (empty: none)
  // SQLite: the PRIMARY KEY has an index of its own, so it is not the rowid even when it is
  // one INTEGER column (INTEGER PRIMARY KEY DESC, WITHOUT ROWID).
  bool key_indexed = false;
};

// One value as the source gives it. Views stay valid until the cursor moves.
struct SourceValue {
  enum class Kind { kNull, kInt, kReal, kText, kBlob };
  Kind kind = Kind::kNull;
  int64_t i = 0;
  double d = 0;
  std::string_view s;  // kText (raw bytes, in the column's charset) and kBlob
};

// Streams rows of one table. Next() returns false at the end.
class RowCursor {
 public:
  virtual ~RowCursor() = default;
  virtual bool Next() = 0;
  virtual const SourceValue& Value(int col) const = 0;
  // A readable key of the current row for reports: "AlbumId=3" or "line 17".
  virtual std::string RowLabel() const { return {}; }
  // Set when the source row itself is malformed (CSV field count); the row is rejected.
  virtual std::optional<std::string> RowError() const { return std::nullopt; }
};

// Inclusive/exclusive bounds over a single-column integer key, for ranges and bisection.
struct KeyRange {
  std::string column;
  std::optional<int64_t> lo;  // key >= lo
  std::optional<int64_t> hi;  // key < hi
};

class TypeMapping;  // types.h

class Source {
 public:
  virtual ~Source() = default;
  virtual std::string Kind() const = 0;  // "sqlite", "mysql", "duckdb", "csv"
  // How this source's declared column types map to PostgreSQL (types_<kind>.cpp).
  virtual const TypeMapping& Types() const = 0;
  // A default target schema name derived from the source (file stem or database name).
  virtual std::string DefaultSchemaName() const = 0;
  virtual std::vector<SourceTable> Tables() = 0;
  // What the copy does not carry beyond tables (views, triggers, routines, events), one line
  // each for the plan: "view v_stock is not copied".
  virtual std::vector<std::string> NotCarried();
  // Streams `columns` of `table`, ordered by `order_by` when not empty, within `range` when
  // given. Order is by binary collation for text keys.
  virtual std::unique_ptr<RowCursor> Scan(const SourceTable& table,
                                          const std::vector<std::string>& order_by,
                                          const std::optional<KeyRange>& range) = 0;
  // Runs a read-only query in the source's own dialect (for `migrate map`) and fills
  // `columns` with the result's column names. CSV sources do not support it (throw).
  virtual std::unique_ptr<RowCursor> Query(const std::string& sql,
                                           std::vector<std::string>* columns);
  // Other schemas of this source that copy, verify and sync take after this one, each
  // through its own URL (this one + "?schema=NAME"; DuckDB's main only), empty by default.
  virtual std::vector<std::string> OtherSchemas();
  // True when every non-null value of an integer column is 0 or 1 (MySQL tinyint(1)).
  virtual bool AllZeroOrOne(const SourceTable& table, const std::string& column);
  // An indexed integer column of `table` and its [min, max + 1) bounds (see KeyBoundsOf), for
  // scanning the table in key ranges (SQLite: the rowid). nullopt when there is none or it
  // is empty.
  virtual std::optional<KeyRange> KeyBounds(const SourceTable& table);
};

// Opens `url` read-only: sqlite:///path.db, mysql://user:pass@host:port/db,
// duckdb:///path.duckdb, csv:///dir. Throws std::runtime_error on a bad URL or failure.
std::unique_ptr<Source> OpenSource(const std::string& url);

// Turns any name into a safe lower-case identifier ("Chinook DB" -> "chinook_db").
std::string SanitizeName(std::string_view name);

// [min, max + 1) for KeyBounds; at max = INT64_MAX the end stays INT64_MAX, which is why
// splits leave their last range open (SplitKeyRange).
KeyRange KeyBoundsOf(const std::string& column, int64_t min, int64_t max);
// Splits `bounds` into at most `n` ranges of even key width (at least one). The first range
// has no lower bound and the last no upper bound, so rows past the bounds are covered too.
std::vector<KeyRange> SplitKeyRange(const KeyRange& bounds, int n);
// Shared by the SQL sources' Scan(): " WHERE key >= lo AND key < hi" for `range` (empty
// when it has no bound), with the source's identifier quoting.
std::string KeyRangeWhere(const std::optional<KeyRange>& range,
                          const std::function<std::string(const std::string&)>& quote);
// The primary key's column when it is a single integer column ("int(11)", "BIGINT", ...).
std::optional<std::string> SingleIntegerKey(const SourceTable& table);
// Positions of the primary-key columns in table.columns, in key order.
std::vector<int> KeyColumnIndexes(const SourceTable& table);
// A row's key as "k1=v1,k2=v2" (NULL for nulls, text as Printable() shows it), the label its
// rejects and diffs carry. Whole and one-to-one per key value, so refused rows are found
// again by it.
std::string KeyLabel(const std::vector<SourceValue>& values, const std::vector<int>& key_cols,
                     const std::vector<std::string>& key_names);
// "-12", "3.5", "+.5": an optional sign, digits and at most one point, at least one digit.
bool IsDecimalText(std::string_view s);

// Writes every table of `source` into a new SQLite database file at `path` (columns keep
// their declared types as SQLite affinities; malformed rows are left out) and opens it
// read-only. Gives CSV sources SQL for `migrate map`.
std::unique_ptr<Source> SqliteSnapshot(Source& source, const std::string& path);

// Per-kind factories (source_*.cpp).
std::unique_ptr<Source> OpenSqlite(const std::string& path);
std::unique_ptr<Source> OpenMysql(const std::string& url);
std::unique_ptr<Source> OpenCsv(const std::string& dir);
std::unique_ptr<Source> OpenDuckdb(const std::string& path);  // throws when built without it

}  // namespace corrente::migrate
