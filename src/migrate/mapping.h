#pragma once
// Declarative mappings from a legacy store into Corrente's core dimensions and facts.
// A mapping file (JSON) lists steps; each runs a source query and upserts its rows into one
// core table, with code lookups ("tienda_01" -> "SUC001") and unit conversions. Not
// thread-safe; one call per process.
#include <cstdint>
#include <string>
#include <vector>

namespace corrente::migrate {

struct MappingStepResult {
  std::string target;
  int64_t rows = 0;
  int64_t rejected = 0;
};

struct MappingReport {
  std::vector<MappingStepResult> steps;
};

// Runs every step of `mapping_file` against `source_url` into `dsn`. Throws on a bad file.
MappingReport RunMapping(const std::string& dsn, const std::string& source_url,
                         const std::string& mapping_file);

}  // namespace corrente::migrate
