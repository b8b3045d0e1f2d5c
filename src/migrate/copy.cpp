#include "pg/copy.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <fstream>
#include <map>
#include <mutex>
#include <thread>

#include "common/cpu_time.h"
#include "common/progress.h"
#include "common/url.h"
#include "migrate/canon.h"
#include "migrate/context.h"
#include "migrate/distribute.h"
#include "migrate/engine.h"
#include "migrate/manifest.h"
#include "migrate/ready_queue.h"
#include "migrate/recorded.h"
#include "migrate/stats_worker.h"
#include "migrate/target.h"
#include "migrate/verify.h"

namespace corrente::migrate {
namespace {

using Clock = std::chrono::steady_clock;

// Client CPU seconds by role, for the phases line (bench/migrate): the loading threads
// (source read, conversion, COPY) and the stats threads (verify's source side and the
// manifest's hashing of the rows as sent). Microseconds.
std::atomic<int64_t> g_load_cpu_us{0}, g_stats_cpu_us{0};
void AddCpu(std::atomic<int64_t>* to, double since) {
  *to += static_cast<int64_t>((ThreadCpuSeconds() - since) * 1e6);
}

// The first line of a PostgreSQL error, without its "ERROR:  ".
std::string FirstLine(std::string msg) {
  if (auto nl = msg.find('\n'); nl != std::string::npos) msg.resize(nl);
  if (msg.rfind("ERROR:  ", 0) == 0) msg.erase(0, 8);
  return msg;
}

struct Reject {
  std::string key, column, reason;
};

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
              CopyReport* report, std::mutex* mu, bool isolate, SideStats* stats,
              LoadHasher* hasher);

// Loads one unit. With `stats` (copy --verify), the source side of its verify is taken
// from the rows as they are sent, so verify need not read the source again; it stays
// unset when PostgreSQL refused rows (verify then reads the source). With `hasher` (copy
// --manifest), the rows sent are hashed too; it is reset when PostgreSQL refused rows.
void Load(const EngineOptions& o, const std::string& schema, const LoadUnit& u, CopyReport* report,
          std::mutex* mu, std::optional<SideStats>* stats, std::unique_ptr<LoadHasher>* hasher) {
  try {
    SideStats s = EmptyStats(*u.table);
    LoadOnce(o, schema, u, report, mu, false, stats ? &s : nullptr,
             hasher ? hasher->get() : nullptr);
    if (stats) *stats = std::move(s);
  } catch (const pg::Error& e) {
    if (hasher) hasher->reset();
    if (e.Kind() != pg::ErrorKind::kConstraint && e.Kind() != pg::ErrorKind::kData) throw;
    spdlog::warn(
        "{}: PostgreSQL refused a row ({}); loading it again in batches to set "
        "the refused rows aside",
        u.Label(), e.SqlState());
    LoadOnce(o, schema, u, report, mu, true, nullptr, nullptr);
  }
}

void Warn(CopyReport* r, std::mutex* mu, const std::string& w) {
  spdlog::warn("{}", w);
  std::lock_guard lock(*mu);
  r->warnings.push_back(w);
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
      WriteRow(w, t.columns, batch[r]);
    }
    int64_t n = w.Finish();
    conn.ExecScript("RELEASE SAVEPOINT corrente_rows");
    return n;
  } catch (const pg::Error& e) {
    if (e.Kind() != pg::ErrorKind::kConstraint && e.Kind() != pg::ErrorKind::kData) throw;
    conn.ExecScript("ROLLBACK TO SAVEPOINT corrente_rows; RELEASE SAVEPOINT corrente_rows");
    if (end - begin == 1) {
      std::string msg = FirstLine(e.what());
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
              CopyReport* report, std::mutex* mu, bool isolate, SideStats* stats,
              LoadHasher* hasher) {
  const TablePlan& t = *u.table;
  auto start = Clock::now();
  double cpu = ThreadCpuSeconds();
  auto conn = OpenTarget(o.dsn);
  auto src = OpenSource(o.source_url);
  ConvertContext ctx{o.zero_dates, o.invalid_text};
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
    std::string copy_sql = "COPY " + Qualified(schema, t.name) + " (" + WrittenColumnList(t) +
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
    // The manifest hashes rows in key order: the source gives them so (LoadOrder).
    auto order = hasher && w ? LoadOrder(t) : std::nullopt;
    auto cur = src->Scan(t.source, order ? *order : std::vector<std::string>{}, u.range);
    std::vector<TargetValue> vals;
    std::vector<std::string> row_notes;
    std::string reason, column;
    std::optional<StatsWorker> counted;
    if ((stats || order) && w)  // the one-stream path only
      counted.emplace(t, stats, order ? hasher : nullptr, &g_stats_cpu_us);
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
        WriteRow(*w, t.columns, vals);
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
      if (stats) stats->rejected = static_cast<int64_t>(rejects.size());
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
        schema, t.name, RedactUrl(o.source_url), rows, rejected, secs);
  }
  tx.Commit();
  AddCpu(&g_load_cpu_us, cpu);
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
      schema, t.name, RedactUrl(o.source_url));
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

// SQLSTATE 54000: "index row requires N bytes, maximum size is 8191".
constexpr const char* kProgramLimitExceeded = "54000";

// The equality-preserving form of an index whose btree entries are too large.
std::string OversizeIndexForm(const IndexPlan& ix) {
  if (!ix.unique && ix.columns.size() == 1) return "a hash index";
  return std::string("a ") + (ix.unique ? "unique " : "") + "btree index on md5 of each column";
}

std::string OversizeIndexSql(const IndexPlan& ix, const std::string& q) {
  if (!ix.unique && ix.columns.size() == 1)
    return "CREATE INDEX " + Quote(ix.name) + " ON " + q + " USING hash (" + Quote(ix.columns[0]) +
           ")";
  std::string cols;
  for (const auto& c : ix.columns)
    cols += (cols.empty() ? "" : ", ") + ("(md5(" + Quote(c) + "::text))");
  return std::string("CREATE ") + (ix.unique ? "UNIQUE " : "") + "INDEX " + Quote(ix.name) +
         " ON " + q + " (" + cols + ")";
}

// One index of a table (index -1: the unique index that becomes the primary key). Index
// builds only take SHARE locks, so those of one table run in parallel too.
void BuildIndex(pg::Pool& targets, const std::string& schema, const TablePlan& t, int index,
                CopyReport* report, std::mutex* mu) {
  auto lease = targets.Acquire();
  pg::Connection& conn = *lease;
  conn.ExecScript("SET maintenance_work_mem = '256MB'");
  std::string q = Qualified(schema, t.name);
  if (index < 0) {
    IndexPlan md5{OversizeKeyIndexName(t), t.primary_key, true};
    if (ExistsConstraint(conn, schema, t.primary_key_name) ||
        ExistsRelation(conn, schema, t.primary_key_name) || ExistsRelation(conn, schema, md5.name))
      return;
    try {
      conn.ExecScript("CREATE UNIQUE INDEX " + Quote(t.primary_key_name) + " ON " + q + " (" +
                      ColumnList(t.primary_key) + ")");
    } catch (const pg::Error& e) {
      if (e.SqlState() != kProgramLimitExceeded) {
        Warn(report, mu, t.name + ": primary key not carried over: " + e.what());
        return;
      }
      // A key value too large for a btree entry: its columns stay NOT NULL, and a unique
      // index on their md5 keeps them unique (sync's upserts take it as their arbiter).
      if (Attempt(conn, t, "primary key (as " + OversizeIndexForm(md5) + ")",
                  OversizeIndexSql(md5, q), report, mu))
        Warn(report, mu,
             t.name + ": primary key: a value is too large for a btree entry (" +
                 FirstLine(e.what()) + "); enforced as unique index " + md5.name +
                 " on md5 of each column, its columns NOT NULL (equality lookups only)");
    }
    return;
  }
  const auto& ix = t.indexes[index];
  if (ExistsRelation(conn, schema, ix.name)) return;
  auto start = Clock::now();
  try {
    conn.ExecScript(CreateIndexSql(ix, q));
  } catch (const pg::Error& e) {
    if (e.SqlState() != kProgramLimitExceeded) {
      Warn(report, mu, t.name + ": index " + ix.name + " not carried over: " + e.what());
      return;
    }
    // A btree entry is at most a third of a page: a value past it cannot be indexed as is.
    // Equality still can: a hash index (one column, not unique), or the md5 of each column.
    std::string form = OversizeIndexForm(ix);
    if (Attempt(conn, t, "index " + ix.name + " (as " + form + ")", OversizeIndexSql(ix, q), report,
                mu))
      Warn(report, mu,
           t.name + ": index " + ix.name + ": a value is too large for a btree entry (" +
               FirstLine(e.what()) + "); rebuilt as " + form + " (equality lookups only)");
  }
  spdlog::info("index {}: {:.2f}s", ix.name,
               std::chrono::duration<double>(Clock::now() - start).count());
}

// After BuildIndex: the primary key (on its index), checks, identities and ANALYZE. Each
// step is skipped when it already exists, so an interrupted run resumes here.
void ConstrainTable(pg::Pool& targets, const std::string& schema, const TablePlan& t,
                    CopyReport* report, std::mutex* mu) {
  auto lease = targets.Acquire();
  pg::Connection& conn = *lease;
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
  for (const auto& sql : OnUpdateTriggerSql(t, schema))
    Attempt(conn, t, "ON UPDATE CURRENT_TIMESTAMP trigger", sql, report, mu);
  for (const auto& sql : CommentSql(t, schema)) Attempt(conn, t, "comment", sql, report, mu);
  SetIdentities(conn, q, t);
  conn.ExecScript("ANALYZE " + q);
}

void AddForeignKeys(pg::Pool& targets, const std::string& schema,
                    const std::vector<TablePlan>& plans, CopyReport* report, std::mutex* mu) {
  auto lease = targets.Acquire();
  pg::Connection& conn = *lease;
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
                        " ON UPDATE " + action(fk.on_update) +
                        " DEFERRABLE";  // checked as before; sync defers it to its commit
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

// The manifest from the rows as they were sent; a table not hashed so is read back.
void WriteCopyManifest(const EngineOptions& o, pg::Connection& conn, const std::string& schema,
                       const std::vector<TablePlan>& plans,
                       std::map<std::string, std::vector<std::unique_ptr<LoadHasher>>>& hashed,
                       CopyReport* report) {
  std::vector<ManifestEntry> entries;
  for (const auto& t : plans) {
    std::optional<ManifestEntry> e;
    if (auto it = hashed.find(t.name); it != hashed.end()) e = CombineLoad(t, it->second);
    if (e) {
      report->manifest_hashed++;
    } else {
      spdlog::info("manifest: {} read back from the target (not hashed as loaded)", t.name);
      e = ManifestFromTarget(conn, schema, t);
      report->manifest_read_back++;
    }
    entries.push_back(std::move(*e));
  }
  std::ofstream out(o.manifest, std::ios::trunc);
  out << RenderManifest(schema, entries);
  if (!out.flush()) throw std::runtime_error("cannot write " + o.manifest);
  spdlog::info("manifest {}: {} tables hashed as loaded, {} read back from the target", o.manifest,
               report->manifest_hashed, report->manifest_read_back);
}

}  // namespace

// One schema of the source (RunCopy goes on to the others).
static CopyReport CopyOne(const EngineOptions& opts);

CopyReport RunCopy(const EngineOptions& opts) {
  auto held = HoldSource(opts);
  CopyReport r = CopyOne(opts);
  for (const auto& part : SchemaParts(opts)) MergePart(&r, CopyOne(part));
  return r;
}

static CopyReport CopyOne(const EngineOptions& opts) {
  auto start = Clock::now();
  const EngineOptions o = opts.fresh ? opts : WithRecordedMapping(opts);
  double cpu_start = ProcessCpuSeconds();
  g_load_cpu_us = 0;
  g_stats_cpu_us = 0;
  CopyReport report;
  std::mutex mu;
  auto ctx = OpenContext(o, /*recorded=*/true, /*check_all_text=*/true);
  double open_s = std::chrono::duration<double>(Clock::now() - start).count();
  const std::string& schema = ctx.schema;
  report.schema = schema;
  const auto& plans = ctx.plans;
  for (const auto& t : plans)
    for (const auto& w : t.warnings) report.warnings.push_back(t.name + ": " + w);
  if (o.tables.empty())
    for (const auto& w : ctx.source->NotCarried()) report.warnings.push_back(w);
  auto conn = OpenTarget(o.dsn);
  if (o.fresh) {
    conn.ExecScript("DROP SCHEMA IF EXISTS " + Quote(schema) + " CASCADE");
    conn.Execute("DELETE FROM staging.migration_tables WHERE target_schema = $1", schema);
    conn.Execute("DELETE FROM staging.migration_rejects WHERE target_schema = $1", schema);
    conn.Execute("DELETE FROM staging.migration_notes WHERE target_schema = $1", schema);
    conn.Execute("DELETE FROM staging.migration_ranges WHERE target_schema = $1", schema);
    conn.Execute("DELETE FROM staging.migration_options WHERE target_schema = $1", schema);
  }
  conn.ExecScript("CREATE SCHEMA IF NOT EXISTS " + Quote(schema));
  RecordMapping(conn, schema, o);
  RecordChoices(conn, schema, plans);
  std::map<std::string, std::string> state;
  auto st = conn.Execute(
      "SELECT table_name, status FROM staging.migration_tables WHERE target_schema = $1", schema);
  for (int i = 0; i < st.Rows(); ++i) state[st.GetString(i, 0)] = st.GetString(i, 1);
  // What is left: whole tables, and the key ranges of large ones (those an earlier run
  // left, or all of them).
  std::vector<LoadUnit> units;
  std::vector<const TablePlan*> ranged;
  // copy --verify: the tables loaded whole in this run, their stats so far and units left
  // (-1: PostgreSQL refused rows, so verify reads the source).
  struct Pending {
    SideStats stats;
    int left;
  };
  std::map<std::string, Pending> pending;
  // copy --manifest: per table loaded in this run, one hasher per unit (by range number).
  std::map<std::string, std::vector<std::unique_ptr<LoadHasher>>> hashed;
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
      mine = StartRanges(o, schema, t, *ctx.source, resume);
    else
      mine = {LoadUnit{&t, std::nullopt}};
    if (mine.empty() || mine.front().range) ranged.push_back(&t);
    if (o.verify && !resume && !mine.empty())
      pending[t.name] = {EmptyStats(t), static_cast<int>(mine.size())};
    if (!o.manifest.empty() && !resume && !mine.empty() && LoadOrder(t)) {
      auto& parts = hashed[t.name];
      for (size_t k = 0; k < mine.size(); ++k) parts.push_back(std::make_unique<LoadHasher>(t));
    }
    units.insert(units.end(), mine.begin(), mine.end());
  }
  // Largest first, so the long ones start early.
  auto size = [](const LoadUnit& u) {
    return u.table->source.estimated_rows / std::max(1, u.ranges);
  };
  std::stable_sort(units.begin(), units.end(),
                   [&](const LoadUnit& a, const LoadUnit& b) { return size(a) > size(b); });
  std::vector<const TablePlan*> unconstrained;
  for (const auto& t : plans)
    if (state[t.name] != "constrained") unconstrained.push_back(&t);
  // Largest tables first (their ANALYZE, after the indexes).
  std::sort(unconstrained.begin(), unconstrained.end(), [](const TablePlan* a, const TablePlan* b) {
    return a->source.estimated_rows > b->source.estimated_rows;
  });
  // Longest builds first: rows times key width, text keys (compared bytewise) weigh more.
  auto cost = [](const TablePlan& t, int index) {
    const auto& cols = index < 0 ? t.primary_key : t.indexes[index].columns;
    int64_t w = 0;
    for (const auto& name : cols)
      for (const auto& c : t.columns)
        if (c.name == name) w += c.type == PgType::kText || c.type == PgType::kVarchar ? 3 : 1;
    return w * std::max<int64_t>(t.source.estimated_rows, 1);
  };
  // A table's index builds (index -1: the primary key's) are queued as soon as its last unit
  // is loaded, so they overlap the loads of the other tables; index builds only take SHARE
  // locks, so those of one table run in parallel too.
  std::map<std::string, int> units_left;
  for (const auto& u : units) ++units_left[u.table->name];
  auto targets = TargetPool(o.dsn);  // before the queue, whose threads use it
  ReadyQueue index_queue(o.jobs);
  auto queue_indexes = [&](const TablePlan& t) {
    const TablePlan* tp = &t;
    if (std::find(unconstrained.begin(), unconstrained.end(), tp) == unconstrained.end()) return;
    for (int k = t.primary_key.empty() ? 0 : -1; k < static_cast<int>(t.indexes.size()); ++k)
      index_queue.Add(cost(t, k),
                      [&, tp, k] { BuildIndex(*targets, schema, *tp, k, &report, &mu); });
  };
  for (const auto& t : plans)
    if (!units_left.count(t.name)) queue_indexes(t);  // loaded by an earlier run
  std::vector<char> counted(units.size());  // read by the workers, so fixed before them
  for (size_t i = 0; i < units.size(); ++i) counted[i] = pending.count(units[i].table->name) > 0;
  ParallelFor(static_cast<int>(units.size()), o.jobs, [&](int i) {
    const auto& u = units[i];
    const auto& name = u.table->name;
    std::optional<SideStats> s;
    auto h = hashed.find(name);  // the map is not changed while the workers run
    Load(o, schema, u, &report, &mu, counted[i] ? &s : nullptr,
         h == hashed.end() ? nullptr : &h->second[u.range ? u.range_no : 0]);
    std::lock_guard lock(mu);
    if (--units_left.at(name) == 0) queue_indexes(*u.table);
    if (!counted[i]) return;
    auto& p = pending.at(name);
    if (!s) {
      p.left = -1;
    } else if (p.left > 0) {
      Merge(*u.table, *s, &p.stats);
      --p.left;
    }
  });
  auto since = [](Clock::time_point t) {
    return std::chrono::duration<double>(Clock::now() - t).count();
  };
  double load_s = since(start);
  double load_cpu = ProcessCpuSeconds() - cpu_start;
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
        report.verify = Verify(o, ctx, loaded);
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
  auto phase = Clock::now();
  index_queue.Finish();  // the builds left once everything is loaded
  double index_s = since(phase);
  phase = Clock::now();
  ParallelFor(static_cast<int>(unconstrained.size()), o.jobs,
              [&](int i) { ConstrainTable(*targets, schema, *unconstrained[i], &report, &mu); });
  double constrain_s = since(phase);
  phase = Clock::now();
  AddForeignKeys(*targets, schema, plans, &report, &mu);
  double fk_s = since(phase);
  for (const auto& t : plans)
    conn.Execute(
        "UPDATE staging.migration_tables SET status = 'constrained', updated_at = now() "
        "WHERE target_schema = $1 AND table_name = $2 AND status = 'loaded'",
        schema, t.name);
  phase = Clock::now();
  if (verifier.joinable()) verifier.join();
  if (verify_error) std::rethrow_exception(verify_error);
  if (!o.manifest.empty()) WriteCopyManifest(o, conn, schema, plans, hashed, &report);
  if (!o.distribute_by.empty()) report.placement = DistributeCopy(conn, schema, plans, o.distribute_by);
  report.seconds = since(start);
  // Where the time went (bench/migrate): each phase's wall time, in order.
  spdlog::info(
      "copy phases: source opened and planned {:.2f}s, load {:.2f}s, indexes (those left after "
      "the load) {:.2f}s, keys/checks/ANALYZE {:.2f}s, foreign keys {:.2f}s, then waiting for "
      "verify {:.2f}s; total {:.2f}s",
      open_s, load_s - open_s, index_s, constrain_s, fk_s, since(phase), report.seconds);
  // And this process's CPU (the server's is not seen from here: bench/migrate/phases.sh).
  double cpu = ProcessCpuSeconds() - cpu_start;
  spdlog::info(
      "copy CPU: {:.2f}s in all, {:.2f}s until the load ended; loading threads (source read, "
      "conversion, COPY) {:.2f}s, rows as sent (verify's source side, the manifest's hash) "
      "{:.2f}s, the rest (verify's target read-back, planning, statements) {:.2f}s",
      cpu, load_cpu, g_load_cpu_us / 1e6, g_stats_cpu_us / 1e6,
      cpu - g_load_cpu_us / 1e6 - g_stats_cpu_us / 1e6);
  return report;
}

// ---------------- verify ----------------

}  // namespace corrente::migrate
