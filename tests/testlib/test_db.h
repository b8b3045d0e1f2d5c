#pragma once
// Helpers for tests that need a real PostgreSQL. The DSN comes from CORRENTE_TEST_DSN,
// set by tests/with_test_dsn.sh from the throwaway cluster ctest starts.
#include <string>

#include "pg/pg.h"

namespace corrente::testing {

std::string TestDsn();  // fails the test (throws) when CORRENTE_TEST_DSN is unset

// A fresh database on the test server, migrated to the latest schema when `migrate`,
// dropped on destruction. Lets tests that change the schema run in parallel.
class ScratchDatabase {
 public:
  explicit ScratchDatabase(bool migrate = true);
  ~ScratchDatabase();
  ScratchDatabase(const ScratchDatabase&) = delete;
  ScratchDatabase& operator=(const ScratchDatabase&) = delete;
  const std::string& Dsn() const { return dsn_; }
  const std::string& Name() const { return name_; }
  pg::Connection Connect() const { return pg::Connection::Open(dsn_); }

 private:
  std::string name_;
  std::string dsn_;
};

}  // namespace corrente::testing
