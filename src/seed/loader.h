#pragma once
// Writes a generated Dataset into the database in one transaction with binary COPY.
#include <stdexcept>
#include <string>
#include <vector>

#include "pg/pg.h"
#include "seed/generator.h"

namespace corrente::seed {

struct DemoUser {
  std::string username, role, password;  // password empty when the user already existed
};

struct LoadReport {
  int64_t regions = 0, sites = 0, suppliers = 0, items = 0, calendar = 0;
  int64_t demand = 0, inventory = 0, orders = 0;
  std::vector<DemoUser> users;
};

// Thrown when the database already holds data and `force` is false.
class NotEmpty : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// True when core holds any item or fact row.
bool HasData(pg::Connection& conn);

// Replaces core's contents with `ds` (and clears analytics, which derives from it) in one
// transaction; on any failure nothing changes. Creates the demo users admin, analyst and
// viewer when `demo_users` and they do not exist yet. Secondary indexes and foreign keys of
// the facts are dropped for the load and rebuilt (and validated) before commit.
LoadReport Load(pg::Connection& conn, const Dataset& ds, bool force, bool demo_users);

}  // namespace corrente::seed
