// Built when DuckDB's C API was not found (scripts/deps_duckdb.sh installs it).
#include <stdexcept>

#include "migrate/source.h"

namespace corrente::migrate {
std::unique_ptr<Source> OpenDuckdb(const std::string&) {
  throw std::runtime_error(
      "this build has no DuckDB support (run scripts/deps_duckdb.sh, then rebuild)");
}
}  // namespace corrente::migrate
