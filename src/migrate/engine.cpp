#include "migrate/engine.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <charconv>
#include <cmath>
#include <condition_variable>
#include <csignal>
#include <cstring>
#include <cstdlib>
#include <functional>
#include <map>
#include <mutex>
#include <set>
#include <sstream>
#include <thread>

#include "common/json.h"
#include "common/progress.h"
#include "pg/copy.h"
#include "pg/pg.h"

namespace corrente::migrate {
namespace {

using Clock = std::chrono::steady_clock;

pg::Connection OpenTarget(const std::string& dsn) {
  auto c = pg::Connection::Open(dsn);
  c.ExecScript(kSessionSetup);
  return c;
}

std::string Qualified(const std::string& schema, const std::string& table) {
  return Quote(schema) + "." + Quote(table);
}

std::string ColumnList(const std::vector<std::string>& cols) {
  std::string r;
  for (const auto& c : cols) r += (r.empty() ? "" : ", ") + Quote(c);
  return r;
}

std::string ColumnList(const TablePlan& t, const std::string& prefix = "") {
  std::string r;
  for (const auto& c : t.columns) r += (r.empty() ? "" : ", ") + prefix + Quote(c.name);
  return r;
}

// Streams rows of COPY ... TO STDOUT (text format), unescaping fields. Field views stay
// valid until the next call.
class PgTextRows {
 public:
  PgTextRows(pg::Connection& conn, const std::string& sql) : conn_(conn) {
    conn_.Check(PQexec(conn_.Raw(), sql.c_str()), PGRES_COPY_OUT);
  }
  ~PgTextRows() {
    if (buf_) PQfreemem(buf_);
    if (!done_) {
      while (PQgetCopyData(conn_.Raw(), &buf_, 0) > 0) PQfreemem(buf_), buf_ = nullptr;
      while (PGresult* r = PQgetResult(conn_.Raw())) PQclear(r);
    }
  }
  bool Next() {
    if (buf_) PQfreemem(buf_), buf_ = nullptr;
    int n = PQgetCopyData(conn_.Raw(), &buf_, 0);
    if (n == -1) {
      done_ = true;
      conn_.Check(PQgetResult(conn_.Raw()), PGRES_COMMAND_OK);
      while (PGresult* r = PQgetResult(conn_.Raw())) PQclear(r);
      return false;
    }
    if (n < 0) conn_.Check(PQgetResult(conn_.Raw()), PGRES_COMMAND_OK);
    std::string_view line(buf_, static_cast<size_t>(n));
    if (!line.empty() && line.back() == '\n') line.remove_suffix(1);
    fields_.clear();
    bool escaped = line.find('\\') != std::string_view::npos;
    for (size_t start = 0;;) {
      size_t tab = line.find('\t', start);
      fields_.push_back(line.substr(start, tab == std::string_view::npos ? tab : tab - start));
      if (tab == std::string_view::npos) break;
      start = tab + 1;
    }
    if (scratch_.size() < fields_.size()) scratch_.resize(fields_.size());
    nulls_.assign(fields_.size(), 0);
    for (size_t i = 0; i < fields_.size(); ++i)
      if (fields_[i] == "\\N")
        nulls_[i] = 1;
      else if (escaped && fields_[i].find('\\') != std::string_view::npos)
        fields_[i] = Unescape(fields_[i], &scratch_[i]);
    return true;
  }
  bool IsNull(int i) const { return nulls_[i] != 0; }
  std::string_view Field(int i) const { return fields_[i]; }

 private:
  static std::string_view Unescape(std::string_view f, std::string* u) {
    u->clear();
    for (size_t i = 0; i < f.size(); ++i) {
      if (f[i] != '\\' || i + 1 == f.size()) {
        *u += f[i];
        continue;
      }
      char e = f[++i];
      switch (e) {
        case 'n':
          *u += '\n';
          break;
        case 't':
          *u += '\t';
          break;
        case 'r':
          *u += '\r';
          break;
        case 'b':
          *u += '\b';
          break;
        case 'f':
          *u += '\f';
          break;
        case 'v':
          *u += '\v';
          break;
        default:
          *u += e;
      }
    }
    return *u;
  }

  pg::Connection& conn_;
  char* buf_ = nullptr;
  bool done_ = false;
  std::vector<std::string_view> fields_;
  std::vector<std::string> scratch_;
  std::vector<char> nulls_;
};

bool ExistsConstraint(pg::Connection& c, const std::string& schema, const std::string& name) {
  return c.Execute(
              "SELECT 1 FROM pg_constraint k JOIN pg_namespace n ON n.oid = k.connamespace "
              "WHERE n.nspname = $1 AND k.conname = $2",
              schema, name)
             .Rows() > 0;
}
bool ExistsRelation(pg::Connection& c, const std::string& schema, const std::string& name) {
  return !c.Execute("SELECT to_regclass($1)", Qualified(schema, name)).IsNull(0, 0);
}

// Runs `fn` in parallel over `n` items with `jobs` threads; collects the first exception.
void ParallelFor(int n, int jobs, const std::function<void(int)>& fn) {
  std::atomic<int> next{0};
  std::exception_ptr error;
  std::mutex mu;
  auto worker = [&] {
    for (int i; (i = next++) < n;) {
      try {
        fn(i);
      } catch (...) {
        std::lock_guard lock(mu);
        if (!error) error = std::current_exception();
      }
    }
  };
  std::vector<std::thread> threads;
  for (int j = 0; j < std::max(1, std::min(jobs, n)); ++j) threads.emplace_back(worker);
  for (auto& t : threads) t.join();
  if (error) std::rethrow_exception(error);
}

struct Reject {
  std::string key, column, reason;
};

// Converts one source row. Returns false (with the reason) when the row is rejected.
bool ConvertRow(const TablePlan& t, RowCursor& cur, const ConvertContext& ctx,
                std::vector<TargetValue>* out, std::vector<std::string>* notes, std::string* reason,
                std::string* column) {
  if (auto e = cur.RowError()) {
    *reason = *e;
    column->clear();
    return false;
  }
  out->resize(t.columns.size());
  notes->clear();
  for (size_t i = 0; i < t.columns.size(); ++i) {
    const auto& col = t.columns[i];
    std::string note;
    if (auto err = ConvertValue(col, cur.Value(col.source_index), ctx, &(*out)[i], &note)) {
      *reason = *err;
      *column = col.name;
      return false;
    }
    if (!note.empty()) notes->push_back(col.name + "\t" + note);
  }
  return true;
}

// One row's canonical fields, each length-prefixed (NULL as a marker) in one buffer: the
// bytes the row hash covers.
class CanonRow {
 public:
  void Clear() {
    buf_.clear();
    spans_.clear();
  }
  // Returns the buffer to append one field's canonical text to; End() closes the field.
  std::string* Begin() {
    start_ = buf_.size();
    buf_.append(4, '\0');
    return &buf_;
  }
  void End() {
    uint32_t n = static_cast<uint32_t>(buf_.size() - start_ - 4);
    std::memcpy(&buf_[start_], &n, 4);
    spans_.push_back({start_ + 4, n});
  }
  void Null() {
    buf_ += "\xff\xfeN";
    spans_.push_back({0, kNullSpan});
  }
  bool IsNull(size_t i) const { return spans_[i].second == kNullSpan; }
  std::string_view Get(size_t i) const {
    return std::string_view(buf_).substr(spans_[i].first, spans_[i].second);
  }
  size_t Size() const { return spans_.size(); }
  uint64_t Hash() const {
    uint64_t h = std::hash<std::string_view>{}(buf_);
    // splitmix64 finalizer so that summing hashes stays well mixed
    h += 0x9e3779b97f4a7c15ULL;
    h = (h ^ (h >> 30)) * 0xbf58476d1ce4e5b9ULL;
    h = (h ^ (h >> 27)) * 0x94d049bb133111ebULL;
    return h ^ (h >> 31);
  }

 private:
  static constexpr uint32_t kNullSpan = UINT32_MAX;
  std::string buf_;
  size_t start_ = 0;
  std::vector<std::pair<size_t, uint32_t>> spans_;
};

void FillRow(const TablePlan& t, const std::vector<TargetValue>& vals, CanonRow* row) {
  row->Clear();
  for (size_t i = 0; i < vals.size(); ++i) {
    if (vals[i].null) {
      row->Null();
      continue;
    }
    AppendCanonical(t.columns[i], vals[i], row->Begin());
    row->End();
  }
}

void FillRow(const TablePlan& t, const PgTextRows& r, CanonRow* row) {
  row->Clear();
  for (size_t i = 0; i < t.columns.size(); ++i) {
    if (r.IsNull(static_cast<int>(i))) {
      row->Null();
      continue;
    }
    CanonicalFromPg(t.columns[i], r.Field(static_cast<int>(i)), row->Begin());
    row->End();
  }
}

enum class StatKind { kInt, kDecimal, kDouble, kText };

StatKind KindOf(PgType t) {
  switch (t) {
    case PgType::kSmallInt:
    case PgType::kInteger:
    case PgType::kBigInt:
      return StatKind::kInt;
    case PgType::kNumeric:
      return StatKind::kDecimal;
    case PgType::kDouble:
      return StatKind::kDouble;
    default:
      return StatKind::kText;
  }
}

// Exact order of canonical decimals (no leading or trailing zeros); NaN sorts last and the
// infinities at the ends, as in PostgreSQL.
int CompareDecimal(std::string_view a, std::string_view b) {
  auto rank = [](std::string_view s) {
    if (s.empty() || (s[0] != 'N' && s[0] != 'I' && s.substr(0, 2) != "-I")) return 0;
    return s == "NaN" ? 3 : s == "Infinity" ? 2 : s == "-Infinity" ? -2 : 0;
  };
  int ra = rank(a), rb = rank(b);
  if (ra || rb) return ra == rb ? 0 : ra < rb ? -1 : 1;
  bool na = !a.empty() && a[0] == '-', nb = !b.empty() && b[0] == '-';
  if (na != nb) return na ? -1 : 1;
  if (na) a.remove_prefix(1), b.remove_prefix(1);
  size_t ia = std::min(a.find('.'), a.size()), ib = std::min(b.find('.'), b.size());
  int c = ia != ib ? (ia < ib ? -1 : 1) : a.compare(b) < 0 ? -1 : a.compare(b) > 0 ? 1 : 0;
  return na ? -c : c;
}

long double NumberOf(StatKind k, std::string_view v) {
  if (k == StatKind::kInt) {
    int64_t x = 0;
    std::from_chars(v.data(), v.data() + v.size(), x);
    return static_cast<long double>(x);
  }
  double d = NAN;
  std::from_chars(v.data(), v.data() + v.size(), d);
  return d;
}

// A total order per kind, so that min and max do not depend on the scan order.
bool Less(StatKind k, std::string_view a, long double av, std::string_view b, long double bv) {
  if (k == StatKind::kDecimal) return CompareDecimal(a, b) < 0;
  if (k == StatKind::kText) return a < b;
  bool an = std::isnan(av), bn = std::isnan(bv);
  if (an != bn) return bn;
  if (!an && av != bv) return av < bv;
  return a < b;
}

// Records that value `v` (canonical text, numeric value `num`) exists in the column.
void Offer(StatKind k, std::string_view v, long double num, ColumnStats* cs) {
  if (!cs->min) {
    cs->min = v, cs->max = v, cs->min_value = cs->max_value = num;
    return;
  }
  if (k == StatKind::kText) {
    int lo = v.compare(*cs->min);
    if (lo < 0) {
      cs->min = v;
    } else if (lo > 0 && v.compare(*cs->max) > 0) {
      cs->max = v;
    }
    return;
  }
  // Strictly inside the bounds as numbers means strictly inside exactly: rounding a decimal
  // to a double is monotonic. Only values at or past a bound take the exact comparison.
  if (num > cs->min_value && num < cs->max_value) return;
  if (Less(k, v, num, *cs->min, cs->min_value)) cs->min = v, cs->min_value = num;
  if (Less(k, *cs->max, cs->max_value, v, num)) cs->max = v, cs->max_value = num;
}

void Accumulate(const TablePlan& t, const CanonRow& row, SideStats* s) {
  ++s->rows;
  s->checksum += row.Hash();
  for (size_t i = 0; i < row.Size(); ++i) {
    auto& cs = s->columns[i];
    if (row.IsNull(i)) {
      ++cs.nulls;
      continue;
    }
    StatKind k = KindOf(t.columns[i].type);
    std::string_view v = row.Get(i);
    long double num = k == StatKind::kText ? 0 : NumberOf(k, v);
    if (k != StatKind::kText && std::isfinite(num)) cs.summed = true, cs.sum += num;
    Offer(k, v, num, &cs);
  }
}

// Adds the stats of another part of the same table (a key or page range).
void Merge(const TablePlan& t, const SideStats& part, SideStats* s) {
  s->rows += part.rows;
  s->checksum += part.checksum;
  s->rejected += part.rejected;
  for (size_t i = 0; i < s->columns.size(); ++i) {
    auto& cs = s->columns[i];
    const auto& ps = part.columns[i];
    StatKind k = KindOf(t.columns[i].type);
    cs.nulls += ps.nulls;
    cs.sum += ps.sum;
    cs.summed |= ps.summed;
    if (ps.min) Offer(k, *ps.min, ps.min_value, &cs);
    if (ps.max) Offer(k, *ps.max, ps.max_value, &cs);
  }
}

SideStats EmptyStats(const TablePlan& t) {
  SideStats s;
  for (const auto& c : t.columns) {
    ColumnStats cs;
    cs.name = c.name;
    s.columns.push_back(std::move(cs));
  }
  return s;
}

// Accumulates one side's stats from converted rows on its own thread, so that copy --verify
// does not slow the loading thread. Memory: four batches of up to 1,024 rows or 1 MB of
// values each, reused.
class StatsWorker {
 public:
  StatsWorker(const TablePlan& t, SideStats* out) : t_(t), out_(out), thread_([this] { Run(); }) {}
  StatsWorker(const StatsWorker&) = delete;
  StatsWorker& operator=(const StatsWorker&) = delete;
  ~StatsWorker() { Finish(); }

  // Takes the row: `vals` is swapped with a spent one, which the caller overwrites next.
  void Add(std::vector<TargetValue>& vals) {
    for (const auto& v : vals) bytes_ += sizeof v + v.s.size();
    if (fill_.size() <= used_) fill_.emplace_back();
    fill_[used_++].swap(vals);
    if (used_ == kRows || bytes_ >= kBytes) Hand();
  }
  // Waits until every row added is counted.
  void Finish() {
    if (!thread_.joinable()) return;
    Hand();
    {
      std::lock_guard lock(mu_);
      done_ = true;
    }
    cv_.notify_all();
    thread_.join();
  }

 private:
  static constexpr size_t kRows = 1024;
  static constexpr size_t kBytes = size_t{1} << 20;
  struct Batch {
    std::vector<std::vector<TargetValue>> rows;
    size_t used = 0;
  };

  void Hand() {
    if (used_ == 0) return;
    std::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return full_.size() < 2; });
    full_.push_back({std::move(fill_), used_});
    used_ = 0;
    bytes_ = 0;
    if (!free_.empty()) {
      fill_ = std::move(free_.back());
      free_.pop_back();
    } else {
      fill_.clear();
    }
    cv_.notify_all();
  }

  void Run() {
    CanonRow row;
    for (;;) {
      Batch b;
      {
        std::unique_lock lock(mu_);
        cv_.wait(lock, [&] { return !full_.empty() || done_; });
        if (full_.empty()) return;
        b = std::move(full_.front());
        full_.erase(full_.begin());
      }
      cv_.notify_all();
      for (size_t r = 0; r < b.used; ++r) {
        FillRow(t_, b.rows[r], &row);
        Accumulate(t_, row, out_);
        for (auto& v : b.rows[r])
          if (v.s.capacity() > 65536) std::string().swap(v.s);  // no big blobs kept for reuse
      }
      std::lock_guard lock(mu_);
      free_.push_back(std::move(b.rows));
    }
  }

  const TablePlan& t_;
  SideStats* out_;
  std::vector<std::vector<TargetValue>> fill_;
  size_t used_ = 0, bytes_ = 0;
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<Batch> full_;
  std::vector<std::vector<std::vector<TargetValue>>> free_;
  bool done_ = false;
  std::thread thread_;  // last: starts when the rest is ready
};

std::string TargetSelect(const TablePlan& t, const std::string& schema, const std::string& where,
                         const std::vector<std::string>& order_by,
                         const std::vector<std::string>* columns = nullptr) {
  std::string sql = "COPY (SELECT " + (columns ? ColumnList(*columns) : ColumnList(t)) +
                    " FROM " + Qualified(schema, t.name);
  if (!where.empty()) sql += " WHERE " + where;
  if (!order_by.empty()) {
    sql += " ORDER BY ";
    for (size_t i = 0; i < order_by.size(); ++i) {
      sql += (i ? ", " : "") + Quote(order_by[i]);
      for (const auto& c : t.columns)
        if (c.name == order_by[i] && (c.type == PgType::kText || c.type == PgType::kVarchar))
          sql += " COLLATE \"C\"";
    }
  }
  return sql + ") TO STDOUT";
}

std::vector<TablePlan> LoadPlan(const EngineOptions& o) {
  auto src = OpenSource(o.source_url);
  PlanOptions po;
  po.zero_dates = o.zero_dates;
  po.tables = o.tables;
  auto plans = BuildPlan(*src, po);
  for (const auto& name : o.tables)
    if (std::none_of(plans.begin(), plans.end(),
                     [&](const TablePlan& p) { return p.name == name; }))
      throw std::runtime_error("no table '" + name + "' in the source");
  return plans;
}

// Test hook: CORRENTE_MIGRATE_TEST_KILL_AFTER=N kills the process (SIGKILL) once N rows
// were streamed (over all tables), to prove crash safety with a real kill -9.
int64_t KillAfterRows() {
  const char* v = std::getenv("CORRENTE_MIGRATE_TEST_KILL_AFTER");
  return v ? std::atoll(v) : -1;
}
std::atomic<int64_t> g_rows_streamed{0};

// One load transaction: a whole table, or one key range of a table loaded in ranges.
struct LoadUnit {
  const TablePlan* table = nullptr;
  std::optional<KeyRange> range;  // set: range `range_no` of `ranges`
  int range_no = -1;
  int ranges = 0;
  std::string Label() const {
    return range ? fmt::format("{} [{}/{}]", table->name, range_no + 1, ranges) : table->name;
  }
};

void LoadOnce(const EngineOptions& o, const std::string& schema, const LoadUnit& u,
              CopyReport* report, std::mutex* mu, bool isolate, SideStats* stats);

// Loads one unit. With `stats` (copy --verify), the source side of its verify is taken
// from the rows as they are sent, so verify need not read the source again; it stays
// unset when PostgreSQL refused rows (verify then reads the source).
void Load(const EngineOptions& o, const std::string& schema, const LoadUnit& u,
          CopyReport* report, std::mutex* mu, std::optional<SideStats>* stats) {
  try {
    SideStats s = EmptyStats(*u.table);
    LoadOnce(o, schema, u, report, mu, false, stats ? &s : nullptr);
    if (stats) *stats = std::move(s);
  } catch (const pg::Error& e) {
    if (e.Kind() != pg::ErrorKind::kConstraint && e.Kind() != pg::ErrorKind::kData) throw;
    spdlog::warn("{}: PostgreSQL refused a row ({}); loading it again in batches to set "
                 "the refused rows aside", u.Label(), e.SqlState());
    LoadOnce(o, schema, u, report, mu, true, nullptr);
  }
}

void Warn(CopyReport* r, std::mutex* mu, const std::string& w) {
  spdlog::warn("{}", w);
  std::lock_guard lock(*mu);
  r->warnings.push_back(w);
}

// The reason prefix of rows PostgreSQL itself refused (verify skips their keys).
constexpr const char* kRefused = "refused by PostgreSQL";

// Keys of the rows of `table` that PostgreSQL refused at load (verify, diff and sync skip
// them as they skip rows the conversion refuses).
std::set<std::string> RefusedKeys(pg::Connection& conn, const std::string& schema,
                                  const std::string& table) {
  auto r = conn.Execute(
      "SELECT source_key FROM staging.migration_rejects WHERE target_schema = $1 AND "
      "table_name = $2 AND starts_with(reason, $3)",
      schema, table, std::string(kRefused));
  std::set<std::string> keys;
  for (int k = 0; k < r.Rows(); ++k) keys.insert(r.GetString(k, 0));
  return keys;
}

std::string CheckName(const TablePlan& t, size_t k) {
  return t.name + "_check" + (k ? std::to_string(k) : "");
}

// Sends rows [begin, end) of a batch in a subtransaction. When PostgreSQL refuses the COPY
// (a CHECK, a bad value), the halves are sent again, down to single rows, which are
// recorded as rejects with the SQLSTATE and message. Returns the rows that landed.
int64_t SendIsolating(pg::Connection& conn, const std::string& copy_sql, const TablePlan& t,
                      const std::vector<std::vector<TargetValue>>& batch,
                      const std::vector<std::string>& labels, size_t begin, size_t end,
                      std::vector<Reject>* rejects) {
  if (begin >= end) return 0;
  conn.ExecScript("SAVEPOINT corrente_rows");
  try {
    pg::CopyWriter w(conn, copy_sql);
    for (size_t r = begin; r < end; ++r) {
      w.StartRow(static_cast<int16_t>(t.columns.size()));
      for (size_t i = 0; i < t.columns.size(); ++i) WriteValue(w, t.columns[i], batch[r][i]);
    }
    int64_t n = w.Finish();
    conn.ExecScript("RELEASE SAVEPOINT corrente_rows");
    return n;
  } catch (const pg::Error& e) {
    if (e.Kind() != pg::ErrorKind::kConstraint && e.Kind() != pg::ErrorKind::kData) throw;
    conn.ExecScript("ROLLBACK TO SAVEPOINT corrente_rows; RELEASE SAVEPOINT corrente_rows");
    if (end - begin == 1) {
      std::string msg = e.what();
      if (auto nl = msg.find('\n'); nl != std::string::npos) msg.resize(nl);
      if (msg.rfind("ERROR:  ", 0) == 0) msg.erase(0, 8);
      rejects->push_back({labels[begin], "", kRefused + (" (" + e.SqlState() + "): " + msg)});
      return 0;
    }
    size_t mid = begin + (end - begin) / 2;
    return SendIsolating(conn, copy_sql, t, batch, labels, begin, mid, rejects) +
           SendIsolating(conn, copy_sql, t, batch, labels, mid, end, rejects);
  }
}

// In the caller's transaction: the empty target table with its CHECKs, and no rejects or
// notes of an earlier load.
void CreateTarget(pg::Connection& conn, const std::string& schema, const TablePlan& t) {
  conn.ExecScript("DROP TABLE IF EXISTS " + Qualified(schema, t.name) + " CASCADE; " +
                  CreateTableSql(t, schema));
  conn.Execute("DELETE FROM staging.migration_rejects WHERE target_schema = $1 AND table_name = $2",
               schema, t.name);
  conn.Execute("DELETE FROM staging.migration_notes WHERE target_schema = $1 AND table_name = $2",
               schema, t.name);
  // CHECKs go on the empty table, so PostgreSQL applies them to every row it receives; one
  // it cannot take is reported and left out.
  for (size_t k = 0; k < t.checks.size(); ++k) {
    conn.ExecScript("SAVEPOINT corrente_check");
    try {
      conn.ExecScript("ALTER TABLE " + Qualified(schema, t.name) + " ADD CONSTRAINT " +
                      Quote(CheckName(t, k)) + " CHECK (" + t.checks[k] + ")");
      conn.ExecScript("RELEASE SAVEPOINT corrente_check");
    } catch (const pg::Error&) {
      // Reported by ConstrainTable, which tries it once more.
      conn.ExecScript("ROLLBACK TO SAVEPOINT corrente_check; RELEASE SAVEPOINT corrente_check");
    }
  }
}

// Loads one unit in one transaction. A whole table is created in it and streamed as a
// single COPY FREEZE; a range goes into the table its first transaction created (see
// StartRanges). When PostgreSQL refuses a row, the unit is loaded again with `isolate`:
// batches of rows in subtransactions, bisected down to the refused rows (memory: one batch).
void LoadOnce(const EngineOptions& o, const std::string& schema, const LoadUnit& u,
              CopyReport* report, std::mutex* mu, bool isolate, SideStats* stats) {
  const TablePlan& t = *u.table;
  auto start = Clock::now();
  auto conn = OpenTarget(o.dsn);
  auto src = OpenSource(o.source_url);
  ConvertContext ctx{o.zero_dates};
  std::vector<Reject> rejects;
  std::vector<Reject> notes;
  int64_t rows = 0;
  int64_t kill_after = KillAfterRows();
  // The state row commits with the data, so a lost commit on a server crash only means the
  // unit is loaded again: synchronous_commit can be off.
  conn.ExecScript("SET synchronous_commit = off");
  pg::Transaction tx(conn);
  if (!u.range) {
    try {
      CreateTarget(conn, schema, t);
    } catch (const pg::Error& e) {  // not a refused row: no second try in batches
      throw std::runtime_error("table " + t.name + ": cannot create it: " + e.what());
    }
  }
  {
    int64_t est = t.source.estimated_rows > 0 ? t.source.estimated_rows : 0;
    Progress progress(u.Label(), u.range ? est / u.ranges : est);
    bool freeze = !isolate && !u.range;
    std::string copy_sql = "COPY " + Qualified(schema, t.name) + " (" + ColumnList(t) +
                           ") FROM STDIN (FORMAT binary" + (freeze ? ", FREEZE)" : ")");
    std::optional<pg::CopyWriter> w;
    if (!isolate) w.emplace(conn, copy_sql);
    std::vector<std::vector<TargetValue>> batch;
    std::vector<std::string> labels;
    size_t used = 0;
    auto flush = [&] {
      rows += SendIsolating(conn, copy_sql, t, batch, labels, 0, used, &rejects);
      used = 0;
    };
    auto cur = src->Scan(t.source, {}, u.range);
    std::vector<TargetValue> vals;
    std::vector<std::string> row_notes;
    std::string reason, column;
    std::optional<StatsWorker> counted;
    if (stats && w) counted.emplace(t, stats);  // the one-stream path only
    int64_t seen = 0;
    while (cur->Next()) {
      ++seen;
      if ((seen & 8191) == 0) progress.Advance(8192);
      if (kill_after >= 0 && ++g_rows_streamed >= kill_after && w) {
        w->Finish();  // make sure the server has received rows, then die mid-transaction
        std::raise(SIGKILL);
      }
      if (!ConvertRow(t, *cur, ctx, &vals, &row_notes, &reason, &column)) {
        rejects.push_back({cur->RowLabel(), column, reason});
        continue;
      }
      for (const auto& n : row_notes) {
        auto tab = n.find('\t');
        notes.push_back({cur->RowLabel(), n.substr(0, tab), n.substr(tab + 1)});
      }
      if (w) {
        w->StartRow(static_cast<int16_t>(t.columns.size()));
        for (size_t i = 0; i < t.columns.size(); ++i) WriteValue(*w, t.columns[i], vals[i]);
        if (counted) counted->Add(vals);  // last: it takes the row
        continue;
      }
      if (batch.size() <= used) batch.emplace_back(), labels.emplace_back();
      batch[used] = vals;
      labels[used++] = cur->RowLabel();
      if (used == 4096) flush();
    }
    if (w)
      rows = w->Finish();
    else
      flush();
    if (counted) {
      counted->Finish();
      stats->rejected = static_cast<int64_t>(rejects.size());
    }
    progress.Advance(seen & 8191);
    progress.Finish();
  }
  auto put = [&](const char* table, const char* col, const std::vector<Reject>& v) {
    if (v.empty()) return;
    pg::CopyWriter w(conn, std::string("COPY staging.") + table +
                               " (target_schema, table_name, source_key, "
                               "column_name, " +
                               col + ") FROM STDIN (FORMAT binary)");
    for (const auto& r : v) {
      w.StartRow(5);
      w.Text(schema);
      w.Text(t.name);
      w.Text(r.key);
      if (r.column.empty())
        w.Null();
      else
        w.Text(r.column);
      w.Text(r.reason);
    }
    w.Finish();
  };
  put("migration_rejects", "reason", rejects);
  put("migration_notes", "note", notes);
  double secs = std::chrono::duration<double>(Clock::now() - start).count();
  auto rejected = static_cast<int64_t>(rejects.size());
  if (u.range) {
    conn.Execute(
        "UPDATE staging.migration_ranges SET done = true, rows_loaded = $4, rows_rejected = $5, "
        "seconds = $6 WHERE target_schema = $1 AND table_name = $2 AND range_no = $3",
        schema, t.name, u.range_no, rows, rejected, secs);
  } else {
    conn.Execute(
        "INSERT INTO staging.migration_tables (target_schema, table_name, source_url, status, "
        "rows_loaded, rows_rejected, seconds) VALUES ($1, $2, $3, 'loaded', $4, $5, $6) "
        "ON CONFLICT (target_schema, table_name) DO UPDATE SET source_url = "
        "EXCLUDED.source_url, status = 'loaded', rows_loaded = EXCLUDED.rows_loaded, "
        "rows_rejected = EXCLUDED.rows_rejected, seconds = EXCLUDED.seconds, updated_at = now()",
        schema, t.name, o.source_url, rows, rejected, secs);
  }
  tx.Commit();
  spdlog::info("{} {}: {} rows loaded, {} rejected, {:.2f}s ({:.0f} rows/s)",
               u.range ? "range" : "table", u.Label(), rows, rejected, secs,
               secs > 0 ? rows / secs : 0.0);
  std::lock_guard lock(*mu);
  if (!u.range) report->tables_loaded++;
  report->rows += rows;
  report->rejected += static_cast<int64_t>(rejects.size());
  report->notes += static_cast<int64_t>(notes.size());
}

// The ranges of a table loaded in key ranges: planned in the transaction that creates the
// table (status 'loading'), or, when an earlier run was stopped, the ranges it left.
std::vector<LoadUnit> StartRanges(const EngineOptions& o, const std::string& schema,
                                  const TablePlan& t, Source& src, bool resume) {
  auto conn = OpenTarget(o.dsn);
  auto log = [&](size_t planned, size_t left, const std::string& column) {
    spdlog::info("table {}: {} key ranges of {}, {} to load", t.name, planned, column, left);
  };
  std::vector<LoadUnit> units;
  if (resume) {
    auto r = conn.Execute(
        "SELECT range_no, key_column, key_lo, key_hi, done FROM staging.migration_ranges WHERE "
        "target_schema = $1 AND table_name = $2 ORDER BY range_no",
        schema, t.name);
    for (int i = 0; i < r.Rows(); ++i) {
      if (r.GetBool(i, 4)) continue;
      LoadUnit u{&t, KeyRange{r.GetString(i, 1), std::nullopt, std::nullopt},
                 static_cast<int>(r.GetInt(i, 0)), r.Rows()};
      if (!r.IsNull(i, 2)) u.range->lo = r.GetInt(i, 2);
      if (!r.IsNull(i, 3)) u.range->hi = r.GetInt(i, 3);
      units.push_back(std::move(u));
    }
    if (r.Rows() > 0) {
      log(r.Rows(), units.size(), r.GetString(0, 1));
      return units;
    }
    // A table left 'loading' with no range plan (edited by hand) is planned again.
  }
  auto bounds = src.KeyBounds(t.source);
  int64_t est = std::max<int64_t>(t.source.estimated_rows, 1);
  int n = static_cast<int>(std::min<int64_t>((est + o.range_rows - 1) / o.range_rows, 10000));
  std::vector<KeyRange> ranges;
  if (bounds && n >= 2) ranges = SplitKeyRange(*bounds, n);
  if (ranges.size() < 2) return {LoadUnit{&t, std::nullopt}};
  pg::Transaction tx(conn);
  CreateTarget(conn, schema, t);
  conn.Execute("DELETE FROM staging.migration_ranges WHERE target_schema = $1 AND table_name = $2",
               schema, t.name);
  conn.Execute(
      "INSERT INTO staging.migration_tables (target_schema, table_name, source_url, status) "
      "VALUES ($1, $2, $3, 'loading') ON CONFLICT (target_schema, table_name) DO UPDATE SET "
      "source_url = EXCLUDED.source_url, status = 'loading', rows_loaded = 0, "
      "rows_rejected = 0, seconds = NULL, updated_at = now()",
      schema, t.name, o.source_url);
  for (size_t k = 0; k < ranges.size(); ++k) {
    conn.Execute(
        "INSERT INTO staging.migration_ranges (target_schema, table_name, range_no, key_column, "
        "key_lo, key_hi) VALUES ($1, $2, $3, $4, $5, $6)",
        schema, t.name, static_cast<int64_t>(k), ranges[k].column, ranges[k].lo, ranges[k].hi);
    units.push_back({&t, ranges[k], static_cast<int>(k), static_cast<int>(ranges.size())});
  }
  tx.Commit();
  log(ranges.size(), units.size(), bounds->column);
  return units;
}

// Marks a table loaded in ranges as loaded once every range is in. Returns false when
// ranges are still missing.
bool FinishRanges(pg::Connection& conn, const std::string& schema, const TablePlan& t) {
  auto r = conn.Execute(
      "UPDATE staging.migration_tables m SET status = 'loaded', rows_loaded = s.rows, "
      "rows_rejected = s.rejected, seconds = s.seconds, updated_at = now() FROM (SELECT "
      "sum(rows_loaded)::bigint AS rows, sum(rows_rejected)::bigint AS rejected, sum(seconds) AS "
      "seconds FROM staging.migration_ranges WHERE target_schema = $1 AND table_name = $2 "
      "HAVING bool_and(done)) s WHERE m.target_schema = $1 AND m.table_name = $2 AND m.status = "
      "'loading' RETURNING 1",
      schema, t.name);
  return r.Rows() == 1;
}

// Runs `sql`; a refusal becomes a warning that `what` was not carried over.
bool Attempt(pg::Connection& conn, const TablePlan& t, const std::string& what,
             const std::string& sql, CopyReport* report, std::mutex* mu) {
  try {
    conn.ExecScript(sql);
    return true;
  } catch (const pg::Error& e) {
    Warn(report, mu, t.name + ": " + what + " not carried over: " + e.what());
    return false;
  }
}

// One index of a table (index -1: the unique index that becomes the primary key). Index
// builds only take SHARE locks, so those of one table run in parallel too.
void BuildIndex(const EngineOptions& o, const std::string& schema, const TablePlan& t, int index,
                CopyReport* report, std::mutex* mu) {
  auto conn = OpenTarget(o.dsn);
  conn.ExecScript("SET maintenance_work_mem = '256MB'");
  std::string q = Qualified(schema, t.name);
  if (index < 0) {
    if (ExistsConstraint(conn, schema, t.primary_key_name) ||
        ExistsRelation(conn, schema, t.primary_key_name))
      return;
    Attempt(conn, t, "primary key",
            "CREATE UNIQUE INDEX " + Quote(t.primary_key_name) + " ON " + q + " (" +
                ColumnList(t.primary_key) + ")",
            report, mu);
    return;
  }
  const auto& ix = t.indexes[index];
  if (ExistsRelation(conn, schema, ix.name)) return;
  auto start = Clock::now();
  Attempt(conn, t, "index " + ix.name,
          std::string("CREATE ") + (ix.unique ? "UNIQUE " : "") + "INDEX " + Quote(ix.name) +
              " ON " + q + " (" + ColumnList(ix.columns) + ")",
          report, mu);
  spdlog::info("index {}: {:.2f}s", ix.name,
               std::chrono::duration<double>(Clock::now() - start).count());
}

// Sets each identity of table `q` past its maximum: the next value is max + 1, or 1 when the
// table is empty or holds only keys below 1 (at INT64_MAX, the next insert fails, as it must).
void SetIdentities(pg::Connection& conn, const std::string& q, const TablePlan& t) {
  for (const auto& c : t.columns)
    if (c.identity)
      conn.Execute("SELECT setval(pg_get_serial_sequence($1, $2), greatest(m, 1), m >= 1) FROM "
                   "(SELECT max(" + Quote(c.name) + ")::bigint AS m FROM " + q + ") x",
                   q, c.name);
}

// After BuildIndex: the primary key (on its index), checks, identities and ANALYZE. Each
// step is skipped when it already exists, so an interrupted run resumes here.
void ConstrainTable(const EngineOptions& o, const std::string& schema, const TablePlan& t,
                    CopyReport* report, std::mutex* mu) {
  auto conn = OpenTarget(o.dsn);
  std::string q = Qualified(schema, t.name);
  if (!t.primary_key.empty() && !ExistsConstraint(conn, schema, t.primary_key_name) &&
      ExistsRelation(conn, schema, t.primary_key_name) &&
      !Attempt(conn, t, "primary key",
               "ALTER TABLE " + q + " ADD CONSTRAINT " + Quote(t.primary_key_name) +
                   " PRIMARY KEY USING INDEX " + Quote(t.primary_key_name),
               report, mu))
    conn.ExecScript("DROP INDEX " + Qualified(schema, t.primary_key_name));
  // Test hook: CORRENTE_MIGRATE_TEST_KILL_PHASE=constraints dies after the first primary key.
  if (const char* phase = std::getenv("CORRENTE_MIGRATE_TEST_KILL_PHASE");
      phase && std::string(phase) == "constraints" && !t.primary_key.empty())
    std::raise(SIGKILL);
  for (size_t k = 0; k < t.checks.size(); ++k) {
    std::string name = CheckName(t, k);
    if (ExistsConstraint(conn, schema, name)) continue;
    Attempt(conn, t, "CHECK (" + t.checks[k] + ")",
            "ALTER TABLE " + q + " ADD CONSTRAINT " + Quote(name) + " CHECK (" + t.checks[k] + ")",
            report, mu);
  }
  SetIdentities(conn, q, t);
  conn.ExecScript("ANALYZE " + q);
}

void AddForeignKeys(const EngineOptions& o, const std::string& schema,
                    const std::vector<TablePlan>& plans, CopyReport* report, std::mutex* mu) {
  auto conn = OpenTarget(o.dsn);
  for (const auto& t : plans) {
    for (const auto& fk : t.foreign_keys) {
      if (ExistsConstraint(conn, schema, fk.name)) continue;
      bool known = std::any_of(plans.begin(), plans.end(),
                               [&](const TablePlan& p) { return p.name == fk.ref_table; });
      if (!known) {
        Warn(report, mu,
             t.name + ": foreign key " + fk.name + " references " + fk.ref_table + ", not copied");
        continue;
      }
      auto action = [](const std::string& a) {
        static const char* kAllowed[] = {"NO ACTION", "RESTRICT", "CASCADE", "SET NULL",
                                         "SET DEFAULT"};
        for (const char* k : kAllowed)
          if (a == k) return std::string(k);
        return std::string("NO ACTION");
      };
      std::string sql = "ALTER TABLE " + Qualified(schema, t.name) + " ADD CONSTRAINT " +
                        Quote(fk.name) + " FOREIGN KEY (" + ColumnList(fk.columns) +
                        ") REFERENCES " + Qualified(schema, fk.ref_table) + " (" +
                        ColumnList(fk.ref_columns) + ") ON DELETE " + action(fk.on_delete) +
                        " ON UPDATE " + action(fk.on_update);
      try {
        conn.ExecScript(sql);
      } catch (const pg::Error& e) {
        Warn(report, mu,
             t.name + ": foreign key " + fk.name + " does not hold (" + e.what() +
                 "); added NOT VALID");
        try {
          conn.ExecScript(sql + " NOT VALID");
        } catch (const pg::Error& e2) {
          Warn(report, mu, t.name + ": foreign key " + fk.name + " not carried over: " + e2.what());
        }
      }
    }
  }
}

}  // namespace

namespace {
// Source-side stats taken while loading (copy --verify), by table name.
using LoadedStats = std::map<std::string, SideStats>;
VerifyReport Verify(const EngineOptions& o, const LoadedStats& loaded);
}  // namespace

std::string ResolveSchema(const EngineOptions& o) {
  if (!o.schema.empty()) return o.schema;
  return OpenSource(o.source_url)->DefaultSchemaName();
}

CopyReport RunCopy(const EngineOptions& o) {
  auto start = Clock::now();
  CopyReport report;
  std::mutex mu;
  std::string schema = ResolveSchema(o);
  report.schema = schema;
  auto plans = LoadPlan(o);
  for (const auto& t : plans)
    for (const auto& w : t.warnings) report.warnings.push_back(t.name + ": " + w);
  auto conn = OpenTarget(o.dsn);
  if (o.fresh) {
    conn.ExecScript("DROP SCHEMA IF EXISTS " + Quote(schema) + " CASCADE");
    conn.Execute("DELETE FROM staging.migration_tables WHERE target_schema = $1", schema);
    conn.Execute("DELETE FROM staging.migration_rejects WHERE target_schema = $1", schema);
    conn.Execute("DELETE FROM staging.migration_notes WHERE target_schema = $1", schema);
    conn.Execute("DELETE FROM staging.migration_ranges WHERE target_schema = $1", schema);
  }
  conn.ExecScript("CREATE SCHEMA IF NOT EXISTS " + Quote(schema));
  std::map<std::string, std::string> state;
  auto st = conn.Execute(
      "SELECT table_name, status FROM staging.migration_tables WHERE target_schema = $1", schema);
  for (int i = 0; i < st.Rows(); ++i) state[st.GetString(i, 0)] = st.GetString(i, 1);
  // What is left: whole tables, and the key ranges of large ones (those an earlier run
  // left, or all of them).
  auto src = OpenSource(o.source_url);
  std::vector<LoadUnit> units;
  std::vector<const TablePlan*> ranged;
  // copy --verify: the tables loaded whole in this run, their stats so far and units left
  // (-1: PostgreSQL refused rows, so verify reads the source).
  struct Pending {
    SideStats stats;
    int left;
  };
  std::map<std::string, Pending> pending;
  for (const auto& t : plans) {
    auto it = state.find(t.name);
    bool exists = ExistsRelation(conn, schema, t.name);
    if (it != state.end() && it->second != "loading" && exists) {
      report.tables_skipped++;
      continue;
    }
    bool resume = it != state.end() && it->second == "loading" && exists;
    std::vector<LoadUnit> mine;
    if (resume || (o.range_rows > 0 && t.source.estimated_rows > o.range_rows))
      mine = StartRanges(o, schema, t, *src, resume);
    else
      mine = {LoadUnit{&t, std::nullopt}};
    if (mine.empty() || mine.front().range) ranged.push_back(&t);
    if (o.verify && !resume && !mine.empty())
      pending[t.name] = {EmptyStats(t), static_cast<int>(mine.size())};
    units.insert(units.end(), mine.begin(), mine.end());
  }
  // Largest first, so the long ones start early.
  auto size = [](const LoadUnit& u) {
    return u.table->source.estimated_rows / std::max(1, u.ranges);
  };
  std::stable_sort(units.begin(), units.end(),
                   [&](const LoadUnit& a, const LoadUnit& b) { return size(a) > size(b); });
  std::vector<char> counted(units.size());  // read by the workers, so fixed before them
  for (size_t i = 0; i < units.size(); ++i) counted[i] = pending.count(units[i].table->name) > 0;
  ParallelFor(static_cast<int>(units.size()), o.jobs, [&](int i) {
    const auto& u = units[i];
    const auto& name = u.table->name;
    std::optional<SideStats> s;
    Load(o, schema, u, &report, &mu, counted[i] ? &s : nullptr);
    if (!counted[i]) return;
    std::lock_guard lock(mu);
    auto& p = pending.at(name);
    if (!s) {
      p.left = -1;
    } else if (p.left > 0) {
      Merge(*u.table, *s, &p.stats);
      --p.left;
    }
  });
  LoadedStats loaded;
  for (auto& [name, p] : pending)
    if (p.left == 0) loaded.emplace(name, std::move(p.stats));
  for (const auto* t : ranged) {
    if (!FinishRanges(conn, schema, *t))
      throw std::runtime_error("table " + t->name +
                               ": key ranges are missing; run the same command again");
    report.tables_loaded++;
  }
  // Verify reads take ACCESS SHARE locks, which index builds (SHARE) do not wait for.
  std::exception_ptr verify_error;
  std::thread verifier;
  if (o.verify)
    verifier = std::thread([&] {
      try {
        report.verify = Verify(o, loaded);
      } catch (...) {
        verify_error = std::current_exception();
      }
    });
  struct Join {
    std::thread& t;
    ~Join() {
      if (t.joinable()) t.join();
    }
  } join{verifier};
  std::vector<const TablePlan*> unconstrained;
  for (const auto& t : plans)
    if (state[t.name] != "constrained") unconstrained.push_back(&t);
  // Every index of every table (largest tables first), then per table the rest.
  std::sort(unconstrained.begin(), unconstrained.end(), [](const TablePlan* a, const TablePlan* b) {
    return a->source.estimated_rows > b->source.estimated_rows;
  });
  std::vector<std::pair<const TablePlan*, int>> indexes;
  for (const auto* t : unconstrained) {
    if (!t->primary_key.empty()) indexes.emplace_back(t, -1);
    for (size_t k = 0; k < t->indexes.size(); ++k) indexes.emplace_back(t, static_cast<int>(k));
  }
  // Longest builds first: rows times key width, text keys (compared bytewise) weigh more.
  auto cost = [](const std::pair<const TablePlan*, int>& ix) {
    const auto& t = *ix.first;
    const auto& cols = ix.second < 0 ? t.primary_key : t.indexes[ix.second].columns;
    int64_t w = 0;
    for (const auto& name : cols)
      for (const auto& c : t.columns)
        if (c.name == name) w += c.type == PgType::kText || c.type == PgType::kVarchar ? 3 : 1;
    return w * std::max<int64_t>(t.source.estimated_rows, 1);
  };
  std::stable_sort(indexes.begin(), indexes.end(),
                   [&](const auto& a, const auto& b) { return cost(a) > cost(b); });
  ParallelFor(static_cast<int>(indexes.size()), o.jobs, [&](int i) {
    BuildIndex(o, schema, *indexes[i].first, indexes[i].second, &report, &mu);
  });
  ParallelFor(static_cast<int>(unconstrained.size()), o.jobs,
              [&](int i) { ConstrainTable(o, schema, *unconstrained[i], &report, &mu); });
  AddForeignKeys(o, schema, plans, &report, &mu);
  for (const auto& t : plans)
    conn.Execute(
        "UPDATE staging.migration_tables SET status = 'constrained', updated_at = now() "
        "WHERE target_schema = $1 AND table_name = $2 AND status = 'loaded'",
        schema, t.name);
  if (verifier.joinable()) verifier.join();
  if (verify_error) std::rethrow_exception(verify_error);
  report.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  return report;
}

// ---------------- verify ----------------

namespace {

// `refused`: keys of rows PostgreSQL refused at load; they count as rejected.
SideStats SourceStats(const EngineOptions& o, const TablePlan& t,
                      const std::optional<KeyRange>& range, const std::set<std::string>& refused) {
  auto src = OpenSource(o.source_url);
  ConvertContext ctx{o.zero_dates};
  SideStats s = EmptyStats(t);
  auto cur = src->Scan(t.source, {}, range);
  std::vector<TargetValue> vals;
  std::vector<std::string> notes;
  CanonRow row;
  std::string reason, column;
  while (cur->Next()) {
    if (!ConvertRow(t, *cur, ctx, &vals, &notes, &reason, &column) ||
        (!refused.empty() && refused.count(cur->RowLabel()))) {
      ++s.rejected;
      continue;
    }
    FillRow(t, vals, &row);
    Accumulate(t, row, &s);
  }
  return s;
}

SideStats TargetStats(const EngineOptions& o, const std::string& schema, const TablePlan& t,
                      const std::string& where) {
  auto conn = OpenTarget(o.dsn);
  SideStats s = EmptyStats(t);
  PgTextRows rows(conn, TargetSelect(t, schema, where, {}));
  CanonRow row;
  while (rows.Next()) {
    FillRow(t, rows, &row);
    Accumulate(t, row, &s);
  }
  return s;
}

// Tables at least this large are read in `jobs` key ranges (source) and page ranges (target).
// Test hook: CORRENTE_MIGRATE_TEST_SPLIT_ROWS lowers it, so small fixtures are split too.
int64_t SplitRows() {
  const char* v = std::getenv("CORRENTE_MIGRATE_TEST_SPLIT_ROWS");
  return v ? std::atoll(v) : 200000;
}

// One part of a verify: a key range of a table's source or a page range of its target.
struct VerifyPart {
  size_t table;
  bool source;
  std::optional<KeyRange> range;  // source
  std::string where;              // target: a ctid range
  int64_t weight;
};

std::vector<VerifyPart> SplitVerify(const EngineOptions& o, const std::string& schema,
                                    const std::vector<TablePlan>& plans, const LoadedStats& loaded,
                                    std::vector<TableVerify>* tables) {
  auto src = OpenSource(o.source_url);
  auto conn = OpenTarget(o.dsn);
  int n = std::max(1, o.jobs);
  const int64_t split_rows = SplitRows();
  std::vector<VerifyPart> parts;
  for (size_t i = 0; i < plans.size(); ++i) {
    const auto& t = plans[i];
    int64_t rows = std::max<int64_t>(t.source.estimated_rows, 1);
    std::optional<KeyRange> bounds;
    bool taken = false;  // the source side was taken while loading
    if (auto it = loaded.find(t.name); it != loaded.end()) {
      (*tables)[i].source = it->second;
      taken = true;
    } else if (n > 1 && rows >= split_rows) {
      bounds = src->KeyBounds(t.source);
    }
    if (!taken && !bounds) {
      parts.push_back({i, true, std::nullopt, "", rows});
    } else if (bounds) {
      auto ranges = SplitKeyRange(*bounds, n);
      spdlog::info("verify {}: source in {} ranges of {}", t.name, ranges.size(), bounds->column);
      for (auto& r : ranges)
        parts.push_back({i, true, std::move(r), "", rows / static_cast<int64_t>(ranges.size())});
    }
    if (taken) spdlog::info("verify {}: source side taken while loading", t.name);
    if (!ExistsRelation(conn, schema, t.name)) {
      (*tables)[i].target.rows = -1;
      continue;
    }
    int64_t pages =
        conn.Execute("SELECT pg_relation_size($1::regclass) / current_setting('block_size')::int",
                     Qualified(schema, t.name))
            .GetInt(0, 0);
    int m = n > 1 && rows >= split_rows && pages >= n ? n : 1;
    for (int k = 0; k < m; ++k) {
      std::string w;
      if (k > 0) w = "ctid >= '(" + std::to_string(pages * k / m) + ",0)'::tid";
      if (k < m - 1)
        w += (w.empty() ? "" : " AND ") + std::string("ctid < '(") +
             std::to_string(pages * (k + 1) / m) + ",0)'::tid";
      parts.push_back({i, false, std::nullopt, w, rows / m});
    }
  }
  std::stable_sort(parts.begin(), parts.end(),
                   [](const VerifyPart& a, const VerifyPart& b) { return a.weight > b.weight; });
  return parts;
}

std::string Hex(uint64_t v) {
  char b[20];
  std::snprintf(b, sizeof b, "%016llx", static_cast<unsigned long long>(v));
  return b;
}

std::string JsonString(std::string_view s) {
  std::string r = "\"";
  for (unsigned char c : s) {
    if (c == '"' || c == '\\')
      r += '\\', r += static_cast<char>(c);
    else if (c < 0x20) {
      char b[8];
      std::snprintf(b, sizeof b, "\\u%04x", c);
      r += b;
    } else
      r += static_cast<char>(c);
  }
  return r + "\"";
}

}  // namespace

bool VerifyReport::Ok() const {
  return std::all_of(tables.begin(), tables.end(), [](const TableVerify& t) { return t.Ok(); });
}

std::string VerifyReport::Render() const {
  std::ostringstream out;
  char line[512];
  std::snprintf(line, sizeof line, "%-28s %12s %12s %8s %-16s %-16s %s\n", "table", "source rows",
                "target rows", "rejects", "source checksum", "target checksum", "result");
  out << line;
  for (const auto& t : tables) {
    std::snprintf(line, sizeof line, "%-28s %12lld %12lld %8lld %-16s %-16s %s\n", t.table.c_str(),
                  static_cast<long long>(t.source.rows + t.source.rejected),
                  static_cast<long long>(t.target.rows), static_cast<long long>(t.rejects_recorded),
                  Hex(t.source.checksum).c_str(), Hex(t.target.checksum).c_str(),
                  t.Ok() ? "OK" : "MISMATCH");
    out << line;
    for (const auto& m : t.mismatches) out << "    " << m << "\n";
  }
  int bad = 0;
  for (const auto& t : tables) bad += !t.Ok();
  if (bad == 0)
    out << "verify: all " << tables.size() << " tables match\n";
  else
    out << "verify: MISMATCH in " << bad << " of " << tables.size() << " tables\n";
  return out.str();
}

std::string VerifyReport::Json() const {
  std::ostringstream o;
  o << "{\"schema\":" << JsonString(schema) << ",\"ok\":" << (Ok() ? "true" : "false")
    << ",\"tables\":[";
  for (size_t i = 0; i < tables.size(); ++i) {
    const auto& t = tables[i];
    auto side = [&](const SideStats& s) {
      std::ostringstream so;
      so << "{\"rows\":" << s.rows << ",\"checksum\":\"" << Hex(s.checksum) << "\",\"columns\":[";
      for (size_t k = 0; k < s.columns.size(); ++k) {
        const auto& c = s.columns[k];
        so << (k ? "," : "") << "{\"name\":" << JsonString(c.name) << ",\"nulls\":" << c.nulls
           << ",\"min\":" << (c.min ? JsonString(*c.min) : "null")
           << ",\"max\":" << (c.max ? JsonString(*c.max) : "null");
        if (c.summed) {
          char b[64];
          std::snprintf(b, sizeof b, "%.17Lg", c.sum);
          so << ",\"sum\":" << JsonString(b);
        }
        so << "}";
      }
      so << "]}";
      return so.str();
    };
    o << (i ? "," : "") << "{\"table\":" << JsonString(t.table)
      << ",\"ok\":" << (t.Ok() ? "true" : "false") << ",\"source_rejected\":" << t.source.rejected
      << ",\"rejects_recorded\":" << t.rejects_recorded << ",\"source\":" << side(t.source)
      << ",\"target\":" << side(t.target) << ",\"mismatches\":[";
    for (size_t k = 0; k < t.mismatches.size(); ++k)
      o << (k ? "," : "") << JsonString(t.mismatches[k]);
    o << "]}";
  }
  o << "]}";
  return o.str();
}

VerifyReport RunVerify(const EngineOptions& o) { return Verify(o, {}); }

namespace {

VerifyReport Verify(const EngineOptions& o, const LoadedStats& loaded) {
  VerifyReport report;
  report.schema = ResolveSchema(o);
  auto plans = LoadPlan(o);
  report.tables.resize(plans.size());
  for (size_t i = 0; i < plans.size(); ++i) {
    report.tables[i].table = plans[i].name;
    report.tables[i].source = EmptyStats(plans[i]);
    report.tables[i].target = EmptyStats(plans[i]);
  }
  // Source key ranges and target page ranges are read in parallel: the source side is
  // this process's CPU, the target side mostly the server's.
  auto parts = SplitVerify(o, report.schema, plans, loaded, &report.tables);
  std::vector<std::set<std::string>> refused(plans.size());
  {
    auto conn = OpenTarget(o.dsn);
    for (size_t i = 0; i < plans.size(); ++i)
      refused[i] = RefusedKeys(conn, report.schema, plans[i].name);
  }
  std::mutex mu;
  ParallelFor(static_cast<int>(parts.size()), 2 * std::max(1, o.jobs), [&](int p) {
    const auto& part = parts[p];
    const auto& t = plans[part.table];
    SideStats s = part.source ? SourceStats(o, t, part.range, refused[part.table])
                              : TargetStats(o, report.schema, t, part.where);
    std::lock_guard lock(mu);
    auto& tv = report.tables[part.table];
    Merge(t, s, part.source ? &tv.source : &tv.target);
  });
  auto conn = OpenTarget(o.dsn);
  for (size_t i = 0; i < plans.size(); ++i) {
    const auto& t = plans[i];
    auto& tv = report.tables[i];
    tv.rejects_recorded =
        conn.Execute(
                "SELECT count(*) FROM staging.migration_rejects WHERE target_schema = $1 AND "
                "table_name = $2",
                report.schema, t.name)
            .GetInt(0, 0);
    if (tv.target.rows < 0) {
      tv.mismatches.push_back("table missing in the target");
      continue;
    }
    if (tv.source.rows != tv.target.rows)
      tv.mismatches.push_back("row count: source " + std::to_string(tv.source.rows) + " (+" +
                              std::to_string(tv.source.rejected) + " rejected), target " +
                              std::to_string(tv.target.rows));
    if (tv.source.checksum != tv.target.checksum)
      tv.mismatches.push_back("checksum: source " + Hex(tv.source.checksum) + ", target " +
                              Hex(tv.target.checksum));
    if (tv.source.rejected != tv.rejects_recorded)
      tv.mismatches.push_back("rejects: source has " + std::to_string(tv.source.rejected) +
                              " unconvertible rows, " + std::to_string(tv.rejects_recorded) +
                              " recorded in staging.migration_rejects");
    for (size_t k = 0; k < t.columns.size(); ++k) {
      const auto& a = tv.source.columns[k];
      const auto& b = tv.target.columns[k];
      if (a.nulls != b.nulls)
        tv.mismatches.push_back(a.name + ": nulls " + std::to_string(a.nulls) + " vs " +
                                std::to_string(b.nulls));
      if (a.min != b.min)
        tv.mismatches.push_back(a.name + ": min " + a.min.value_or("NULL") + " vs " +
                                b.min.value_or("NULL"));
      if (a.max != b.max)
        tv.mismatches.push_back(a.name + ": max " + a.max.value_or("NULL") + " vs " +
                                b.max.value_or("NULL"));
      long double tol = 1e-9L * std::max<long double>(1, std::fabs(a.sum));
      if (a.summed && std::fabs(a.sum - b.sum) > tol) {
        char buf[128];
        std::snprintf(buf, sizeof buf, ": sum %.17Lg vs %.17Lg", a.sum, b.sum);
        tv.mismatches.push_back(a.name + buf);
      }
    }
  }
  conn.Execute(
      "INSERT INTO staging.migration_verify (target_schema, source_url, ok, report) VALUES ($1, "
      "$2, $3, "
      "$4::jsonb)",
      report.schema, o.source_url, report.Ok(), report.Json());
  return report;
}

}  // namespace

// ---------------- diff ----------------

namespace {

struct KeyedRow {
  std::vector<std::string> key;
  uint64_t hash = 0;
  std::vector<TargetValue> values;  // source rows only, when collected
};

std::vector<int> KeyIndexes(const TablePlan& t) {
  std::vector<int> idx;
  for (const auto& k : t.primary_key)
    for (size_t i = 0; i < t.columns.size(); ++i)
      if (t.columns[i].name == k) idx.push_back(static_cast<int>(i));
  return idx;
}

int CompareKeys(const TablePlan& t, const std::vector<int>& kidx, const std::vector<std::string>& a,
                const std::vector<std::string>& b) {
  for (size_t k = 0; k < a.size(); ++k) {
    StatKind sk = KindOf(t.columns[kidx[k]].type);
    if (sk == StatKind::kDecimal) {
      if (int c = CompareDecimal(a[k], b[k])) return c;
    } else if (sk != StatKind::kText) {
      long double x = NumberOf(sk, a[k]), y = NumberOf(sk, b[k]);
      if (x != y) return x < y ? -1 : 1;
    } else if (int c = a[k].compare(b[k])) {
      return c < 0 ? -1 : 1;
    }
  }
  return 0;
}

std::string KeyLabel(const TablePlan& t, const std::vector<std::string>& key) {
  std::string r;
  for (size_t k = 0; k < key.size(); ++k) r += (k ? "," : "") + t.primary_key[k] + "=" + key[k];
  return r;
}

struct Differ {
  Differ(const EngineOptions& opts, std::string target_schema, const TablePlan& table)
      : o(opts),
        schema(std::move(target_schema)),
        t(table),
        kidx(KeyIndexes(table)),
        src(OpenSource(opts.source_url)),
        conn(OpenTarget(opts.dsn)),
        refused(RefusedKeys(conn, schema, table.name)) {}
  // False for rows that are not in the target by design (rejected at load).
  bool Convert(RowCursor& cur, const ConvertContext& ctx, std::vector<TargetValue>* vals,
               std::vector<std::string>* notes) {
    std::string reason, column;
    return ConvertRow(t, cur, ctx, vals, notes, &reason, &column) &&
           (refused.empty() || !refused.count(cur.RowLabel()));
  }
  const EngineOptions& o;
  std::string schema;
  const TablePlan& t;
  std::vector<int> kidx;
  std::unique_ptr<Source> src;
  pg::Connection conn;
  std::set<std::string> refused;
  bool collect = false;
  DiffReport report;
  std::vector<KeyedRow> to_upsert;
  std::vector<std::vector<std::string>> to_delete;

  std::string Where(std::optional<int64_t> lo, std::optional<int64_t> hi) const {
    std::string w;
    std::string k = Quote(t.primary_key[0]);
    if (lo) w += k + " >= " + std::to_string(*lo);
    if (hi) w += (w.empty() ? "" : " AND ") + k + " < " + std::to_string(*hi);
    return w;
  }

  // One row read from either side: counted into `stats`, or keyed and passed to `fn`.
  void Emit(const CanonRow& canon, const std::vector<TargetValue>* vals,
            const std::function<void(KeyedRow&&)>& fn, SideStats* stats) {
    KeyedRow r;
    r.hash = canon.Hash();
    if (stats) {
      ++stats->rows;
      stats->checksum += r.hash;
      return;
    }
    for (int k : kidx) r.key.emplace_back(canon.Get(k));
    if (vals && collect) r.values = *vals;
    fn(std::move(r));
  }

  // Each source row that converts (and was not refused), with its canonical row.
  void ForEachSource(const std::vector<std::string>& order_by, std::optional<KeyRange> range,
                     const std::function<void(const RowCursor&, const std::vector<TargetValue>&,
                                              const CanonRow&)>& fn) {
    ConvertContext ctx{o.zero_dates};
    auto cur = src->Scan(t.source, order_by, range);
    std::vector<TargetValue> vals;
    std::vector<std::string> notes;
    CanonRow canon;
    while (cur->Next()) {
      if (!Convert(*cur, ctx, &vals, &notes)) continue;
      FillRow(t, vals, &canon);
      fn(*cur, vals, canon);
    }
  }

  // Reads one side in key order; calls `fn` per row.
  void ReadSource(std::optional<KeyRange> range, const std::function<void(KeyedRow&&)>& fn,
                  SideStats* stats) {
    ForEachSource(stats ? std::vector<std::string>{} : t.primary_key, range,
                  [&](const RowCursor&, const std::vector<TargetValue>& vals,
                      const CanonRow& canon) { Emit(canon, &vals, fn, stats); });
  }
  void ReadTarget(const std::string& where, const std::function<void(KeyedRow&&)>& fn,
                  SideStats* stats) {
    PgTextRows rows(
        conn, TargetSelect(t, schema, where, stats ? std::vector<std::string>{} : t.primary_key));
    CanonRow canon;
    while (rows.Next()) {
      FillRow(t, rows, &canon);
      Emit(canon, nullptr, fn, stats);
    }
  }

  // Merges both sides of a range in key order, streaming: memory is two rows plus the
  // differing rows collected for sync.
  void MergeRange(std::optional<int64_t> lo, std::optional<int64_t> hi, bool ranged) {
    std::optional<KeyRange> range;
    if (ranged) range = KeyRange{t.primary_key[0], lo, hi};
    ConvertContext ctx{o.zero_dates};
    auto cur = src->Scan(t.source, t.primary_key, range);
    PgTextRows rows(conn, TargetSelect(t, schema, ranged ? Where(lo, hi) : "", t.primary_key));
    std::vector<TargetValue> vals;
    std::vector<std::string> notes;
    CanonRow canon_a, canon_b;
    KeyedRow a, b;
    auto next_a = [&]() {
      while (cur->Next()) {
        if (!Convert(*cur, ctx, &vals, &notes)) continue;
        FillRow(t, vals, &canon_a);
        a.hash = canon_a.Hash();
        a.key.clear();
        for (int k : kidx) a.key.emplace_back(canon_a.Get(k));
        return true;
      }
      return false;
    };
    auto next_b = [&]() {
      if (!rows.Next()) return false;
      FillRow(t, rows, &canon_b);
      b.hash = canon_b.Hash();
      b.key.clear();
      for (int k : kidx) b.key.emplace_back(canon_b.Get(k));
      return true;
    };
    auto take_a = [&]() {
      KeyedRow r;
      r.key = a.key;
      r.values = vals;
      to_upsert.push_back(std::move(r));
    };
    bool has_a = next_a(), has_b = next_b();
    while (has_a || has_b) {
      int c = !has_a ? 1 : !has_b ? -1 : CompareKeys(t, kidx, a.key, b.key);
      if (c < 0) {
        report.missing.push_back(KeyLabel(t, a.key));
        if (collect) take_a();
        has_a = next_a();
      } else if (c > 0) {
        report.extra.push_back(KeyLabel(t, b.key));
        if (collect) to_delete.push_back(b.key);
        has_b = next_b();
      } else {
        if (a.hash != b.hash) {
          report.changed.push_back(KeyLabel(t, a.key));
          if (collect) take_a();
        }
        has_a = next_a();
        has_b = next_b();
      }
    }
  }

  // Watermark pass: the source in key order against the target's keys only. Missing keys
  // are inserted, extra keys deleted (the diff that finds deletions), and rows whose column
  // `wm_col` is at or past `since` upserted (none with `rowid`: SQLite keeps the rowid of an
  // updated row). Returns the column's new maximum.
  std::optional<std::string> KeyMerge(int wm_col, const std::optional<std::string>& since,
                                      bool rowid) {
    ConvertContext ctx{o.zero_dates};
    StatKind wk = KindOf(t.columns[wm_col].type);
    auto cur = src->Scan(t.source, t.primary_key, std::nullopt);
    PgTextRows rows(conn, TargetSelect(t, schema, "", t.primary_key, &t.primary_key));
    std::vector<TargetValue> vals;
    std::vector<std::string> notes, b_key;
    CanonRow a;
    std::vector<std::string> a_key;
    std::string b_canon;
    std::optional<std::string> top;
    auto next_a = [&]() {
      while (cur->Next()) {
        if (!Convert(*cur, ctx, &vals, &notes)) continue;
        FillRow(t, vals, &a);
        a_key.clear();
        for (int k : kidx) a_key.emplace_back(a.Get(k));
        if (!a.IsNull(wm_col)) {
          auto v = a.Get(wm_col);
          if (!top || Less(wk, *top, NumberOf(wk, *top), v, NumberOf(wk, v))) top = std::string(v);
        }
        return true;
      }
      return false;
    };
    auto next_b = [&]() {
      if (!rows.Next()) return false;
      b_key.resize(kidx.size());
      for (size_t k = 0; k < kidx.size(); ++k) {
        b_canon.clear();
        CanonicalFromPg(t.columns[kidx[k]], rows.Field(static_cast<int>(k)), &b_canon);
        b_key[k] = b_canon;
      }
      return true;
    };
    auto take_a = [&]() {
      KeyedRow r;
      r.key = a_key;
      r.values = vals;
      to_upsert.push_back(std::move(r));
    };
    auto changed = [&]() {
      if (rowid || a.IsNull(wm_col)) return false;
      if (!since) return true;
      auto v = a.Get(wm_col);
      return !Less(wk, v, NumberOf(wk, v), *since, NumberOf(wk, *since));
    };
    bool has_a = next_a(), has_b = next_b();
    while (has_a || has_b) {
      int c = !has_a ? 1 : !has_b ? -1 : CompareKeys(t, kidx, a_key, b_key);
      if (c < 0) {
        report.missing.push_back(KeyLabel(t, a_key));
        take_a();
        has_a = next_a();
      } else if (c > 0) {
        report.extra.push_back(KeyLabel(t, b_key));
        to_delete.push_back(b_key);
        has_b = next_b();
      } else {
        if (changed()) {
          report.changed.push_back(KeyLabel(t, a_key));
          take_a();
        }
        has_a = next_a();
        has_b = next_b();
      }
    }
    return top;
  }

  // Tables without a primary key (CSV files, MySQL heaps): both sides as multisets of whole
  // rows. A source row matches one target row of the same row hash; unmatched source rows
  // are missing (labelled by the source: "line 7"), unmatched target rows extra (labelled
  // by their values; sync deletes them by ctid, kept in to_delete). A changed row shows as
  // one missing and one extra. Equal tables stream (count and checksum per side, as
  // verify); otherwise memory is one hash and ctid per target row.
  void RowHashMerge() {
    ++report.segments_compared;
    SideStats sa, sb;
    ReadSource(std::nullopt, nullptr, &sa);
    ReadTarget("", nullptr, &sb);
    if (sa.rows == sb.rows && sa.checksum == sb.checksum) return;
    std::map<uint64_t, std::vector<std::string>> target;  // row hash -> ctids
    {
      PgTextRows rows(conn, "COPY (SELECT " + ColumnList(t) + ", ctid FROM " +
                                Qualified(schema, t.name) + ") TO STDOUT");
      CanonRow canon;
      const int ctid = static_cast<int>(t.columns.size());
      while (rows.Next()) {
        FillRow(t, rows, &canon);
        target[canon.Hash()].emplace_back(rows.Field(ctid));
      }
    }
    ForEachSource(
        {}, std::nullopt,
        [&](const RowCursor& cur, const std::vector<TargetValue>& vals, const CanonRow& canon) {
          auto it = target.find(canon.Hash());
          if (it != target.end() && !it->second.empty()) {
            it->second.pop_back();
            return;
          }
          report.missing.push_back(cur.RowLabel());
          if (collect) {
            KeyedRow r;
            r.values = vals;
            to_upsert.push_back(std::move(r));
          }
        });
    std::string ctids;
    for (const auto& [hash, left] : target)
      for (const auto& c : left) ctids += (ctids.empty() ? "{\"" : ",\"") + c + "\"";
    if (ctids.empty()) return;
    auto r =
        conn.Execute("SELECT ctid::text, ROW(" + ColumnList(t) + ")::text FROM " +
                         Qualified(schema, t.name) + " WHERE ctid = ANY($1::tid[]) ORDER BY ctid",
                     ctids + "}");
    // Sync deletes each row by its ctid only while it still holds these values.
    std::string doomed = "[";
    for (int i = 0; i < r.Rows(); ++i) {
      report.extra.push_back("row " + r.GetString(i, 1));
      doomed += (i ? ",[" : "[") + JsonString(r.GetString(i, 0)) + "," +
                JsonString(r.GetString(i, 1)) + "]";
    }
    if (collect) to_delete.push_back({doomed + "]", std::to_string(r.Rows())});
  }

  void Bisect(int64_t lo, int64_t hi) {
    ++report.segments_compared;
    SideStats sa, sb;
    ReadSource(KeyRange{t.primary_key[0], lo, hi}, nullptr, &sa);
    ReadTarget(Where(lo, hi), nullptr, &sb);
    if (sa.rows == sb.rows && sa.checksum == sb.checksum) return;
    if (hi - lo <= 64 || std::max(sa.rows, sb.rows) <= 256) {
      MergeRange(lo, hi, true);
      return;
    }
    int64_t step = (hi - lo + 7) / 8;
    for (int64_t s = lo; s < hi; s += step) Bisect(s, std::min(hi, s + step));
  }

  void Run() {
    bool int_key = kidx.size() == 1 && (t.columns[kidx[0]].type == PgType::kBigInt ||
                                        t.columns[kidx[0]].type == PgType::kInteger ||
                                        t.columns[kidx[0]].type == PgType::kSmallInt);
    ++report.segments_compared;
    SideStats sa, sb;
    ReadSource(std::nullopt, nullptr, &sa);
    ReadTarget("", nullptr, &sb);
    if (sa.rows == sb.rows && sa.checksum == sb.checksum) return;
    if (!int_key) {
      MergeRange(std::nullopt, std::nullopt, false);
      return;
    }
    std::string k = Quote(t.primary_key[0]);
    auto r =
        conn.Execute("SELECT min(" + k + "), max(" + k + ") FROM " + Qualified(schema, t.name));
    // The source's bounds come from a full key-ordered scan of keys only when needed; use
    // a wide range that covers both sides instead: min/max over the target, widened by the
    // source rows found outside it.
    int64_t lo = r.IsNull(0, 0) ? 0 : r.GetInt(0, 0), hi = r.IsNull(0, 1) ? 0 : r.GetInt(0, 1) + 1;
    SideStats below, above;
    ReadSource(KeyRange{t.primary_key[0], std::nullopt, lo}, nullptr, &below);
    ReadSource(KeyRange{t.primary_key[0], hi, std::nullopt}, nullptr, &above);
    if (below.rows) MergeRange(std::nullopt, lo, true);
    if (above.rows) MergeRange(hi, std::nullopt, true);
    if (hi > lo) Bisect(lo, hi);
  }
};

}  // namespace

DiffReport RunDiff(const EngineOptions& o, const std::string& table) {
  EngineOptions one = o;
  one.tables = {table};
  auto plans = LoadPlan(one);
  const auto& t = plans.at(0);
  Differ d(o, ResolveSchema(o), t);
  d.report.table = table;
  if (t.primary_key.empty())
    d.RowHashMerge();
  else
    d.Run();
  return d.report;
}

static SyncTableResult SyncTable(const EngineOptions& o, const std::string& schema,
                                 const TablePlan& t);

// The column and log mode of `--watermark`: "updated_at=COL" or "rowid" (SQLite's rowid,
// which an INTEGER PRIMARY KEY is).
static std::pair<int, std::string> WatermarkColumn(const EngineOptions& o, const TablePlan& t) {
  auto find = [&](const std::string& name) {
    for (size_t i = 0; i < t.columns.size(); ++i)
      if (t.columns[i].name == name) return static_cast<int>(i);
    return -1;
  };
  if (o.watermark.rfind("updated_at=", 0) == 0) {
    int c = find(o.watermark.substr(11));
    if (c < 0) throw std::runtime_error("sync: table " + t.name + " has no column " + o.watermark.substr(11));
    return {c, "updated-at"};
  }
  if (o.watermark == "rowid") {
    int c = t.primary_key.size() == 1 ? find(t.primary_key[0]) : -1;
    if (c < 0 || t.source.columns[t.columns[c].source_index].declared_type != "INTEGER" ||
        OpenSource(o.source_url)->Kind() != "sqlite")
      throw std::runtime_error("sync --watermark rowid: table " + t.name +
                               " has no INTEGER PRIMARY KEY (SQLite's rowid)");
    return {c, "rowid"};
  }
  throw std::runtime_error("--watermark must be 'rowid' or 'updated_at=COLUMN'");
}

std::vector<SyncTableResult> RunSync(const EngineOptions& o) {
  std::string schema = ResolveSchema(o);
  auto plans = LoadPlan(o);
  std::vector<SyncTableResult> results;
  for (const auto& t : plans) {
    if (t.primary_key.empty() && (o.watermark_only || !o.watermark.empty())) {
      spdlog::warn(
          "sync: table {} has no primary key, so no watermark; skipped (a plain sync "
          "compares its whole rows)",
          t.name);
      continue;
    }
    if (o.watermark_only) {
      const ColumnPlan* key = nullptr;
      for (const auto& c : t.columns)
        if (t.primary_key.size() == 1 && c.name == t.primary_key[0]) key = &c;
      if (!key || (key->type != PgType::kBigInt && key->type != PgType::kInteger &&
                   key->type != PgType::kSmallInt)) {
        spdlog::warn("sync --watermark-only: table {} has no single integer key; skipped", t.name);
        continue;
      }
    }
    try {
      results.push_back(SyncTable(o, schema, t));
    } catch (const pg::Error& e) {
      SyncTableResult res;
      res.table = t.name;
      res.error = e.what();
      spdlog::error("sync {}: {}", t.name, e.what());
      results.push_back(res);
    }
  }
  return results;
}

SyncTableResult SyncTable(const EngineOptions& o, const std::string& schema, const TablePlan& t) {
  {
    Differ d(o, schema, t);
    d.collect = true;
    d.report.table = t.name;
    auto log = OpenTarget(o.dsn);
    auto started = log.Execute("SELECT now()::text").GetString(0, 0);
    std::string mode = "diff";
    std::optional<std::string> watermark;
    if (o.watermark_only) {
      // Append-only pass: source rows past the target's key maximum. No full read of either
      // side, so updates and deletes are not seen (run a plain sync for those).
      mode = "pk-watermark";
      auto w = d.conn.Execute("SELECT max(" + Quote(t.primary_key[0]) + ") FROM " +
                              Qualified(schema, t.name));
      std::optional<int64_t> lo;
      if (!w.IsNull(0, 0)) lo = w.GetInt(0, 0) + 1;
      d.MergeRange(lo, std::nullopt, true);
    } else if (!o.watermark.empty()) {
      auto [col, kind] = WatermarkColumn(o, t);
      mode = kind;
      auto last = log.Execute(
          "SELECT watermark FROM staging.migration_sync_log WHERE target_schema = $1 AND "
          "table_name = $2 AND mode = $3 AND watermark IS NOT NULL ORDER BY id DESC LIMIT 1",
          schema, t.name, mode);
      std::optional<std::string> since;
      if (last.Rows()) {
        since = last.GetString(0, 0);
      } else if (kind == "updated-at") {
        // First pass: the copy brought everything up to the target's maximum.
        auto m = log.Execute("SELECT max(" + Quote(t.columns[col].name) + ")::text FROM " +
                             Qualified(schema, t.name));
        if (!m.IsNull(0, 0)) {
          std::string c;
          CanonicalFromPg(t.columns[col], m.GetString(0, 0), &c);
          since = c;
        }
      }
      watermark = d.KeyMerge(col, since, kind == "rowid");
      if (!watermark) watermark = since;
    } else if (t.primary_key.empty()) {
      mode = "row-hash";
      d.RowHashMerge();
    } else {
      d.Run();
    }
    SyncTableResult res;
    res.table = t.name;
    auto& conn = d.conn;
    pg::Transaction tx(conn);
    std::string q = Qualified(schema, t.name);
    if (t.primary_key.empty()) {
      // Whole-row pass: extra rows go by ctid, read before this transaction, and only while
      // they still hold the values diffed; then the missing rows are appended.
      for (const auto& doomed : d.to_delete) {
        int64_t n = conn.Execute("DELETE FROM " + q + " t USING (SELECT (x->>0)::tid AS corrente_ctid,"
                                 " x->>1 AS corrente_row FROM jsonb_array_elements($1::jsonb) x) d"
                                 " WHERE t.ctid = d.corrente_ctid AND ROW(" + ColumnList(t, "t.") +
                                 ")::text = d.corrente_row",
                                 doomed.at(0))
                        .AffectedRows();
        if (std::to_string(n) != doomed.at(1))
          throw std::runtime_error("sync: table " + t.name +
                                   " changed in PostgreSQL while it was compared; run sync again");
        res.deleted += n;
      }
      d.to_delete.clear();
    }
    if (!d.to_upsert.empty()) {
      conn.ExecScript("CREATE TEMP TABLE corrente_sync_rows (LIKE " + q + ") ON COMMIT DROP");
      {
        pg::CopyWriter w(
            conn, "COPY corrente_sync_rows (" + ColumnList(t) + ") FROM STDIN (FORMAT binary)");
        for (const auto& r : d.to_upsert) {
          w.StartRow(static_cast<int16_t>(t.columns.size()));
          for (size_t i = 0; i < t.columns.size(); ++i) WriteValue(w, t.columns[i], r.values[i]);
        }
        w.Finish();
      }
      std::string set, old_row, new_row;
      for (const auto& c : t.columns)
        if (std::find(t.primary_key.begin(), t.primary_key.end(), c.name) == t.primary_key.end()) {
          set += (set.empty() ? "" : ", ") + Quote(c.name) + " = EXCLUDED." + Quote(c.name);
          old_row += (old_row.empty() ? "" : ", ") + q + "." + Quote(c.name);
          new_row += (new_row.empty() ? "" : ", ") + std::string("EXCLUDED.") + Quote(c.name);
        }
      // Rows equal to the target's (a watermark pass re-reads its boundary) are not updated.
      std::string sql =
          "INSERT INTO " + q + " (" + ColumnList(t) + ") OVERRIDING SYSTEM VALUE SELECT " +
          ColumnList(t) + " FROM corrente_sync_rows ON CONFLICT (" + ColumnList(t.primary_key) +
          ") " +
          (set.empty() ? "DO NOTHING"
                       : "DO UPDATE SET " + set + " WHERE ROW(" + old_row +
                             ") IS DISTINCT FROM ROW(" + new_row + ")") +
          " RETURNING (xmax = 0)";
      if (t.primary_key.empty()) {
        res.inserted += conn.ExecScript("INSERT INTO " + q + " (" + ColumnList(t) +
                                        ") OVERRIDING SYSTEM VALUE SELECT " + ColumnList(t) +
                                        " FROM corrente_sync_rows")
                            .AffectedRows();
      } else {
        auto r = conn.Execute(sql);
        for (int i = 0; i < r.Rows(); ++i) (r.GetBool(i, 0) ? res.inserted : res.updated)++;
      }
    }
    for (const auto& key : d.to_delete) {
      std::vector<pg::Param> params;
      std::string where;
      for (size_t k = 0; k < key.size(); ++k) {
        where +=
            (k ? " AND " : "") + Quote(t.primary_key[k]) + "::text = $" + std::to_string(k + 1);
        params.push_back(key[k]);
      }
      res.deleted += conn.Exec("DELETE FROM " + q + " WHERE " + where, params).AffectedRows();
    }
    if (watermark) {
      res.watermark = *watermark;
    } else if (!t.primary_key.empty()) {
      auto wm = conn.Execute("SELECT max(" + Quote(t.primary_key[0]) + ")::text FROM " + q);
      res.watermark = wm.IsNull(0, 0) ? "" : wm.GetString(0, 0);
    }
    conn.Execute(
        "INSERT INTO staging.migration_sync_log (target_schema, table_name, mode, started_at, "
        "finished_at, "
        "rows_inserted, rows_updated, rows_deleted, watermark) VALUES ($1, $2, $3, "
        "$4::timestamptz, "
        "clock_timestamp(), $5, $6, $7, $8)",
        schema, t.name, mode, started, res.inserted, res.updated, res.deleted, res.watermark);
    tx.Commit();
    SetIdentities(conn, q, t);
    return res;
  }
}

std::string RenderStatus(const std::string& dsn) {
  auto conn = OpenTarget(dsn);
  std::ostringstream out;
  // A table still loading in key ranges shows the ranges in ("loading 2/5") and their rows.
  auto t = conn.Execute(
      "SELECT m.target_schema, m.table_name, CASE WHEN m.status = 'loading' THEN 'loading ' || "
      "r.done || '/' || r.n ELSE m.status END, CASE WHEN m.status = 'loading' THEN r.rows ELSE "
      "m.rows_loaded END, CASE WHEN m.status = 'loading' THEN r.rejected ELSE m.rows_rejected "
      "END, coalesce(round(CASE WHEN m.status = 'loading' THEN r.seconds ELSE m.seconds "
      "END::numeric, 2), 0) FROM staging.migration_tables m LEFT JOIN LATERAL (SELECT "
      "count(*) FILTER (WHERE done) AS done, count(*) AS n, coalesce(sum(rows_loaded), 0) AS "
      "rows, coalesce(sum(rows_rejected), 0) AS rejected, sum(seconds) AS seconds FROM "
      "staging.migration_ranges x WHERE x.target_schema = m.target_schema AND x.table_name = "
      "m.table_name) r ON true ORDER BY 1, 2");
  char line[512];
  std::snprintf(line, sizeof line, "%-20s %-28s %-12s %12s %8s %8s\n", "schema", "table", "status",
                "rows", "rejects", "seconds");
  out << line;
  for (int i = 0; i < t.Rows(); ++i) {
    std::snprintf(line, sizeof line, "%-20s %-28s %-12s %12s %8s %8s\n", t.GetString(i, 0).c_str(),
                  t.GetString(i, 1).c_str(), t.GetString(i, 2).c_str(), t.GetString(i, 3).c_str(),
                  t.GetString(i, 4).c_str(), t.GetString(i, 5).c_str());
    out << line;
  }
  if (t.Rows() == 0) out << "(no migrations recorded)\n";
  auto v = conn.Execute(
      "SELECT DISTINCT ON (target_schema) target_schema, ok, verified_at::text, source_url FROM "
      "staging.migration_verify ORDER BY target_schema, verified_at DESC");
  for (int i = 0; i < v.Rows(); ++i)
    out << "last verify of " << v.GetString(i, 0) << ": " << (v.GetBool(i, 1) ? "OK" : "MISMATCH")
        << " at " << v.GetString(i, 2) << " (" << v.GetString(i, 3) << ")\n";
  auto s = conn.Execute(
      "SELECT target_schema, table_name, finished_at::text, rows_inserted, rows_updated, "
      "rows_deleted, "
      "coalesce(watermark, '') FROM staging.migration_sync_log ORDER BY id DESC LIMIT 10");
  for (int i = 0; i < s.Rows(); ++i)
    out << "sync " << s.GetString(i, 0) << "." << s.GetString(i, 1) << " at " << s.GetString(i, 2)
        << ": +" << s.GetString(i, 3) << " ~" << s.GetString(i, 4) << " -" << s.GetString(i, 5)
        << " watermark " << s.GetString(i, 6) << "\n";
  return out.str();
}

}  // namespace corrente::migrate
