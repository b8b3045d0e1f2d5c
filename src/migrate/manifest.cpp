#include "migrate/manifest.h"

#include <sodium.h>

#include <algorithm>
#include <array>
#include <fstream>
#include <set>
#include <sstream>
#include <stdexcept>

#include "migrate/canon.h"
#include "migrate/target.h"
#include "pg/copy_text.h"

namespace corrente::migrate {
namespace {

using Digest = std::array<unsigned char, crypto_hash_sha256_BYTES>;

std::string Hex(const Digest& d) {
  char hex[2 * crypto_hash_sha256_BYTES + 1];
  return sodium_bin2hex(hex, sizeof hex, d.data(), d.size());
}

// Streams rows in key order into one SHA-256; without a key, the sorted row digests.
class TableHasher {
 public:
  explicit TableHasher(bool keyed) : keyed_(keyed) { crypto_hash_sha256_init(&st_); }
  void Add(const CanonRow& row) {
    ++rows_;
    auto b = row.Bytes();
    auto* p = reinterpret_cast<const unsigned char*>(b.data());
    if (keyed_) {
      crypto_hash_sha256_update(&st_, p, b.size());
      return;
    }
    Digest d;
    crypto_hash_sha256(d.data(), p, b.size());
    digests_.push_back(d);
  }
  ManifestEntry Finish(const std::string& table) {
    if (!keyed_) {
      std::sort(digests_.begin(), digests_.end());
      for (const auto& d : digests_) crypto_hash_sha256_update(&st_, d.data(), d.size());
    }
    Digest out;
    crypto_hash_sha256_final(&st_, out.data());
    return {table, rows_, Hex(out)};
  }

 private:
  bool keyed_;
  crypto_hash_sha256_state st_;
  int64_t rows_ = 0;
  std::vector<Digest> digests_;
};

ManifestEntry FromTarget(pg::Connection& conn, const std::string& schema, const TablePlan& t) {
  TableHasher h(!t.primary_key.empty());
  pg::TextCopyReader rows(conn, TargetSelect(t, schema, "", t.primary_key));
  CanonRow row;
  while (rows.Next()) {
    FillRow(t, rows, &row);
    h.Add(row);
  }
  return h.Finish(t.name);
}

ManifestEntry FromSource(const EngineOptions& o, Source& src, pg::Connection& conn,
                         const std::string& schema, const TablePlan& t) {
  TableHasher h(!t.primary_key.empty());
  auto refused = RefusedKeys(conn, schema, t.name);
  ConvertContext cc{o.zero_dates, o.invalid_text};
  auto cur = src.Scan(t.source, t.source.primary_key, std::nullopt);
  std::vector<TargetValue> vals;
  std::vector<std::string> notes;
  std::string reason, column;
  CanonRow row;
  while (cur->Next()) {
    if (!ConvertRow(t, *cur, cc, &vals, &notes, &reason, &column) ||
        (!refused.empty() && refused.count(cur->RowLabel())))
      continue;
    FillRow(t, vals, &row);
    h.Add(row);
  }
  return h.Finish(t.name);
}

}  // namespace

std::vector<ManifestEntry> ComputeManifest(const EngineOptions& o, SourceContext& ctx,
                                           bool from_source) {
  if (sodium_init() < 0) throw std::runtime_error("libsodium failed to initialize");
  auto conn = OpenTarget(o.dsn);
  std::vector<ManifestEntry> out;
  for (const auto& t : ctx.plans)
    out.push_back(from_source ? FromSource(o, *ctx.source, conn, ctx.schema, t)
                              : FromTarget(conn, ctx.schema, t));
  return out;
}

std::string RenderManifest(const std::string& schema, const std::vector<ManifestEntry>& entries) {
  std::ostringstream out;
  out << "# corrente migrate manifest v1: table, rows, SHA-256 of the canonical rows in key "
         "order (docs/migrate.md)\n";
  out << "schema " << schema << "\n";
  for (const auto& e : entries)
    out << "table " << e.table << " " << e.rows << " " << e.sha256 << "\n";
  return out.str();
}

std::vector<ManifestEntry> ParseManifest(const std::string& text, std::string* schema) {
  std::vector<ManifestEntry> out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    if (line.rfind("schema ", 0) == 0) {
      *schema = line.substr(7);
      continue;
    }
    // "table NAME ROWS SHA": the name may hold spaces, so read from the right.
    auto sp2 = line.rfind(' '), sp1 = sp2 == std::string::npos ? sp2 : line.rfind(' ', sp2 - 1);
    if (line.rfind("table ", 0) != 0 || sp1 == std::string::npos || sp1 < 6 ||
        line.size() - sp2 - 1 != 64)
      throw std::runtime_error("manifest: malformed line: " + line);
    ManifestEntry e;
    e.table = line.substr(6, sp1 - 6);
    e.rows = std::stoll(line.substr(sp1 + 1, sp2 - sp1 - 1));
    e.sha256 = line.substr(sp2 + 1);
    out.push_back(std::move(e));
  }
  return out;
}

void WriteManifest(const EngineOptions& o, const std::string& path) {
  auto ctx = OpenContext(o);
  std::ofstream out(path, std::ios::trunc);
  out << RenderManifest(ctx.schema, ComputeManifest(o, ctx, false));
  if (!out.flush()) throw std::runtime_error("cannot write " + path);
}

ManifestCheck CheckManifest(const EngineOptions& o, const std::string& path, bool target,
                            bool source) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot read " + path);
  std::stringstream text;
  text << in.rdbuf();
  std::string schema;
  auto want = ParseManifest(text.str(), &schema);
  EngineOptions so = o;
  if (so.schema.empty()) so.schema = schema;
  auto ctx = OpenContext(so);
  ManifestCheck check;
  for (bool from_source : {false, true}) {
    if (from_source ? !source : !target) continue;
    auto got = ComputeManifest(so, ctx, from_source);
    const char* side = from_source ? "source" : "target";
    for (const auto& w : want) {
      auto it = std::find_if(got.begin(), got.end(),
                             [&](const ManifestEntry& g) { return g.table == w.table; });
      std::string line = w.table + " " + side + ": ";
      if (it == got.end())
        line += "MISMATCH: no such table";
      else if (it->rows != w.rows || it->sha256 != w.sha256)
        line += "MISMATCH: " + std::to_string(it->rows) + " rows, " + it->sha256 +
                " (manifest: " + std::to_string(w.rows) + " rows, " + w.sha256 + ")";
      else
        line += "OK (" + std::to_string(w.rows) + " rows, " + w.sha256 + ")";
      if (line.find("MISMATCH") != std::string::npos) check.mismatches.push_back(line);
      check.lines.push_back(std::move(line));
    }
    for (const auto& g : got)
      if (std::none_of(want.begin(), want.end(),
                       [&](const ManifestEntry& w) { return w.table == g.table; }))
        check.mismatches.push_back(g.table + " " + side + ": MISMATCH: not in the manifest"),
            check.lines.push_back(check.mismatches.back());
  }
  return check;
}

}  // namespace corrente::migrate
