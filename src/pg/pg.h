#pragma once
// RAII wrapper over libpq. Values always travel as parameters ($1..$n), never spliced into
// SQL text. A Connection is not thread-safe: one per thread, or borrow one from a Pool.
#include <libpq-fe.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

namespace corrente::pg {

enum class ErrorKind {
  kConnection,   // class 08, 57P01..03: the link is gone; reconnect and retry
  kTransient,    // 40001 serialization, 40P01 deadlock, 53300 too many connections, 55P03
  kConstraint,   // class 23: the data is refused; retrying will not help
  kData,         // class 22: bad value
  kQuery,        // class 42 and the rest: a bug or a missing object
};

class Error : public std::runtime_error {
 public:
  Error(ErrorKind kind, std::string sqlstate, const std::string& what)
      : std::runtime_error(what), kind_(kind), sqlstate_(std::move(sqlstate)) {}
  ErrorKind Kind() const { return kind_; }
  const std::string& SqlState() const { return sqlstate_; }
  // True when running the same unit of work again may succeed.
  bool Retryable() const { return kind_ == ErrorKind::kConnection || kind_ == ErrorKind::kTransient; }

 private:
  ErrorKind kind_;
  std::string sqlstate_;
};

ErrorKind KindFromSqlState(std::string_view sqlstate);

using Param = std::optional<std::string>;

// Converts C++ values to text parameters. nullopt/nullptr become SQL NULL.
inline Param ToParam(std::nullptr_t) { return std::nullopt; }
inline Param ToParam(const std::string& s) { return s; }
inline Param ToParam(std::string_view s) { return std::string(s); }
inline Param ToParam(const char* s) { return s ? Param(s) : std::nullopt; }
inline Param ToParam(bool b) { return b ? "t" : "f"; }
inline Param ToParam(const Param& p) { return p; }
template <typename T>
  requires std::is_arithmetic_v<T>
Param ToParam(T v) {
  if constexpr (std::is_floating_point_v<T>) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.17g", static_cast<double>(v));
    return std::string(buf);
  } else {
    return std::to_string(v);
  }
}
template <typename T>
Param ToParam(const std::optional<T>& v) {
  return v ? ToParam(*v) : std::nullopt;
}

class Result {
 public:
  Result() = default;
  explicit Result(PGresult* r) : res_(r, &PQclear) {}
  int Rows() const { return res_ ? PQntuples(res_.get()) : 0; }
  int Cols() const { return res_ ? PQnfields(res_.get()) : 0; }
  bool IsNull(int row, int col) const { return PQgetisnull(res_.get(), row, col) != 0; }
  std::string_view Get(int row, int col) const {
    return {PQgetvalue(res_.get(), row, col), static_cast<size_t>(PQgetlength(res_.get(), row, col))};
  }
  std::string GetString(int row, int col) const { return std::string(Get(row, col)); }
  std::optional<std::string> GetOpt(int row, int col) const {
    if (IsNull(row, col)) return std::nullopt;
    return GetString(row, col);
  }
  int64_t GetInt(int row, int col) const;
  double GetDouble(int row, int col) const;
  bool GetBool(int row, int col) const { return Get(row, col) == "t"; }
  int Column(const char* name) const;  // throws when absent
  std::string ColumnName(int col) const { return PQfname(res_.get(), col); }
  Oid ColumnType(int col) const { return PQftype(res_.get(), col); }
  int64_t AffectedRows() const;
  PGresult* Raw() const { return res_.get(); }

 private:
  std::unique_ptr<PGresult, void (*)(PGresult*)> res_{nullptr, &PQclear};
};

struct Notification {
  std::string channel;
  std::string payload;
  int backend_pid;
};

class Connection {
 public:
  // Connects (connect_timeout 5 s unless the DSN says otherwise). Throws Error(kConnection)
  // whose message names host, port and libpq's reason, never the password.
  static Connection Open(const std::string& dsn);

  Connection(Connection&&) noexcept = default;
  Connection& operator=(Connection&&) noexcept = default;

  // Simple protocol; may hold several statements. Only for trusted SQL (migrations).
  Result ExecScript(const std::string& sql);
  Result Exec(const std::string& sql, const std::vector<Param>& params);
  template <typename... A>
  Result Execute(const std::string& sql, A&&... args) {
    return Exec(sql, std::vector<Param>{ToParam(std::forward<A>(args))...});
  }
  void Prepare(const std::string& name, const std::string& sql);
  Result ExecPrepared(const std::string& name, const std::vector<Param>& params);
  // Runs already-prepared statements in libpq pipeline mode: all are sent, then one sync, so
  // they cost one round trip together. They run in one implicit transaction. Returns the
  // results in order; throws the first failure (the statements after it are skipped).
  using Prepared = std::pair<std::string, std::vector<Param>>;  // name, parameters
  std::vector<Result> ExecPipeline(const std::vector<Prepared>& statements);

  void Listen(const std::string& channel);
  void Notify(const std::string& channel, const std::string& payload);
  // Returns the next notification, waiting up to `timeout`. nullopt on timeout.
  std::optional<Notification> WaitNotification(std::chrono::milliseconds timeout);

  std::string QuoteIdentifier(std::string_view ident) const;
  // The server's password hash (SCRAM) of `password` for `role`, made client-side so the
  // clear password never reaches the server or its logs. Safe to put in a PASSWORD '...'.
  std::string EncryptPassword(const std::string& role, const std::string& password) const;
  bool IsOk() const { return PQstatus(conn_.get()) == CONNECTION_OK; }
  // A conninfo string (with the password) that opens another connection to the same
  // database, for helpers that work in parallel.
  std::string ConnInfo() const;
  int ServerVersion() const { return PQserverVersion(conn_.get()); }
  PGconn* Raw() const { return conn_.get(); }
  // Checks a result and throws the mapped Error for anything but the expected status.
  Result Check(PGresult* r, ExecStatusType expected = PGRES_COMMAND_OK) const;

 private:
  explicit Connection(PGconn* c) : conn_(c, &PQfinish) {}
  std::unique_ptr<PGconn, void (*)(PGconn*)> conn_;
};

// BEGIN on construction; rolls back in the destructor unless Commit() was called.
class Transaction {
 public:
  explicit Transaction(Connection& c, std::string_view begin_sql = "BEGIN");
  ~Transaction();
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  void Commit();
  void Rollback();
  Connection& Conn() { return conn_; }

 private:
  Connection& conn_;
  bool active_ = true;
};

// Describes a DSN for messages: "host:port/dbname", without the password.
std::string DescribeDsn(const std::string& dsn);

// A DSN (URL or key=value) split for a child process (psql, pg_dump, pg_restore): `conninfo`,
// key=value without the password, for its command line (which every local user can read in
// /proc), and `password` ("" when none) for its PGPASSWORD. Throws pg::Error on a bad DSN.
struct SplitDsn {
  std::string conninfo, password;
};
SplitDsn SplitPassword(const std::string& dsn);

}  // namespace corrente::pg
