#include "migrate/target.h"

#include <algorithm>
#include <atomic>
#include <exception>
#include <mutex>
#include <thread>

namespace corrente::migrate {

pg::Connection OpenTarget(const std::string& dsn) {
  auto c = pg::Connection::Open(dsn);
  c.ExecScript(kSessionSetup);
  return c;
}

std::unique_ptr<pg::Pool> TargetPool(const std::string& dsn) {
  return std::make_unique<pg::Pool>(dsn, SIZE_MAX,
                                    [](pg::Connection& c) { c.ExecScript(kSessionSetup); });
}

std::string Qualified(const std::string& schema, const std::string& table) {
  return Quote(schema) + "." + Quote(table);
}

std::string ColumnList(const std::vector<std::string>& cols) {
  std::string r;
  for (const auto& c : cols) r += (r.empty() ? "" : ", ") + Quote(c);
  return r;
}

std::string ColumnList(const TablePlan& t, const std::string& prefix) {
  std::string r;
  for (const auto& c : t.columns) r += (r.empty() ? "" : ", ") + prefix + Quote(c.name);
  return r;
}

std::string WrittenColumnList(const TablePlan& t) {
  std::string r;
  for (const auto& c : t.columns)
    if (!c.generated_sql) r += (r.empty() ? "" : ", ") + Quote(c.name);
  return r;
}

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

std::string TargetSelect(const TablePlan& t, const std::string& schema, const std::string& where,
                         const std::vector<std::string>& order_by,
                         const std::vector<std::string>* columns) {
  std::string sql = "COPY (SELECT " + (columns ? ColumnList(*columns) : ColumnList(t)) + " FROM " +
                    Qualified(schema, t.name);
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

// Keys of the rows of `table` that PostgreSQL refused at load (verify, diff and sync skip
// them as they skip rows the conversion refuses).
namespace {
std::set<std::string> RejectKeys(pg::Connection& conn, const std::string& schema,
                                 const std::string& table, bool refused) {
  auto r = conn.Execute(
      "SELECT source_key FROM staging.migration_rejects WHERE target_schema = $1 AND "
      "table_name = $2 AND starts_with(reason, $3) = $4",
      schema, table, std::string(kRefused), refused);
  std::set<std::string> keys;
  for (int k = 0; k < r.Rows(); ++k) keys.insert(r.GetString(k, 0));
  return keys;
}
}  // namespace

std::set<std::string> RefusedKeys(pg::Connection& conn, const std::string& schema,
                                  const std::string& table) {
  return RejectKeys(conn, schema, table, true);
}

std::set<std::string> ConversionRejectKeys(pg::Connection& conn, const std::string& schema,
                                           const std::string& table) {
  return RejectKeys(conn, schema, table, false);
}

void InsertRejects(pg::Connection& conn, const std::string& schema, const std::string& table,
                   const std::vector<RejectRow>& rows) {
  for (const auto& r : rows)
    conn.Execute(
        "INSERT INTO staging.migration_rejects (target_schema, table_name, source_key, "
        "column_name, reason) VALUES ($1, $2, $3, nullif($4, ''), $5)",
        schema, table, r.key, r.column, r.reason);
}

// Sets each identity of table `q` past its maximum and past the source's own counter: the
// next value is the greater of max + 1 and the source's next automatic key, or 1 when the
// table is empty or holds only keys below 1 (at INT64_MAX, the next insert fails, as it must).
void SetIdentities(pg::Connection& conn, const std::string& q, const TablePlan& t) {
  std::string next = std::to_string(t.source.next_auto_key);
  for (const auto& c : t.columns)
    if (c.identity)
      conn.Execute(
          "SELECT setval(pg_get_serial_sequence($1, $2), greatest(m, 1), m >= 1) FROM "
          "(SELECT greatest(max(" +
              Quote(c.name) + ")::bigint, $3::bigint - 1) AS m FROM " + q + ") x",
          q, c.name, next);
}

std::string OversizeKeyIndexName(const TablePlan& t) {
  size_t n = std::min<size_t>(t.primary_key_name.size(), 59);
  while (n > 0 && n < t.primary_key_name.size() &&
         (static_cast<unsigned char>(t.primary_key_name[n]) & 0xC0) == 0x80)
    --n;
  return t.primary_key_name.substr(0, n) + "_md5";
}

std::string ConflictTarget(pg::Connection& c, const std::string& schema, const TablePlan& t) {
  if (ExistsConstraint(c, schema, t.primary_key_name) ||
      !ExistsRelation(c, schema, OversizeKeyIndexName(t)))
    return ColumnList(t.primary_key);
  std::string cols;
  for (const auto& k : t.primary_key) cols += (cols.empty() ? "" : ", ") + ("(md5(" + Quote(k) + "::text))");
  return cols;
}

}  // namespace corrente::migrate
