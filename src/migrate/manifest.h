#pragma once
// The SHA-256 manifest: per table, the row count and the SHA-256 of its canonical rows
// (CanonRow::Bytes, concatenated in primary-key order; a table without a key hashes the
// sorted SHA-256 digests of its rows instead), and for a keyed table the same per key range. `copy --manifest FILE` writes it from the
// target; `verify --manifest FILE` recomputes it from the target alone or the source alone
// and compares. Rows refused at copy are not in the target and are left out of the source
// side too, as in verify. Reads only; each call opens its own connection or source.
#include <string>
#include <vector>

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
std::string RenderManifest(const std::string& schema, const std::vector<ManifestEntry>& entries);
// Parses RenderManifest's text; throws std::runtime_error on a malformed line.
std::vector<ManifestEntry> ParseManifest(const std::string& text, std::string* schema);

}  // namespace corrente::migrate
