#include "migrate/manifest.h"

#include <sodium.h>

#include <boost/json.hpp>

#include <algorithm>
#include <cstdlib>
#include <array>
#include <fstream>
#include <optional>
#include <set>
#include <sstream>
#include <stdexcept>

#include "migrate/canon.h"
#include "migrate/context.h"
#include "migrate/target.h"
#include "pg/copy_text.h"

namespace corrente::migrate {
namespace {

using Digest = std::array<unsigned char, crypto_hash_sha256_BYTES>;

std::string Hex(const Digest& d) {
  char hex[2 * crypto_hash_sha256_BYTES + 1];
  return sodium_bin2hex(hex, sizeof hex, d.data(), d.size());
}

// Streams rows in key order into one SHA-256; without a key, the sorted row digests. A keyed
// table's rows also go into the SHA-256 of their key range: a new range every `split_rows`
// rows, or at the boundaries of `like`'s ranges. With ranges, the table's SHA-256 is that of
// the ranges' digests in order (so that parts hashed apart combine); rows hashed into the
// whole-table SHA-256 before the first range closes are then not used.
class TableHasher {
 public:
  TableHasher(const TablePlan& t, const ManifestEntry* like, bool check_order = false)
      : t_(t), keyed_(!t.primary_key.empty()), check_order_(check_order && keyed_) {
    crypto_hash_sha256_init(&st_);
    crypto_hash_sha256_init(&range_st_);
    for (const auto& k : t.primary_key)
      for (size_t i = 0; i < t.columns.size(); ++i)
        if (t.columns[i].name == k) kidx_.push_back(i);
    if (!keyed_) return;
    if (!like) {
      split_rows_ = ManifestRangeRows();
      return;
    }
    for (const auto& r : like->ranges) {
      std::vector<std::string> key;
      if (!r.upto.empty()) {
        auto parsed = boost::json::parse(r.upto);  // kept alive while its array is read
        for (const auto& v : parsed.as_array()) key.emplace_back(v.as_string().c_str());
      }
      bounds_.push_back({r.upto, std::move(key)});
    }
  }
  void Add(const CanonRow& row) {
    if (!ok_) return;
    if (check_order_) {
      if (rows_ > 0 && !After(row, last_key_)) {
        ok_ = false;
        return;
      }
      last_key_.resize(kidx_.size());
      for (size_t j = 0; j < kidx_.size(); ++j) last_key_[j].assign(row.Get(kidx_[j]));
      if (rows_ == 0) first_key_ = last_key_;
    }
    ++rows_;
    auto b = row.Bytes();
    auto* p = reinterpret_cast<const unsigned char*>(b.data());
    if (!keyed_) {
      Digest d;
      crypto_hash_sha256(d.data(), p, b.size());
      digests_.push_back(d);
      return;
    }
    if (ranges_.empty() && bounds_.empty()) crypto_hash_sha256_update(&st_, p, b.size());
    if (split_rows_ == 0 && bounds_.empty()) return;
    while (ranges_.size() + 1 < bounds_.size() && After(row, bounds_[ranges_.size()].second))
      CloseRange(bounds_[ranges_.size()].first);
    crypto_hash_sha256_update(&range_st_, p, b.size());
    if (++range_rows_ == split_rows_) CloseRange(KeyJson(row));
  }
  ManifestEntry Finish(const std::string& table) {
    if (split_rows_ > 0 && !ranges_.empty()) CloseRange("");
    while (ranges_.size() < bounds_.size()) CloseRange(bounds_[ranges_.size()].first);
    return Entry(table, rows_, std::move(ranges_), range_digests_, &digests_, &st_);
  }
  // The table's entry: `ranges` with their digests, or (none) the rows in `whole`, or (no
  // key) the sorted row digests.
  static ManifestEntry Entry(const std::string& table, int64_t rows,
                             std::vector<ManifestRange> ranges, const std::vector<Digest>& range_digests,
                             std::vector<Digest>* row_digests, crypto_hash_sha256_state* whole) {
    if (!ranges.empty()) {
      crypto_hash_sha256_init(whole);
      for (const auto& d : range_digests) crypto_hash_sha256_update(whole, d.data(), d.size());
    } else if (row_digests && !row_digests->empty()) {
      std::sort(row_digests->begin(), row_digests->end());
      for (const auto& d : *row_digests) crypto_hash_sha256_update(whole, d.data(), d.size());
    }
    Digest out;
    crypto_hash_sha256_final(whole, out.data());
    return {table, rows, Hex(out), std::move(ranges)};
  }

  bool ok() const { return ok_; }
  bool keyed() const { return keyed_; }
  int64_t rows() const { return rows_; }
  // A load unit's part: its ranges, the open one closed at its last row's key.
  void ClosePart() {
    if (range_rows_ > 0) {
      boost::json::array a;
      for (const auto& k : last_key_) a.emplace_back(k);
      CloseRange(boost::json::serialize(a));
    }
  }
  // True when this part's keys all come after `prev`'s (parts in key order).
  bool Follows(const TableHasher& prev) const {
    if (!keyed_ || rows_ == 0) return true;
    for (size_t j = 0; j < kidx_.size(); ++j) {
      StatKind k = KindOf(t_.columns[kidx_[j]].type);
      const std::string &a = first_key_[j], &b = prev.last_key_[j];
      long double an = k == StatKind::kText ? 0 : NumberOf(k, a);
      long double bn = k == StatKind::kText ? 0 : NumberOf(k, b);
      if (Less(k, b, bn, a, an)) return true;
      if (Less(k, a, an, b, bn)) return false;
    }
    return false;
  }
  std::vector<ManifestRange>& ranges() { return ranges_; }
  const std::vector<Digest>& range_digests() const { return range_digests_; }
  std::vector<Digest>& digests() { return digests_; }

 private:
  void CloseRange(const std::string& upto) {
    Digest d;
    crypto_hash_sha256_final(&range_st_, d.data());
    ranges_.push_back({upto, range_rows_, Hex(d)});
    range_digests_.push_back(d);
    crypto_hash_sha256_init(&range_st_);
    range_rows_ = 0;
  }
  // The row's key as a JSON array of its canonical values.
  std::string KeyJson(const CanonRow& row) const {
    boost::json::array a;
    for (size_t i : kidx_) a.emplace_back(std::string(row.Get(i)));
    return boost::json::serialize(a);
  }
  // True when the row's key comes after `key` in key order (the order rows are read in).
  bool After(const CanonRow& row, const std::vector<std::string>& key) const {
    for (size_t j = 0; j < kidx_.size() && j < key.size(); ++j) {
      StatKind k = KindOf(t_.columns[kidx_[j]].type);
      std::string_view a = row.Get(kidx_[j]), b = key[j];
      long double an = k == StatKind::kText ? 0 : NumberOf(k, a);
      long double bn = k == StatKind::kText ? 0 : NumberOf(k, b);
      if (Less(k, b, bn, a, an)) return true;
      if (Less(k, a, an, b, bn)) return false;
    }
    return false;
  }

  const TablePlan& t_;
  bool keyed_, check_order_, ok_ = true;
  std::vector<size_t> kidx_;
  crypto_hash_sha256_state st_, range_st_;
  int64_t rows_ = 0, range_rows_ = 0, split_rows_ = 0;
  std::vector<Digest> digests_, range_digests_;
  std::vector<std::string> first_key_, last_key_;
  std::vector<std::pair<std::string, std::vector<std::string>>> bounds_;  // like's: upto, key
  std::vector<ManifestRange> ranges_;
};

const ManifestEntry* Find(const std::vector<ManifestEntry>* entries, const std::string& table) {
  if (!entries) return nullptr;
  for (const auto& e : *entries)
    if (e.table == table) return &e;
  return nullptr;
}

ManifestEntry FromTarget(pg::Connection& conn, const std::string& schema, const TablePlan& t,
                         const ManifestEntry* like) {
  TableHasher h(t, like);
  pg::TextCopyReader rows(conn, TargetSelect(t, schema, "", t.primary_key));
  CanonRow row;
  while (rows.Next()) {
    FillRow(t, rows, &row);
    h.Add(row);
  }
  return h.Finish(t.name);
}

ManifestEntry FromSource(const EngineOptions& o, Source& src, pg::Connection& conn,
                         const std::string& schema, const TablePlan& t,
                         const ManifestEntry* like) {
  TableHasher h(t, like);
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

struct LoadHasher::Impl {
  explicit Impl(const TablePlan& t) : h(t, nullptr, true) {}
  TableHasher h;
};
LoadHasher::LoadHasher(const TablePlan& t) {
  if (sodium_init() < 0) throw std::runtime_error("libsodium failed to initialize");
  p_ = std::make_unique<Impl>(t);
}
LoadHasher::~LoadHasher() = default;
void LoadHasher::Add(const CanonRow& row) { p_->h.Add(row); }
bool LoadHasher::Ok() const { return p_->h.ok(); }

std::optional<std::vector<std::string>> LoadOrder(const TablePlan& t) {
  for (const auto& k : t.primary_key)
    for (const auto& c : t.columns)
      // Text sorts by its bytes (the target reads it COLLATE "C"), numbers by value; the
      // canonical text of other types (dates, uuids...) need not sort as their values do.
      if (c.name == k && KindOf(c.type) == StatKind::kText && c.type != PgType::kText &&
          c.type != PgType::kVarchar)
        return std::nullopt;
  if (t.source.primary_key.size() != t.primary_key.size()) return std::nullopt;
  return t.source.primary_key;
}

std::optional<ManifestEntry> CombineLoad(const TablePlan& t,
                                         std::vector<std::unique_ptr<LoadHasher>>& parts) {
  if (parts.empty()) return std::nullopt;
  const TableHasher* prev = nullptr;  // the last part with rows
  for (const auto& p : parts) {
    if (!p || !p->Ok() || (prev && !p->p_->h.Follows(*prev))) return std::nullopt;
    if (p->p_->h.rows() > 0) prev = &p->p_->h;
  }
  if (parts.size() == 1) return parts[0]->p_->h.Finish(t.name);
  int64_t rows = 0;
  std::vector<ManifestRange> ranges;
  std::vector<Digest> range_digests, row_digests;
  for (auto& p : parts) {
    auto& h = p->p_->h;
    rows += h.rows();
    if (!h.keyed()) {
      row_digests.insert(row_digests.end(), h.digests().begin(), h.digests().end());
      continue;
    }
    h.ClosePart();
    ranges.insert(ranges.end(), h.ranges().begin(), h.ranges().end());
    range_digests.insert(range_digests.end(), h.range_digests().begin(), h.range_digests().end());
  }
  if (!ranges.empty()) ranges.back().upto.clear();  // no rows past the last: open ended
  crypto_hash_sha256_state st;
  crypto_hash_sha256_init(&st);
  return TableHasher::Entry(t.name, rows, std::move(ranges), range_digests, &row_digests, &st);
}

ManifestEntry ManifestFromTarget(pg::Connection& conn, const std::string& schema,
                                 const TablePlan& t) {
  return FromTarget(conn, schema, t, nullptr);
}

int64_t ManifestRangeRows() {
  const char* v = std::getenv("CORRENTE_MIGRATE_TEST_MANIFEST_RANGE_ROWS");
  return v ? std::max<int64_t>(1, std::atoll(v)) : 100000;
}

std::vector<ManifestEntry> ComputeManifest(const EngineOptions& o, SourceContext& ctx,
                                           bool from_source, const std::vector<ManifestEntry>* like) {
  if (sodium_init() < 0) throw std::runtime_error("libsodium failed to initialize");
  auto conn = OpenTarget(o.dsn);
  std::vector<ManifestEntry> out;
  for (const auto& t : ctx.plans)
    out.push_back(from_source ? FromSource(o, *ctx.source, conn, ctx.schema, t, Find(like, t.name))
                              : FromTarget(conn, ctx.schema, t, Find(like, t.name)));
  return out;
}

std::string RenderManifest(const std::string& schema, const std::vector<ManifestEntry>& entries) {
  std::ostringstream out;
  out << "# corrente migrate manifest v2: table, rows, SHA-256 of the canonical rows in key "
         "order, or with range lines of the ranges' SHA-256 digests in order (docs/migrate.md)\n";
  out << "# range lines, tab-separated: table, rows, SHA-256 of the rows after the previous "
         "range up to the key (JSON; empty: to the end)\n";
  out << "schema " << schema << "\n";
  for (const auto& e : entries) {
    out << "table " << e.table << " " << e.rows << " " << e.sha256 << "\n";
    for (const auto& r : e.ranges)
      out << "range\t" << e.table << "\t" << r.rows << "\t" << r.sha256 << "\t" << r.upto << "\n";
  }
  return out.str();
}

std::vector<ManifestEntry> ParseManifest(const std::string& text, std::string* schema) {
  std::vector<ManifestEntry> out;
  std::istringstream in(text);
  std::string line;
  bool v1 = false;  // a v1 table line with ranges hashed its rows, not its ranges' digests
  while (std::getline(in, line)) {
    if (line.rfind("# corrente migrate manifest v1:", 0) == 0) v1 = true;
    if (line.empty() || line[0] == '#') continue;
    if (line.rfind("schema ", 0) == 0) {
      *schema = line.substr(7);
      continue;
    }
    if (line.rfind("range\t", 0) == 0) {  // range TABLE ROWS SHA UPTO, after its table line
      std::vector<std::string> f;
      for (size_t at = 6;;) {
        size_t tab = line.find('\t', at);
        f.push_back(line.substr(at, tab == std::string::npos ? tab : tab - at));
        if (tab == std::string::npos) break;
        at = tab + 1;
      }
      if (f.size() != 4 || out.empty() || out.back().table != f[0] || f[2].size() != 64)
        throw std::runtime_error("manifest: malformed line: " + line);
      if (v1)
        throw std::runtime_error("manifest: a v1 manifest with key ranges (written before "
                                 "2026-12-06); write it again with copy --manifest");
      out.back().ranges.push_back({f[3], std::stoll(f[1]), f[2]});
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

namespace {

// Checks one schema's manifest `text` into `check`, its tables named `prefix` + table; sets
// `*schema` to the schema it names.
void CheckSchema(const EngineOptions& o, const std::string& text, bool target, bool source,
                 const std::string& prefix, std::string* schema, ManifestCheck* check_out) {
  ManifestCheck& check = *check_out;
  auto want = ParseManifest(text, schema);
  EngineOptions so = o;
  if (so.schema.empty()) so.schema = *schema;
  so = WithRecordedMapping(so);
  auto ctx = OpenContext(so);
  for (bool from_source : {false, true}) {
    if (from_source ? !source : !target) continue;
    auto got = ComputeManifest(so, ctx, from_source, &want);
    const char* side = from_source ? "source" : "target";
    for (const auto& w : want) {
      auto it = std::find_if(got.begin(), got.end(),
                             [&](const ManifestEntry& g) { return g.table == w.table; });
      std::string line = prefix + w.table + " " + side + ": ";
      if (it == got.end())
        line += "MISMATCH: no such table";
      else if (it->rows != w.rows || it->sha256 != w.sha256)
        line += "MISMATCH: " + std::to_string(it->rows) + " rows, " + it->sha256 +
                " (manifest: " + std::to_string(w.rows) + " rows, " + w.sha256 + ")";
      else
        line += "OK (" + std::to_string(w.rows) + " rows, " + w.sha256 +
                (w.ranges.empty() ? "" : "; " + std::to_string(w.ranges.size()) + " key ranges") +
                ")";
      if (line.find("MISMATCH") != std::string::npos) check.mismatches.push_back(line);
      check.lines.push_back(std::move(line));
      // Which key ranges differ.
      for (size_t k = 0; it != got.end() && k < w.ranges.size() && k < it->ranges.size(); ++k) {
        const auto &wr = w.ranges[k], &gr = it->ranges[k];
        if (wr.rows == gr.rows && wr.sha256 == gr.sha256) continue;
        check.lines.push_back(prefix + w.table + " " + side + ": range " + std::to_string(k + 1) +
                              "/" + std::to_string(w.ranges.size()) + " (keys up to " +
                              (wr.upto.empty() ? std::string("the end") : wr.upto) +
                              "): " + std::to_string(gr.rows) + " rows, " + gr.sha256 +
                              " (manifest: " + std::to_string(wr.rows) + " rows, " + wr.sha256 +
                              ")");
      }
    }
    for (const auto& g : got)
      if (std::none_of(want.begin(), want.end(),
                       [&](const ManifestEntry& w) { return w.table == g.table; }))
        check.mismatches.push_back(prefix + g.table + " " + side +
                                   ": MISMATCH: not in the manifest"),
            check.lines.push_back(check.mismatches.back());
  }
}

std::optional<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) return std::nullopt;
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

ManifestCheck CheckManifest(const EngineOptions& o, const std::string& path, bool target,
                            bool source) {
  auto text = ReadFile(path);
  if (!text) throw std::runtime_error("cannot read " + path);
  auto held = HoldSource(o);
  ManifestCheck check;
  std::string schema;
  CheckSchema(o, *text, target, source, "", &schema, &check);
  // A DuckDB file's other schemas: copy --manifest FILE wrote FILE.<target schema> for each.
  EngineOptions main = o;
  main.manifest = path;
  if (main.schema.empty()) main.schema = schema;
  for (const auto& part : SchemaParts(main)) {
    auto part_text = ReadFile(part.manifest);
    if (!part_text) {
      check.mismatches.push_back(part.schema + ": MISMATCH: no manifest " + part.manifest +
                                 " (copy --manifest writes one per schema of the source)");
      check.lines.push_back(check.mismatches.back());
      continue;
    }
    std::string part_schema;
    CheckSchema(part, *part_text, target, source, part.schema + ".", &part_schema, &check);
  }
  return check;
}

}  // namespace corrente::migrate
