#include "pg/pg.h"

#include <poll.h>

#include <algorithm>
#include <charconv>
#include <cstring>
#include <optional>

#include "common/url.h"

namespace corrente::pg {
namespace {

std::string Trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ' || s.back() == '\r')) s.pop_back();
  return s;
}

[[noreturn]] void ThrowConnection(PGconn* c, const std::string& prefix) {
  std::string reason = c ? Trim(PQerrorMessage(c)) : "out of memory";
  throw Error(ErrorKind::kConnection, "08006", prefix + reason);
}

}  // namespace

ErrorKind KindFromSqlState(std::string_view s) {
  if (s.size() != 5) return ErrorKind::kQuery;
  if (s.starts_with("08") || s == "57P01" || s == "57P02" || s == "57P03")
    return ErrorKind::kConnection;
  if (s == "40001" || s == "40P01" || s == "53300" || s == "55P03" || s == "53200")
    return ErrorKind::kTransient;
  if (s.starts_with("23")) return ErrorKind::kConstraint;
  if (s.starts_with("22")) return ErrorKind::kData;
  return ErrorKind::kQuery;
}

int64_t Result::GetInt(int row, int col) const {
  auto v = Get(row, col);
  int64_t out = 0;
  auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), out);
  if (ec != std::errc() || p != v.data() + v.size())
    throw std::runtime_error("column " + ColumnName(col) + " is not an integer: " + std::string(v));
  return out;
}

double Result::GetDouble(int row, int col) const {
  std::string v(Get(row, col));
  char* end = nullptr;
  double d = std::strtod(v.c_str(), &end);
  if (end == v.c_str()) throw std::runtime_error("column " + ColumnName(col) + " is not a number");
  return d;
}

int Result::Column(const char* name) const {
  int c = PQfnumber(res_.get(), name);
  if (c < 0) throw std::runtime_error(std::string("result has no column ") + name);
  return c;
}

int64_t Result::AffectedRows() const {
  const char* n = PQcmdTuples(res_.get());
  return (n && *n) ? std::strtoll(n, nullptr, 10) : 0;
}

std::string DescribeDsn(const std::string& dsn) {
  char* err = nullptr;
  PQconninfoOption* opts = PQconninfoParse(dsn.c_str(), &err);
  if (!opts) {
    std::string msg = err ? Trim(err) : "unparsable";
    PQfreemem(err);
    return "<invalid DATABASE_URL: " + RedactUrlIn(msg, dsn) + ">";
  }
  std::string host = "localhost", port = "5432", db;
  for (auto* o = opts; o->keyword; ++o) {
    if (!o->val) continue;
    if (std::strcmp(o->keyword, "host") == 0 || (std::strcmp(o->keyword, "hostaddr") == 0 && host == "localhost"))
      host = o->val;
    if (std::strcmp(o->keyword, "port") == 0) port = o->val;
    if (std::strcmp(o->keyword, "dbname") == 0) db = o->val;
  }
  PQconninfoFree(opts);
  return host + ":" + port + (db.empty() ? "" : "/" + db);
}

namespace {

// The DSN's options (free with PQconninfoFree); an unparsable one throws.
PQconninfoOption* ParseDsn(const std::string& dsn) {
  char* err = nullptr;
  PQconninfoOption* opts = PQconninfoParse(dsn.c_str(), &err);
  if (!opts) {
    std::string msg = err ? Trim(err) : "unparsable connection string";
    PQfreemem(err);
    // libpq quotes a URL it cannot parse whole, password and all, or only the token it could
    // not decode, which may be the password ("top%ZZsecret" was printed as it is; attack15).
    throw Error(ErrorKind::kConnection, "08001", "invalid database URL: " + RedactUrlIn(msg, dsn));
  }
  return opts;
}

}  // namespace

SplitDsn SplitPassword(const std::string& dsn) {
  PQconninfoOption* opts = ParseDsn(dsn);
  SplitDsn out;
  for (auto* o = opts; o->keyword; ++o) {
    if (!o->val) continue;
    if (std::strcmp(o->keyword, "password") == 0) {
      out.password = o->val;
      continue;
    }
    std::string v = "'";
    for (const char* c = o->val; *c; ++c) {
      if (*c == '\'' || *c == '\\') v += '\\';
      v += *c;
    }
    out.conninfo += (out.conninfo.empty() ? "" : " ") + std::string(o->keyword) + "=" + v + "'";
  }
  PQconninfoFree(opts);
  return out;
}

Connection Connection::Open(const std::string& dsn) {
  PQconninfoOption* opts = ParseDsn(dsn);
  bool has_timeout = false;
  for (auto* o = opts; o->keyword; ++o)
    if (std::strcmp(o->keyword, "connect_timeout") == 0 && o->val) has_timeout = true;
  PQconninfoFree(opts);
  const char* keys[] = {"dbname", "connect_timeout", "application_name", nullptr};
  const char* vals[] = {dsn.c_str(), has_timeout ? nullptr : "5", "corrente", nullptr};
  if (has_timeout) {
    keys[1] = "application_name";
    vals[1] = "corrente";
    keys[2] = nullptr;
  }
  PGconn* c = PQconnectdbParams(keys, vals, /*expand_dbname=*/1);
  if (!c || PQstatus(c) != CONNECTION_OK) {
    std::string where = c ? std::string(PQhost(c) ? PQhost(c) : "?") + ":" + (PQport(c) ? PQport(c) : "?")
                          : DescribeDsn(dsn);
    std::string reason = c ? Trim(PQerrorMessage(c)) : "out of memory";
    if (c) PQfinish(c);
    // libpq repeats "connection to server at ... failed:"; keep only its reason.
    if (auto p = reason.rfind("failed: "); p != std::string::npos) reason = reason.substr(p + 8);
    if (auto nl = reason.find('\n'); nl != std::string::npos) reason.resize(nl);
    throw Error(ErrorKind::kConnection, "08001",
                "cannot connect to PostgreSQL at " + where + ": " + reason);
  }
  PQsetNoticeProcessor(c, [](void*, const char*) {}, nullptr);
  return Connection(c);
}

Result Connection::Check(PGresult* r, ExecStatusType expected) const {
  Result res(r);
  if (!r) ThrowConnection(conn_.get(), "query failed: ");
  auto st = PQresultStatus(r);
  if (st == expected || st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK || st == PGRES_EMPTY_QUERY)
    return res;
  if (st == PGRES_COPY_IN || st == PGRES_COPY_OUT) return res;
  const char* state = PQresultErrorField(r, PG_DIAG_SQLSTATE);
  std::string sqlstate = state ? state : (PQstatus(conn_.get()) != CONNECTION_OK ? "08006" : "XX000");
  std::string msg = Trim(PQresultErrorMessage(r));
  if (msg.empty()) msg = Trim(PQerrorMessage(conn_.get()));
  throw Error(KindFromSqlState(sqlstate), sqlstate, msg);
}

Result Connection::ExecScript(const std::string& sql) {
  return Check(PQexec(conn_.get(), sql.c_str()));
}

namespace {
struct ParamArrays {
  std::vector<const char*> values;
  std::vector<int> lengths;
  explicit ParamArrays(const std::vector<Param>& params) {
    values.reserve(params.size());
    lengths.reserve(params.size());
    for (const auto& p : params) {
      values.push_back(p ? p->c_str() : nullptr);
      lengths.push_back(p ? static_cast<int>(p->size()) : 0);
    }
  }
};
}  // namespace

Result Connection::Exec(const std::string& sql, const std::vector<Param>& params) {
  ParamArrays a(params);
  return Check(PQexecParams(conn_.get(), sql.c_str(), static_cast<int>(params.size()), nullptr,
                            a.values.data(), a.lengths.data(), nullptr, 0));
}

void Connection::Prepare(const std::string& name, const std::string& sql) {
  Check(PQprepare(conn_.get(), name.c_str(), sql.c_str(), 0, nullptr));
}

Result Connection::ExecPrepared(const std::string& name, const std::vector<Param>& params) {
  ParamArrays a(params);
  return Check(PQexecPrepared(conn_.get(), name.c_str(), static_cast<int>(params.size()),
                              a.values.data(), a.lengths.data(), nullptr, 0));
}

std::vector<Result> Connection::ExecPipeline(const std::vector<Prepared>& statements) {
  PGconn* c = conn_.get();
  if (PQenterPipelineMode(c) != 1) ThrowConnection(c, "cannot enter pipeline mode: ");
  for (const auto& [name, params] : statements) {
    ParamArrays a(params);
    if (PQsendQueryPrepared(c, name.c_str(), static_cast<int>(params.size()), a.values.data(),
                            a.lengths.data(), nullptr, 0) != 1)
      ThrowConnection(c, "pipeline send failed: ");
  }
  if (PQpipelineSync(c) != 1) ThrowConnection(c, "pipeline sync failed: ");
  std::vector<Result> out;
  std::optional<Error> failed;
  for (size_t i = 0; i < statements.size(); ++i) {
    PGresult* r = PQgetResult(c);
    if (!r) ThrowConnection(c, "pipeline result missing: ");
    try {
      out.push_back(Check(r));
    } catch (const Error& e) {
      if (!failed) failed = e;  // later ones are PGRES_PIPELINE_ABORTED
    }
    while (PGresult* extra = PQgetResult(c)) PQclear(extra);  // the NULL ending each result
  }
  Result sync(PQgetResult(c));
  if (!sync.Raw() || PQresultStatus(sync.Raw()) != PGRES_PIPELINE_SYNC ||
      PQexitPipelineMode(c) != 1)
    ThrowConnection(c, "pipeline did not end cleanly: ");
  if (failed) {
    // An explicit BEGIN in the pipeline leaves its transaction aborted; end it here so the
    // connection goes back clean.
    if (PQtransactionStatus(c) != PQTRANS_IDLE) PQclear(PQexec(c, "ROLLBACK"));
    throw *failed;
  }
  return out;
}

std::string Connection::QuoteIdentifier(std::string_view ident) const {
  char* q = PQescapeIdentifier(conn_.get(), ident.data(), ident.size());
  if (!q) throw Error(ErrorKind::kData, "22000", "cannot quote identifier");
  std::string out(q);
  PQfreemem(q);
  return out;
}

std::string Connection::EncryptPassword(const std::string& role, const std::string& password) const {
  char* h = PQencryptPasswordConn(conn_.get(), password.c_str(), role.c_str(), nullptr);
  if (!h) throw Error(ErrorKind::kConnection, "08000", "cannot hash a password: " + std::string(PQerrorMessage(conn_.get())));
  std::string out(h);
  PQfreemem(h);
  if (out.find('\'') != std::string::npos) throw Error(ErrorKind::kData, "22000", "unexpected quote in a password hash");
  return out;
}

std::string Connection::ConnInfo() const {
  PQconninfoOption* opts = PQconninfo(conn_.get());
  if (!opts) throw Error(ErrorKind::kConnection, "08000", "cannot read connection options");
  std::string out;
  for (auto* o = opts; o->keyword; ++o) {
    if (!o->val || !*o->val) continue;
    std::string v;
    for (const char* c = o->val; *c; ++c) {
      if (*c == '\\' || *c == '\'') v.push_back('\\');
      v.push_back(*c);
    }
    out += std::string(o->keyword) + "='" + v + "' ";
  }
  PQconninfoFree(opts);
  return out;
}

void Connection::Listen(const std::string& channel) {
  ExecScript("LISTEN " + QuoteIdentifier(channel));
}

void Connection::Notify(const std::string& channel, const std::string& payload) {
  Execute("SELECT pg_notify($1, $2)", channel, payload);
}

std::optional<Notification> Connection::WaitNotification(std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    if (PQconsumeInput(conn_.get()) == 0) ThrowConnection(conn_.get(), "lost connection: ");
    if (PGnotify* n = PQnotifies(conn_.get())) {
      Notification out{n->relname, n->extra ? n->extra : "", n->be_pid};
      PQfreemem(n);
      return out;
    }
    auto left = deadline - std::chrono::steady_clock::now();
    if (left <= std::chrono::milliseconds(0)) return std::nullopt;
    int fd = PQsocket(conn_.get());
    if (fd < 0) ThrowConnection(conn_.get(), "lost connection: ");
    // poll(), not select(): a server may hold more than FD_SETSIZE sockets.
    pollfd pfd{fd, POLLIN, 0};
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(left).count();
    poll(&pfd, 1, static_cast<int>(std::max<int64_t>(1, ms)));
  }
}

Transaction::Transaction(Connection& c, std::string_view begin_sql) : conn_(c) {
  conn_.ExecScript(std::string(begin_sql));
}

Transaction::~Transaction() {
  if (!active_) return;
  // Never throw from a destructor; a broken connection discards the transaction anyway.
  PGresult* r = PQexec(conn_.Raw(), "ROLLBACK");
  if (r) PQclear(r);
}

void Transaction::Commit() {
  if (!active_) throw std::logic_error("transaction already finished");
  active_ = false;
  Result r = conn_.ExecScript("COMMIT");
  // COMMIT of an aborted transaction "succeeds" with the tag ROLLBACK.
  if (std::strcmp(PQcmdStatus(r.Raw()), "ROLLBACK") == 0)
    throw Error(ErrorKind::kTransient, "40000", "transaction was rolled back by the server");
}

void Transaction::Rollback() {
  if (!active_) return;
  active_ = false;
  conn_.ExecScript("ROLLBACK");
}

}  // namespace corrente::pg
