#include "testlib/test_db.h"

#include <sodium.h>
#include <unistd.h>

#include <cstdlib>
#include <stdexcept>

#include "schema/migrations.h"

namespace corrente::testing {
namespace {

std::string WithDbName(const std::string& dsn, const std::string& db) {
  auto q = dsn.find('?');
  std::string base = dsn.substr(0, q);
  std::string query = q == std::string::npos ? "" : dsn.substr(q);
  auto slash = base.rfind('/');
  return base.substr(0, slash + 1) + db + query;
}

}  // namespace

std::string TestDsn() {
  const char* dsn = std::getenv("CORRENTE_TEST_DSN");
  if (!dsn || !*dsn) throw std::runtime_error("CORRENTE_TEST_DSN is not set: run through ctest");
  return dsn;
}

ScratchDatabase::ScratchDatabase(bool migrate) {
  if (sodium_init() < 0) throw std::runtime_error("sodium_init failed");
  name_ = "t_" + std::to_string(::getpid()) + "_" + std::to_string(randombytes_uniform(1000000));
  auto admin = pg::Connection::Open(TestDsn());
  admin.ExecScript("CREATE DATABASE " + admin.QuoteIdentifier(name_));
  dsn_ = WithDbName(TestDsn(), name_);
  if (migrate) {
    auto c = Connect();
    schema::Migrator(c).Upgrade();
  }
}

ScratchDatabase::~ScratchDatabase() {
  try {
    auto admin = pg::Connection::Open(TestDsn());
    admin.ExecScript("DROP DATABASE IF EXISTS " + admin.QuoteIdentifier(name_) + " WITH (FORCE)");
  } catch (...) {
    // Best effort: the whole cluster is thrown away after the run.
  }
}

}  // namespace corrente::testing
