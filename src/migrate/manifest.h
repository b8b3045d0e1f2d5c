#pragma once
// The SHA-256 manifest: per table, the row count and the SHA-256 of its canonical rows
// (CanonRow::Bytes, concatenated in primary-key order; a table without a key hashes the
// sorted SHA-256 digests of its rows instead), and for a keyed table the same per key range;
// a table with range lines has the SHA-256 of its ranges' digests in order as its own.
// `copy --manifest FILE` hashes the rows as it sends them (LoadHasher; a table it could not
// hash that way is read back from the target); `verify --manifest FILE` recomputes it from
// the target alone or the source alone and compares. Rows refused at copy are not in the
// target and are left out of the source side too, as in verify. The functions that read open
// their own connection or source.
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "migrate/canon.h"
#include "migrate/context.h"
#include "migrate/engine.h"

namespace corrente::migrate {

// A key range of a table: its rows after the previous range's last key, up to and including
// `upto` (a JSON array of the key's canonical values; empty for the last range, open ended).
struct ManifestRange {
  std::string upto;
  int64_t rows = 0;
  std::string sha256;
};

struct ManifestEntry {
  std::string table;
  int64_t rows = 0;
  std::string sha256;                // hex
  std::vector<ManifestRange> ranges;  // keyed tables of more than one range only
};

// Rows per key range of the manifest (CORRENTE_MIGRATE_TEST_MANIFEST_RANGE_ROWS in tests).
int64_t ManifestRangeRows();

// Computes the entries of every table of `ctx`, from the target or from the source. A
// keyed table's rows are also hashed per key range: of ManifestRangeRows() rows each, or,
// with `like`, at the boundaries of the same table's ranges there.
std::vector<ManifestEntry> ComputeManifest(const EngineOptions& o, SourceContext& ctx,
                                           bool from_source,
                                           const std::vector<ManifestEntry>* like = nullptr);
// One table's entry read back from the target (ranges of ManifestRangeRows() rows).
ManifestEntry ManifestFromTarget(pg::Connection& conn, const std::string& schema, const TablePlan& t);

// The rows of one load unit (a table or one of its key ranges), hashed as copy sends them,
// so that the manifest costs no second read. Rows must come in the target's key order (the
// load asks the source for it, see LoadOrder); one out of order spoils the part, and copy
// then reads that table back from the target. Not thread-safe.
class LoadHasher {
 public:
  explicit LoadHasher(const TablePlan& t);
  ~LoadHasher();
  LoadHasher(const LoadHasher&) = delete;
  LoadHasher& operator=(const LoadHasher&) = delete;
  void Add(const CanonRow& row);
  bool Ok() const;

 private:
  friend std::optional<ManifestEntry> CombineLoad(const TablePlan&,
                                                  std::vector<std::unique_ptr<LoadHasher>>&);
  struct Impl;
  std::unique_ptr<Impl> p_;
};
// The key order copy --manifest asks the source for (empty: any order, a table without a
// key), or nullopt when the table cannot be hashed during the load: a key column whose
// canonical text does not sort as PostgreSQL sorts the type.
std::optional<std::vector<std::string>> LoadOrder(const TablePlan& t);
// A table's entry from the parts of its load units, in key order (one part: a table loaded
// whole). A keyed table loaded in several units gets one range line or more per unit.
// nullopt when a part is missing or spoiled.
std::optional<ManifestEntry> CombineLoad(const TablePlan& t,
                                         std::vector<std::unique_ptr<LoadHasher>>& parts);

std::string RenderManifest(const std::string& schema, const std::vector<ManifestEntry>& entries);
// Parses RenderManifest's text; throws std::runtime_error on a malformed line.
std::vector<ManifestEntry> ParseManifest(const std::string& text, std::string* schema);

}  // namespace corrente::migrate
