#include "server/api.h"

#include <atomic>
#include <charconv>
#include <mutex>
#include <unordered_map>
#include <unordered_set>

#include "common/dates.h"
#include "server/encoding.h"

namespace corrente::server {

std::optional<Role> ParseRole(std::string_view s) {
  if (s == "ADMIN") return Role::kAdmin;
  if (s == "ANALYST") return Role::kAnalyst;
  if (s == "VIEWER") return Role::kViewer;
  return std::nullopt;
}

const char* RoleName(Role r) {
  switch (r) {
    case Role::kAdmin:
      return "ADMIN";
    case Role::kAnalyst:
      return "ANALYST";
    case Role::kViewer:
      return "VIEWER";
  }
  return "VIEWER";
}

// ---- Params ----

namespace {

std::optional<int64_t> ToInt(std::string_view s) {
  int64_t v = 0;
  if (s.empty()) return std::nullopt;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
  return v;
}

std::string Shown(const std::string& v) { return ToUtf8(v, 40) + (v.size() > 40 ? "..." : ""); }

}  // namespace

void Params::Fail(const std::string& name, const std::string& why) {
  problems_.emplace_back(name, why);
}

std::optional<int64_t> Params::Int(const std::string& name, int64_t min, int64_t max) {
  auto v = req_.Query(name);
  if (!v) return std::nullopt;
  auto n = ToInt(*v);
  if (!n) {
    Fail(name, "must be an integer, got \"" + Shown(*v) + "\"");
    return std::nullopt;
  }
  if (*n < min || *n > max) {
    Fail(name, "must be between " + std::to_string(min) + " and " + std::to_string(max));
    return std::nullopt;
  }
  return n;
}

std::optional<int64_t> Params::RequiredInt(const std::string& name, int64_t min, int64_t max) {
  if (!req_.Query(name)) {
    Fail(name, "is required");
    return std::nullopt;
  }
  return Int(name, min, max);
}

std::optional<std::string> Params::Date(const std::string& name) {
  auto v = req_.Query(name);
  if (!v) return std::nullopt;
  if (!ParseDate(*v)) {
    Fail(name, "must be a date YYYY-MM-DD, got \"" + Shown(*v) + "\"");
    return std::nullopt;
  }
  return v;
}

std::optional<bool> Params::Bool(const std::string& name) {
  auto v = req_.Query(name);
  if (!v) return std::nullopt;
  if (*v == "true" || *v == "1") return true;
  if (*v == "false" || *v == "0") return false;
  Fail(name, "must be true or false, got \"" + Shown(*v) + "\"");
  return std::nullopt;
}

std::optional<std::string> Params::Enum(const std::string& name,
                                        const std::vector<std::string>& allowed) {
  auto v = req_.Query(name);
  if (!v) return std::nullopt;
  for (const auto& a : allowed)
    if (*v == a) return v;
  std::string list;
  for (const auto& a : allowed) list += (list.empty() ? "" : ", ") + a;
  Fail(name, "must be one of " + list + ", got \"" + Shown(*v) + "\"");
  return std::nullopt;
}

std::optional<std::string> Params::Text(const std::string& name, size_t max_len) {
  auto v = req_.Query(name);
  if (!v) return std::nullopt;
  if (v->size() > max_len) {
    Fail(name, "is longer than " + std::to_string(max_len) + " bytes");
    return std::nullopt;
  }
  if (v->find('\0') != std::string::npos) {
    Fail(name, "must not contain NUL");
    return std::nullopt;
  }
  if (!IsUtf8(*v)) {
    Fail(name, "must be UTF-8");
    return std::nullopt;
  }
  return v;
}

int64_t Params::Limit() {
  return Int("limit", 1, WantsCsv(req_) ? kMaxCsvRows : kMaxPageRows).value_or(100);
}
int64_t Params::BufferedLimit() { return Int("limit", 1, kMaxPageRows).value_or(100); }

bool WantsCsv(const Request& req) {
  if (auto f = req.Query("format")) return *f == "csv";
  auto accept = req.Header("accept");
  return accept && Listed(*accept, {"text/csv"});
}
int64_t Params::Offset() { return Int("offset", 0, 1'000'000'000).value_or(0); }

int64_t Params::PathId(const std::string& name) {
  auto it = req_.path_params.find(name);
  std::string v = it == req_.path_params.end() ? "" : it->second;
  auto n = ToInt(v);
  if (!n || *n < 1 || *n > 2'147'483'647) {
    Fail(name, "must be a positive integer, got \"" + Shown(v) + "\"");
    return 0;
  }
  return *n;
}

void Params::Check() const {
  if (problems_.empty()) return;
  std::string detail;
  std::string names;
  for (const auto& [n, why] : problems_) {
    detail += (detail.empty() ? "" : "; ") + n + " " + why;
    names += (names.empty() ? "" : ",") + n;
  }
  ApiError e(400, "invalid_parameter", detail);
  e.headers.emplace_back("X-Invalid-Parameters", names);
  throw e;
}

// ---- JSON and CSV ----

namespace {

// "2026-11-22 03:03:59.123456+00" -> "2026-11-22T03:03:59.123456Z", appended to `out`.
void AppendIsoTimestamp(std::string& out, std::string_view t) {
  bool utc = t.size() > 3 && t.substr(t.size() - 3) == "+00";
  if (utc) t.remove_suffix(3);
  if (t.size() > 10 && t[10] == ' ') {
    out.append(t.substr(0, 10));
    out += 'T';
    out.append(t.substr(11));
  } else {
    out.append(t);
  }
  if (utc) out += 'Z';
}

}  // namespace

std::string IsoTimestamp(std::string_view t) {
  std::string s;
  AppendIsoTimestamp(s, t);
  return s;
}

namespace {

constexpr Oid kBool = 16, kInt8 = 20, kInt2 = 21, kInt4 = 23, kJson = 114, kFloat4 = 700,
              kFloat8 = 701, kNumeric = 1700, kJsonb = 3802, kTimestamptz = 1184;

// A result's columns as AppendRowJson writes them: the index, the type and `"name":`, the
// skipped ones left out. Built once per result, not once per row.
struct JsonColumn {
  int col;
  Oid type;
  std::string key;
};
std::vector<JsonColumn> JsonColumns(const pg::Result& r, const std::set<std::string>& skip) {
  std::vector<JsonColumn> cols;
  for (int c = 0; c < r.Cols(); ++c) {
    std::string name = r.ColumnName(c);
    if (skip.count(name)) continue;
    std::string key;
    AppendJsonString(key, name);
    key += ':';
    cols.push_back({c, r.ColumnType(c), std::move(key)});
  }
  return cols;
}

void AppendValue(std::string& out, const pg::Result& r, int row, int col, Oid type) {
  if (r.IsNull(row, col)) {
    out += "null";
    return;
  }
  auto v = r.Get(row, col);
  switch (type) {
    case kBool:
      out += v == "t" ? "true" : "false";
      return;
    case kInt2:
    case kInt4:
    case kInt8:
    case kJson:
    case kJsonb:
      out += v;
      return;
    case kFloat4:
    case kFloat8:
    case kNumeric:
      if (NonFiniteNumber(v))
        out += "null";
      else
        out += v;
      return;
    case kTimestamptz:
      // PostgreSQL's text of a timestamptz has nothing JSON escapes: quoted as it is, without a
      // temporary string per cell.
      out += '"';
      AppendIsoTimestamp(out, v);
      out += '"';
      return;
    default:
      AppendJsonString(out, v);
  }
}

void AppendRow(std::string& out, const pg::Result& r, int row, const std::vector<JsonColumn>& cols) {
  out += '{';
  for (size_t i = 0; i < cols.size(); ++i) {
    if (i) out += ',';
    out += cols[i].key;
    AppendValue(out, r, row, cols[i].col, cols[i].type);
  }
  out += '}';
}

// "-12", "-0.5", "-1e-3": a negative number, which no spreadsheet reads as a formula.
bool NegativeNumber(std::string_view v) {
  size_t i = 1, digits = 0;
  while (i < v.size() && std::isdigit(static_cast<unsigned char>(v[i]))) ++i, ++digits;
  if (i < v.size() && v[i] == '.') {
    ++i;
    while (i < v.size() && std::isdigit(static_cast<unsigned char>(v[i]))) ++i, ++digits;
  }
  if (digits == 0) return false;
  if (i < v.size() && (v[i] == 'e' || v[i] == 'E')) {
    ++i;
    if (i < v.size() && (v[i] == '+' || v[i] == '-')) ++i;
    size_t exp = i;
    while (i < v.size() && std::isdigit(static_cast<unsigned char>(v[i]))) ++i;
    if (i == exp) return false;
  }
  return i == v.size();
}

}  // namespace

void AppendCsvField(std::string& out, std::string_view v) {
  bool quote = v.find_first_of(",\"\r\n") != std::string_view::npos;
  // A leading = + - @ (or a tab or CR before one) makes spreadsheets evaluate the cell; a
  // quote in front neutralizes it. Only a whole negative number keeps its '-': "-2+3+cmd|..."
  // is a formula (OWASP CSV injection).
  bool formula = !v.empty() && (v[0] == '=' || v[0] == '+' || v[0] == '@' || v[0] == '\t' ||
                                v[0] == '\r' || (v[0] == '-' && !NegativeNumber(v)));
  if (!quote && !formula) {
    out += v;
    return;
  }
  out += '"';
  if (formula) out += '\'';
  for (char c : v) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
}

void AppendRowJson(std::string& out, const pg::Result& r, int row,
                   const std::set<std::string>& skip) {
  AppendRow(out, r, row, JsonColumns(r, skip));
}

namespace {

// The rows as a JSON array appended to `out`. Once the first row is written, its size sizes the
// buffer for all of them, so a 30 KB page grows once instead of doubling three times.
// `n`: the first n rows only (-1: all).
void AppendRowsJson(std::string& out, const pg::Result& r, const std::set<std::string>& skip,
                    int n = -1) {
  const std::vector<JsonColumn> cols = JsonColumns(r, skip);
  if (n < 0) n = r.Rows();
  out += '[';
  for (int i = 0; i < n; ++i) {
    if (i) out += ',';
    size_t before = out.size();
    AppendRow(out, r, i, cols);
    if (i == 0) out.reserve(out.size() + (out.size() - before + 1) * (n - 1) * 9 / 8 + 256);
  }
  out += ']';
}

}  // namespace

std::string RowsJson(const pg::Result& r, const std::set<std::string>& skip) {
  std::string out;
  AppendRowsJson(out, r, skip);
  return out;
}

namespace {

std::vector<int> CsvColumns(const pg::Result& r, const std::set<std::string>& skip) {
  std::vector<int> cols;
  for (int c = 0; c < r.Cols(); ++c)
    if (!skip.count(r.ColumnName(c))) cols.push_back(c);
  return cols;
}

void AppendCsvHeader(std::string& out, const pg::Result& r, const std::vector<int>& cols) {
  for (size_t i = 0; i < cols.size(); ++i) {
    if (i) out += ',';
    AppendCsvField(out, r.ColumnName(cols[i]));
  }
  out += "\r\n";
}

void AppendCsvRows(std::string& out, const pg::Result& r, const std::vector<int>& cols, int n = -1) {
  for (int row = 0; row < (n < 0 ? r.Rows() : n); ++row) {
    for (size_t i = 0; i < cols.size(); ++i) {
      if (i) out += ',';
      if (r.IsNull(row, cols[i])) continue;
      auto v = r.Get(row, cols[i]);
      const Oid type = r.ColumnType(cols[i]);
      if (type == kTimestamptz)
        AppendCsvField(out, IsoTimestamp(v));
      else if (type == kBool)  // spreadsheets read true/false, not PostgreSQL's t/f
        out += v == "t" ? "true" : "false";
      else
        AppendCsvField(out, v);
    }
    out += "\r\n";
  }
}

// A CSV export in flight: a read-only transaction with a cursor on its own pooled connection.
// Rolls back in its destructor, so a client that leaves mid-way frees the connection cleanly.
std::atomic<int> g_exports{0};  // CsvCursors alive
std::mutex g_account_exports_mu;
std::map<int64_t, int> g_account_exports;  // CsvCursors alive per account

class CsvCursor {
 public:
  // Each export holds a pooled connection for as long as its client reads, so slow clients
  // may take only part of the pool: past kMaxConcurrentExports, 503 with Retry-After. One
  // account holds at most kMaxExportsPerAccount of them (429), or a single VIEWER reading
  // each export just fast enough would keep every other account's exports out.
  CsvCursor(pg::Pool::Lease lease, std::set<std::string> skip, int64_t account)
      : lease_(std::move(lease)), skip_(std::move(skip)), account_(account) {
    {
      std::lock_guard l(g_account_exports_mu);
      if (g_account_exports[account_] >= kMaxExportsPerAccount) {
        ApiError busy(429, "too_many_requests",
                      "this account has " + std::to_string(kMaxExportsPerAccount) +
                          " CSV exports in progress; retry when one has finished");
        busy.headers.emplace_back("Retry-After", "5");
        throw busy;
      }
      g_account_exports[account_]++;
    }
    if (++g_exports > kMaxConcurrentExports) {
      g_exports--;
      Forget();
      ApiError busy(503, "service_unavailable", "too many CSV exports in progress; retry shortly");
      busy.headers.emplace_back("Retry-After", "5");
      throw busy;
    }
  }
  ~CsvCursor() {
    g_exports--;
    Forget();
    if (!open_) return;
    try {
      lease_->ExecScript("ROLLBACK");
    } catch (const std::exception&) {
      // a broken link: the lease drops the connection
    }
  }
  void Open(const std::string& sql, const std::vector<pg::Param>& params) {
    lease_->ExecScript("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
    open_ = true;
    lease_->Exec("DECLARE corrente_csv NO SCROLL CURSOR FOR " + sql, params);
  }
  // Appends the next chunk (the header row first); false once the last rows are out.
  void Forget() {
    std::lock_guard l(g_account_exports_mu);
    if (--g_account_exports[account_] <= 0) g_account_exports.erase(account_);
  }
  bool Next(std::string& out) {
    pg::Result r =
        lease_->ExecScript("FETCH " + std::to_string(kCsvChunkRows) + " FROM corrente_csv");
    if (cols_.empty()) {
      cols_ = CsvColumns(r, skip_);
      AppendCsvHeader(out, r, cols_);
    }
    AppendCsvRows(out, r, cols_);
    if (r.Rows() == kCsvChunkRows) return true;
    lease_->ExecScript("COMMIT");
    open_ = false;
    return false;
  }

 private:
  pg::Pool::Lease lease_;
  std::set<std::string> skip_;
  std::vector<int> cols_;
  int64_t account_;
  bool open_ = false;
};

Response StreamCsv(Db& db, const std::string& sql, const std::vector<pg::Param>& params,
                   std::set<std::string> skip, int64_t account) {
  auto cursor = std::make_shared<CsvCursor>(db.TakeLease(), std::move(skip), account);
  cursor->Open(sql, params);
  // The first chunk is fetched here, so a failing query is still an ordinary error response.
  auto first = std::make_shared<std::string>();
  bool more = cursor->Next(*first);
  Response res{200, "text/csv; charset=utf-8", ""};
  res.stream = [cursor, first, more](std::string& out) mutable {
    if (first) {
      out.swap(*first);
      first.reset();
      return more;
    }
    return cursor->Next(out);
  };
  return res;
}

}  // namespace

std::string RowsCsv(const pg::Result& r, const std::set<std::string>& skip, int n) {
  std::string out;
  auto cols = CsvColumns(r, skip);
  AppendCsvHeader(out, r, cols);
  AppendCsvRows(out, r, cols, n);
  return out;
}

Response Envelope(std::string_view data_json, const std::string& metadata_json, int status) {
  std::string body;
  body.reserve(data_json.size() + metadata_json.size() + 48);
  body += R"({"status":"success","data":)";
  body += data_json;
  body += R"(,"metadata":)";
  body += metadata_json;
  body += '}';
  return Response{status, "application/json", std::move(body), {}};
}

namespace {

std::string ListMeta(int64_t total, int64_t limit, int64_t offset, int64_t n,
                     const std::string& extra_metadata_json) {
  std::string meta =
      "{\"total_count\":" + std::to_string(total) + ",\"limit\":" + std::to_string(limit) +
      ",\"offset\":" + std::to_string(offset) + ",\"count\":" + std::to_string(n);
  if (!extra_metadata_json.empty()) meta += "," + extra_metadata_json;
  meta += '}';
  return meta;
}

}  // namespace

Response ListReply(const Ctx& ctx, const pg::Result& rows, int64_t total, int64_t limit,
                   int64_t offset, const std::string& extra_metadata_json,
                   const std::set<std::string>& skip_in, int n) {
  std::set<std::string> skip = skip_in;
  skip.insert("total_count");
  if (n < 0) n = rows.Rows();
  if (ctx.csv) return Response{200, "text/csv; charset=utf-8", RowsCsv(rows, skip, n), {}};
  // The envelope written around the rows in place: no copy of the page into a second string.
  std::string body = R"({"status":"success","data":)";
  AppendRowsJson(body, rows, skip, n);
  body += R"(,"metadata":)";
  body += ListMeta(total, limit, offset, n, extra_metadata_json);
  body += '}';
  return Response{200, "application/json", std::move(body), {}};
}

std::optional<Response> RenderedListReply(const pg::Result& rows, int col, int64_t total,
                                          int64_t limit, int64_t offset,
                                          const std::string& extra_metadata_json) {
  const int n = rows.Rows();
  size_t bytes = 0;
  for (int i = 0; i < n; ++i) {
    if (rows.IsNull(i, col)) return std::nullopt;
    bytes += rows.Get(i, col).size() + 1;
  }
  std::string body;
  body.reserve(bytes + 160 + extra_metadata_json.size());
  body += R"({"status":"success","data":[)";
  for (int i = 0; i < n; ++i) {
    if (i) body += ',';
    body += rows.Get(i, col);
  }
  body += R"(],"metadata":)";
  body += ListMeta(total, limit, offset, n, extra_metadata_json);
  body += '}';
  return Response{200, "application/json", std::move(body), {}};
}

Response JsonListReply(std::string_view rows_json, int64_t total, int64_t limit, int64_t offset,
                       int64_t n, const std::string& extra_metadata_json) {
  return Envelope(rows_json, ListMeta(total, limit, offset, n, extra_metadata_json));
}

Response ListPage(Ctx& ctx, const std::string& sql, std::vector<pg::Param> params, int64_t limit,
                  int64_t offset, const std::string& extra_metadata_json,
                  const std::set<std::string>& skip_in) {
  if (Streams(ctx, limit)) {
    std::set<std::string> skip = skip_in;
    skip.insert("total_count");
    params.push_back(std::to_string(limit));
    params.push_back(std::to_string(offset));
    return StreamCsv(ctx.db, sql, params, std::move(skip), ctx.user ? ctx.user->user_id : 0);
  }
  Page page = PageQuery(ctx.db, sql, std::move(params), limit, offset);
  return ListReply(ctx, page.rows, page.total, limit, offset, extra_metadata_json, skip_in);
}

std::string GivenOnly(const std::vector<SqlFilter>& filters) {
  std::string out;
  for (const SqlFilter& f : filters) {
    out += " AND ";
    out += f.given ? f.test : f.param;
    if (!f.given) out += " IS NULL";
  }
  return out;
}

bool Streams(const Ctx& ctx, int64_t limit) { return ctx.csv && limit > kMaxPageRows; }

Page PageQuery(Db& db, const std::string& sql, std::vector<pg::Param> params, int64_t limit,
               int64_t offset) {
  params.push_back(std::to_string(limit));
  params.push_back(std::to_string(offset));
  auto total = [](const pg::Result& r) -> std::optional<int64_t> {
    if (r.Rows() == 0) return std::nullopt;
    int col = r.Column("total_count");
    return r.IsNull(0, col) ? std::nullopt : std::optional<int64_t>(r.GetInt(0, col));
  };
  Page p;
  p.rows = db.Query(sql, params);
  if (auto t = total(p.rows)) {
    p.total = *t;
  } else if (offset > 0) {
    params[params.size() - 2] = "1";
    params.back() = "0";
    p.total = total(db.Query(sql, params)).value_or(0);
  }
  return p;
}

// ---- Db ----

namespace {

// Statements prepared per connection. A connection that was closed may have its address
// reused by a new one; "prepared statement does not exist" then clears the entry.
std::mutex g_prepared_mu;
std::unordered_map<PGconn*, std::unordered_map<std::string, std::string>>
    g_prepared;  // sql -> name
uint64_t g_next_stmt = 0;

}  // namespace

pg::Connection& Db::Conn() {
  if (!lease_) lease_.emplace(pool_.Acquire(std::chrono::milliseconds(3000)));
  return **lease_;
}

pg::Pool::Lease Db::TakeLease() {
  Conn();
  pg::Pool::Lease l = std::move(*lease_);
  lease_.reset();
  return l;
}

namespace {

// Calls exec(names) with the statement names of `sqls` on `c`, preparing the new ones first,
// and once more from scratch when the server has lost them (26000).
template <typename F>
auto WithPrepared(pg::Connection& c, const std::vector<const std::string*>& sqls, F exec) {
  for (int attempt = 0;; ++attempt) {
    std::vector<std::string> names;
    std::vector<size_t> fresh;
    {
      std::lock_guard g(g_prepared_mu);
      auto& m = g_prepared[c.Raw()];
      for (const std::string* sql : sqls) {
        auto it = m.find(*sql);
        if (it == m.end()) {
          fresh.push_back(names.size());
          names.push_back("s" + std::to_string(++g_next_stmt));
        } else {
          names.push_back(it->second);
        }
      }
    }
    try {
      for (size_t i : fresh) {
        c.Prepare(names[i], *sqls[i]);
        std::lock_guard g(g_prepared_mu);
        g_prepared[c.Raw()][*sqls[i]] = names[i];
      }
      return exec(names);
    } catch (const pg::Error& e) {
      bool lost = e.SqlState() == "26000" && attempt == 0;
      if (lost || e.Kind() == pg::ErrorKind::kConnection) {
        std::lock_guard g(g_prepared_mu);
        g_prepared.erase(c.Raw());
      }
      if (!lost) throw;
    }
  }
}

}  // namespace

pg::Result Db::Query(const std::string& sql, const std::vector<pg::Param>& params) {
  pg::Connection& c = Conn();
  return WithPrepared(c, {&sql}, [&](const std::vector<std::string>& names) {
    return c.ExecPrepared(names[0], params);
  });
}

std::vector<pg::Result> Db::Pipeline(const std::vector<Statement>& statements) {
  pg::Connection& c = Conn();
  std::vector<const std::string*> sqls;
  for (const auto& st : statements) sqls.push_back(&st.sql);
  return WithPrepared(c, sqls, [&](const std::vector<std::string>& names) {
    std::vector<pg::Connection::Prepared> run;
    for (size_t i = 0; i < names.size(); ++i) run.emplace_back(names[i], statements[i].params);
    return c.ExecPipeline(run);
  });
}

namespace {

// The client's address and user agent; client bytes made valid UTF-8, or the insert (and so
// a login) would fail.
std::pair<std::optional<std::string>, std::optional<std::string>> Client(const Request& req) {
  std::optional<std::string> ua;
  if (const std::string* h = req.Header("user-agent")) ua = ToUtf8(*h, 512);
  std::optional<std::string> ip;
  if (!req.remote_address.empty()) ip = req.remote_address;
  return {ip, ua};
}

}  // namespace

void WriteAudit(Db& db, const Request& req, const AuditEntry& e) {
  auto [ip, ua] = Client(req);
  db.Q(
      "INSERT INTO support.audit_logs (actor, action, entity_type, entity_id, details, ip_address, "
      "user_agent)"
      " VALUES ($1, $2, $3, $4, $5::jsonb, $6::inet, $7)",
      e.actor, e.action, e.entity_type, e.entity_id, e.details_json, ip, ua);
}

void WriteBulkAudit(Db& db, const Request& req, const std::string& actor,
                    const std::string& action, const std::string& entity_type,
                    const std::string& ids, const std::string& changed) {
  auto [ip, ua] = Client(req);
  db.Q(
      "INSERT INTO support.audit_logs (actor, action, entity_type, entity_id, details, ip_address,"
      " user_agent) SELECT $1, $2, $3, x,"
      " jsonb_build_object('bulk', true, 'changed', x = ANY($5::bigint[])), $6::inet, $7"
      " FROM unnest($4::bigint[]) x",
      actor, action, entity_type, ids, changed, ip, ua);
}

}  // namespace corrente::server
