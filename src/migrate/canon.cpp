#include "migrate/canon.h"

#include <charconv>
#include <cmath>

namespace corrente::migrate {

bool ConvertRow(const TablePlan& t, RowCursor& cur, const ConvertContext& ctx,
                std::vector<TargetValue>* out, std::vector<std::string>* notes, std::string* reason,
                std::string* column) {
  if (auto e = cur.RowError()) {
    *reason = *e;
    column->clear();
    return false;
  }
  out->resize(t.columns.size());
  notes->clear();
  for (size_t i = 0; i < t.columns.size(); ++i) {
    const auto& col = t.columns[i];
    std::string note;
    if (auto err = ConvertValue(col, cur.Value(col.source_index), ctx, &(*out)[i], &note)) {
      *reason = *err;
      *column = col.name;
      return false;
    }
    if (!note.empty()) notes->push_back(col.name + "\t" + note);
  }
  return true;
}

void FillRow(const TablePlan& t, const std::vector<TargetValue>& vals, CanonRow* row) {
  row->Clear();
  for (size_t i = 0; i < vals.size(); ++i) {
    if (vals[i].null) {
      row->Null();
      continue;
    }
    AppendCanonical(t.columns[i], vals[i], row->Begin());
    row->End();
  }
}

void FillRow(const TablePlan& t, const pg::TextCopyReader& r, CanonRow* row) {
  row->Clear();
  for (size_t i = 0; i < t.columns.size(); ++i) {
    if (r.IsNull(static_cast<int>(i))) {
      row->Null();
      continue;
    }
    CanonicalFromPg(t.columns[i], r.Field(static_cast<int>(i)), row->Begin());
    row->End();
  }
}

StatKind KindOf(PgType t) {
  switch (t) {
    case PgType::kSmallInt:
    case PgType::kInteger:
    case PgType::kBigInt:
      return StatKind::kInt;
    case PgType::kNumeric:
      return StatKind::kDecimal;
    case PgType::kDouble:
      return StatKind::kDouble;
    default:
      return StatKind::kText;
  }
}

// Exact order of canonical decimals (no leading or trailing zeros); NaN sorts last and the
// infinities at the ends, as in PostgreSQL.
int CompareDecimal(std::string_view a, std::string_view b) {
  auto rank = [](std::string_view s) {
    if (s.empty() || (s[0] != 'N' && s[0] != 'I' && s.substr(0, 2) != "-I")) return 0;
    return s == "NaN" ? 3 : s == "Infinity" ? 2 : s == "-Infinity" ? -2 : 0;
  };
  int ra = rank(a), rb = rank(b);
  if (ra || rb) return ra == rb ? 0 : ra < rb ? -1 : 1;
  bool na = !a.empty() && a[0] == '-', nb = !b.empty() && b[0] == '-';
  if (na != nb) return na ? -1 : 1;
  if (na) a.remove_prefix(1), b.remove_prefix(1);
  size_t ia = std::min(a.find('.'), a.size()), ib = std::min(b.find('.'), b.size());
  int c = ia != ib ? (ia < ib ? -1 : 1) : a.compare(b) < 0 ? -1 : a.compare(b) > 0 ? 1 : 0;
  return na ? -c : c;
}

long double NumberOf(StatKind k, std::string_view v) {
  if (k == StatKind::kInt) {
    int64_t x = 0;
    std::from_chars(v.data(), v.data() + v.size(), x);
    return static_cast<long double>(x);
  }
  double d = NAN;
  std::from_chars(v.data(), v.data() + v.size(), d);
  return d;
}

// A total order per kind, so that min and max do not depend on the scan order.
bool Less(StatKind k, std::string_view a, long double av, std::string_view b, long double bv) {
  if (k == StatKind::kDecimal) return CompareDecimal(a, b) < 0;
  if (k == StatKind::kText) return a < b;
  bool an = std::isnan(av), bn = std::isnan(bv);
  if (an != bn) return bn;
  if (!an && av != bv) return av < bv;
  return a < b;
}

namespace {

// Records that value `v` (canonical text, numeric value `num`) exists in the column.
void Offer(StatKind k, std::string_view v, long double num, ColumnStats* cs) {
  if (!cs->min) {
    cs->min = v, cs->max = v, cs->min_value = cs->max_value = num;
    return;
  }
  if (k == StatKind::kText) {
    int lo = v.compare(*cs->min);
    if (lo < 0) {
      cs->min = v;
    } else if (lo > 0 && v.compare(*cs->max) > 0) {
      cs->max = v;
    }
    return;
  }
  // Strictly inside the bounds as numbers means strictly inside exactly: rounding a decimal
  // to a double is monotonic. Only values at or past a bound take the exact comparison.
  if (num > cs->min_value && num < cs->max_value) return;
  if (Less(k, v, num, *cs->min, cs->min_value)) cs->min = v, cs->min_value = num;
  if (Less(k, *cs->max, cs->max_value, v, num)) cs->max = v, cs->max_value = num;
}

}  // namespace

void Accumulate(const TablePlan& t, const CanonRow& row, SideStats* s) {
  ++s->rows;
  s->checksum += row.Hash();
  for (size_t i = 0; i < row.Size(); ++i) {
    auto& cs = s->columns[i];
    if (row.IsNull(i)) {
      ++cs.nulls;
      continue;
    }
    StatKind k = KindOf(t.columns[i].type);
    std::string_view v = row.Get(i);
    long double num = k == StatKind::kText ? 0 : NumberOf(k, v);
    if (k != StatKind::kText && std::isfinite(num)) cs.summed = true, cs.sum += num;
    Offer(k, v, num, &cs);
  }
}

// Adds the stats of another part of the same table (a key or page range).
void Merge(const TablePlan& t, const SideStats& part, SideStats* s) {
  s->rows += part.rows;
  s->checksum += part.checksum;
  s->rejected += part.rejected;
  for (const auto& r : part.refusals)
    if (s->refusals.size() < kRefusalsShown) s->refusals.push_back(r);
  for (size_t i = 0; i < s->columns.size(); ++i) {
    auto& cs = s->columns[i];
    const auto& ps = part.columns[i];
    StatKind k = KindOf(t.columns[i].type);
    cs.nulls += ps.nulls;
    cs.sum += ps.sum;
    cs.summed |= ps.summed;
    if (ps.min) Offer(k, *ps.min, ps.min_value, &cs);
    if (ps.max) Offer(k, *ps.max, ps.max_value, &cs);
  }
}

SideStats EmptyStats(const TablePlan& t) {
  SideStats s;
  for (const auto& c : t.columns) {
    ColumnStats cs;
    cs.name = c.name;
    s.columns.push_back(std::move(cs));
  }
  return s;
}

}  // namespace corrente::migrate
