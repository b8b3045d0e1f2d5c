#pragma once
// Canonical rows and their stats, the two sides of a verify: a source row converted by the
// plan and a target row read back as PostgreSQL's text both become a CanonRow (the same
// bytes when the values are equal), which is hashed and summarized per column (nulls,
// min/max in a total order, sums). Pure; a CanonRow or SideStats is not thread-safe.
#include <cstdint>
#include <cstring>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "migrate/engine.h"
#include "migrate/plan.h"
#include "pg/copy_text.h"

namespace corrente::migrate {

// Converts one source row. Returns false (with the reason) when the row is rejected.
bool ConvertRow(const TablePlan& t, RowCursor& cur, const ConvertContext& ctx,
                std::vector<TargetValue>* out, std::vector<std::string>* notes, std::string* reason,
                std::string* column);

// One row's canonical fields, each length-prefixed (NULL as a marker) in one buffer: the
// bytes the row hash covers.
class CanonRow {
 public:
  void Clear() {
    buf_.clear();
    spans_.clear();
  }
  // Returns the buffer to append one field's canonical text to; End() closes the field.
  std::string* Begin() {
    start_ = buf_.size();
    buf_.append(4, '\0');
    return &buf_;
  }
  void End() {
    uint32_t n = static_cast<uint32_t>(buf_.size() - start_ - 4);
    std::memcpy(&buf_[start_], &n, 4);
    spans_.push_back({start_ + 4, n});
  }
  void Null() {
    buf_ += "\xff\xfeN";
    spans_.push_back({0, kNullSpan});
  }
  bool IsNull(size_t i) const { return spans_[i].second == kNullSpan; }
  std::string_view Get(size_t i) const {
    return std::string_view(buf_).substr(spans_[i].first, spans_[i].second);
  }
  size_t Size() const { return spans_.size(); }
  // The bytes the row hash covers: per field a 4-byte little-endian length and the
  // canonical text, or FF FE 4E for NULL.
  std::string_view Bytes() const { return buf_; }
  uint64_t Hash() const {
    uint64_t h = std::hash<std::string_view>{}(buf_);
    // splitmix64 finalizer so that summing hashes stays well mixed
    h += 0x9e3779b97f4a7c15ULL;
    h = (h ^ (h >> 30)) * 0xbf58476d1ce4e5b9ULL;
    h = (h ^ (h >> 27)) * 0x94d049bb133111ebULL;
    return h ^ (h >> 31);
  }

 private:
  static constexpr uint32_t kNullSpan = UINT32_MAX;
  std::string buf_;
  size_t start_ = 0;
  std::vector<std::pair<size_t, uint32_t>> spans_;
};

void FillRow(const TablePlan& t, const std::vector<TargetValue>& vals, CanonRow* row);
// From a target row read with TextCopyReader (columns in plan order).
void FillRow(const TablePlan& t, const pg::TextCopyReader& r, CanonRow* row);

enum class StatKind { kInt, kDecimal, kDouble, kText };
StatKind KindOf(PgType t);
// Exact order of canonical decimals (no leading or trailing zeros); NaN sorts last and the
// infinities at the ends, as in PostgreSQL.
int CompareDecimal(std::string_view a, std::string_view b);
// The value of canonical text `v` as a number (NaN when it is not one).
long double NumberOf(StatKind k, std::string_view v);
// A total order per kind, so that min and max do not depend on the scan order.
bool Less(StatKind k, std::string_view a, long double av, std::string_view b, long double bv);

// Counts `row` into `s` (rows, checksum, per-column stats).
void Accumulate(const TablePlan& t, const CanonRow& row, SideStats* s);
// Adds the stats of another part of the same table (a key or page range).
void Merge(const TablePlan& t, const SideStats& part, SideStats* s);
// Stats of no rows, one column entry per planned column.
SideStats EmptyStats(const TablePlan& t);

}  // namespace corrente::migrate
