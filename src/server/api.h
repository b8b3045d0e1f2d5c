#pragma once
// The pieces every /api/v1 handler shares: the caller (Principal), errors that map to HTTP
// statuses, strict query-parameter parsing, rendering a pg::Result as the JSON envelope or
// as CSV, the per-request database session with prepared statements, and the audit record.
// Nothing here includes Beast, so handler files compile quickly.
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "common/json.h"
#include "common/utf8.h"
#include "pg/pool.h"
#include "server/router.h"

namespace corrente::server {

enum class Role { kViewer = 1, kAnalyst = 2, kAdmin = 3 };
std::optional<Role> ParseRole(std::string_view s);  // "ADMIN" | "ANALYST" | "VIEWER"
const char* RoleName(Role r);

// The authenticated caller, taken from a verified token.
struct Principal {
  int64_t user_id = 0;
  std::string username;
  Role role = Role::kViewer;
  std::string jti;
  int64_t expires_at = 0;     // unix seconds
  int64_t issued_at = 0;      // unix seconds
  int64_t token_version = 0;  // the account's support.users.token_version at issue ("ver")
};

// Page sizes: JSON pages and buffered CSV at most kMaxPageRows; CSV exports (streamed) up to
// kMaxCsvRows.
inline constexpr int64_t kMaxPageRows = 1000;
inline constexpr int64_t kMaxCsvRows = 10'000'000;

// ?format=csv, or Accept: text/csv without ?format.
bool WantsCsv(const Request& req);

// Thrown by handlers; the API layer turns it into the error envelope.
class ApiError : public std::runtime_error {
 public:
  ApiError(int status, std::string code, const std::string& detail)
      : std::runtime_error(detail), status_(status), code_(std::move(code)) {}
  int Status() const { return status_; }
  const std::string& Code() const { return code_; }
  std::vector<std::pair<std::string, std::string>> headers;

 private:
  int status_;
  std::string code_;
};


// Strict parsing of query parameters. Each getter records a problem instead of throwing,
// so one 400 names every bad parameter; call Check() before using the values.
class Params {
 public:
  explicit Params(const Request& req) : req_(req) {}
  std::optional<int64_t> Int(const std::string& name, int64_t min, int64_t max);
  std::optional<int64_t> RequiredInt(const std::string& name, int64_t min, int64_t max);
  std::optional<std::string> Date(const std::string& name);  // YYYY-MM-DD, returned as given
  std::optional<bool> Bool(const std::string& name);         // true|false|1|0
  std::optional<std::string> Enum(const std::string& name, const std::vector<std::string>& allowed);
  // At most max_len bytes of UTF-8 without NUL.
  std::optional<std::string> Text(const std::string& name, size_t max_len = 200);
  // limit (default 100, 1..1000; up to kMaxCsvRows for CSV, which ListPage streams) and
  // offset (>= 0). BufferedLimit() is 1..1000 always, for lists that cannot stream.
  int64_t Limit();
  int64_t BufferedLimit();
  int64_t Offset();
  // A path parameter that must be a positive integer; 400 naming it otherwise.
  int64_t PathId(const std::string& name);
  void Fail(const std::string& name, const std::string& why);
  // Throws ApiError 400 "invalid_parameter" naming every bad parameter.
  void Check() const;

 private:
  const Request& req_;
  std::vector<std::pair<std::string, std::string>> problems_;
};

// JSON helpers.
// True for PostgreSQL's text of a number JSON cannot hold (NaN, Infinity, -Infinity): written
// as null.
inline bool NonFiniteNumber(std::string_view v) {
  return v == "NaN" || v == "Infinity" || v == "-Infinity";
}
// One row as a JSON object; `skip` names columns to leave out.
void AppendRowJson(std::string& out, const pg::Result& r, int row,
                   const std::set<std::string>& skip = {});
std::string RowsJson(const pg::Result& r, const std::set<std::string>& skip = {});
// `n`: the first n rows only (-1: all).
std::string RowsCsv(const pg::Result& r, const std::set<std::string>& skip = {}, int n = -1);
// One CSV cell: quoted when it holds , " CR or LF; a text a spreadsheet would evaluate as a
// formula (leading = + - @ tab CR, except a whole negative number) gets a ' in front.
void AppendCsvField(std::string& out, std::string_view v);
// Converts a timestamptz text (TimeZone=UTC) into ISO 8601 with Z.
std::string IsoTimestamp(std::string_view pg_text);

// {"status":"success","data":<data_json>,"metadata":<metadata_json>}
Response Envelope(std::string_view data_json, const std::string& metadata_json = "{}",
                  int status = 200);

// The request's view of the database: borrows one pooled connection on first use and
// prepares each distinct statement once per connection. Not thread-safe (one per request).
class Db {
 public:
  explicit Db(pg::Pool& pool) : pool_(pool) {}
  pg::Result Query(const std::string& sql, const std::vector<pg::Param>& params);
  template <typename... A>
  pg::Result Q(const std::string& sql, A&&... args) {
    return Query(sql, std::vector<pg::Param>{pg::ToParam(std::forward<A>(args))...});
  }
  // Several statements in one round trip (libpq pipeline mode, one implicit transaction).
  struct Statement {
    std::string sql;
    std::vector<pg::Param> params;
  };
  std::vector<pg::Result> Pipeline(const std::vector<Statement>& statements);
  pg::Connection& Conn();
  // Hands the borrowed connection to the caller (a streamed response that outlives the Db).
  pg::Pool::Lease TakeLease();

 private:
  pg::Pool& pool_;
  std::optional<pg::Pool::Lease> lease_;
};

// Who did what from where, for support.audit_logs.
struct AuditEntry {
  std::string actor;
  std::string action;
  std::optional<std::string> entity_type;
  std::optional<int64_t> entity_id;
  std::string details_json = "{}";
};
// Inserts the audit row on `db`'s connection (inside the caller's transaction, if any).
void WriteAudit(Db& db, const Request& req, const AuditEntry& e);
// A bulk write's audit: one row per id of `ids` (a PostgreSQL bigint[] literal), details
// {"bulk":true,"changed":<id in `changed`>}.
void WriteBulkAudit(Db& db, const Request& req, const std::string& actor,
                    const std::string& action, const std::string& entity_type,
                    const std::string& ids, const std::string& changed);

// What a handler gets: the request, the caller (null on open routes), the database and
// whether the client asked for CSV.
struct Ctx {
  const Request& req;
  const Principal* user;
  Db& db;
  bool csv;
};

// A list page: JSON envelope with metadata.total_count/limit/offset, or CSV of the rows.
// A total_count column is left out. `n`: the first n rows only (-1: all).
Response ListReply(const Ctx& ctx, const pg::Result& rows, int64_t total, int64_t limit,
                   int64_t offset, const std::string& extra_metadata_json = "",
                   const std::set<std::string>& skip = {}, int n = -1);
// ListReply's JSON for rows already written as a JSON array of `n` rows (`rows_json`).
Response JsonListReply(std::string_view rows_json, int64_t total, int64_t limit, int64_t offset,
                       int64_t n, const std::string& extra_metadata_json);
// ListReply's JSON for rows that each hold their object, already written, in column `col`
// (a generated column such as core.dim_item.api_json); nullopt when one of them is NULL.
std::optional<Response> RenderedListReply(const pg::Result& rows, int col, int64_t total,
                                          int64_t limit, int64_t offset,
                                          const std::string& extra_metadata_json);
// PageQuery + ListReply, except that a CSV page larger than kMaxPageRows (an export) streams:
// a read-only cursor is fetched kCsvChunkRows at a time on the request's connection, each
// chunk written (chunked transfer) before the next is fetched. Streamed responses are neither
// cached nor given an ETag.
inline constexpr int kCsvChunkRows = 2000;
// Exports running at once; more get 503 with Retry-After (each holds a pooled connection).
inline constexpr int kMaxConcurrentExports = 8;
// ... and of them, at most this many of one account at once (429 past it): one account never
// holds every export slot.
inline constexpr int kMaxExportsPerAccount = 4;
Response ListPage(Ctx& ctx, const std::string& sql, std::vector<pg::Param> params, int64_t limit,
                  int64_t offset, const std::string& extra_metadata_json = "",
                  const std::set<std::string>& skip = {});
// The optional filters of a statement, as " AND ..." conditions: the test of each given one,
// and "<param> IS NULL" (true, and a one-time filter in the plan) for each absent one, so every
// parameter keeps its number and type. Each combination is then its own statement, whose
// generic plan PostgreSQL keeps per connection, where "($1 IS NULL OR col = $1)" is planned
// again on every execution (0.1-0.3 ms) for want of a generic plan that can use an index.
struct SqlFilter {
  bool given;
  const char* test;   // e.g. "f.item_id = $1"
  const char* param;  // e.g. "$1::int"
};
std::string GivenOnly(const std::vector<SqlFilter>& filters);
// True when ListPage will stream (CSV beyond kMaxPageRows).
bool Streams(const Ctx& ctx, int64_t limit);
// Runs a page query whose last two parameters are LIMIT and OFFSET and whose rows carry
// count(*) OVER () AS total_count. When the page is empty past the end, the total is
// fetched by running it again at offset 0. A row whose total_count is null (a header row
// joined to no page row) counts as an empty page.
struct Page {
  pg::Result rows;
  int64_t total = 0;
};
Page PageQuery(Db& db, const std::string& sql, std::vector<pg::Param> params, int64_t limit,
               int64_t offset);

}  // namespace corrente::server
