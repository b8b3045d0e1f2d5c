#pragma once
// The SHA-256 manifest: per table, the row count and the SHA-256 of its canonical rows
// (CanonRow::Bytes, concatenated in primary-key order; a table without a key hashes the
// sorted SHA-256 digests of its rows instead). `copy --manifest FILE` writes it from the
// target; `verify --manifest FILE` recomputes it from the target alone or the source alone
// and compares. Rows refused at copy are not in the target and are left out of the source
// side too, as in verify. Reads only; each call opens its own connection or source.
#include <string>
#include <vector>

#include "migrate/context.h"
#include "migrate/engine.h"

namespace corrente::migrate {

struct ManifestEntry {
  std::string table;
  int64_t rows = 0;
  std::string sha256;  // hex
};

// Computes the entries of every table of `ctx`, from the target or from the source.
std::vector<ManifestEntry> ComputeManifest(const EngineOptions& o, SourceContext& ctx,
                                           bool from_source);
std::string RenderManifest(const std::string& schema, const std::vector<ManifestEntry>& entries);
// Parses RenderManifest's text; throws std::runtime_error on a malformed line.
std::vector<ManifestEntry> ParseManifest(const std::string& text, std::string* schema);

}  // namespace corrente::migrate
