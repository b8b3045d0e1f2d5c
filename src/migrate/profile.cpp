#include "migrate/profile.h"

#include <string>
#include <vector>

#include "common/utf8.h"

namespace corrente::migrate {
namespace {

struct Profile {
  int64_t values = 0, ints = 0, reals = 0, texts = 0, blobs = 0, nulls = 0;
  int64_t misfits = 0;  // values the declared type refuses
  std::string example;  // the first of them, printable
  bool numbers = true;  // every value is an integer, a real or decimal text
  bool utf8 = true;     // every value is UTF-8 text (or a number)
  int64_t not_utf8 = 0;  // text or blob values that are not UTF-8
  int64_t late_not_utf8 = 0;  // of them, found past the sample (the full check)
};

bool Temporal(PgType t) {
  return t == PgType::kDate || t == PgType::kTimestamp || t == PgType::kTimestampTz ||
         t == PgType::kTime;
}

std::string Shown(const SourceValue& v) {
  using K = SourceValue::Kind;
  if (v.kind == K::kInt) return std::to_string(v.i);
  if (v.kind == K::kReal) return ShortestDouble(v.d);
  std::string s = Printable(v.s.substr(0, 40));
  return v.kind == K::kBlob ? "blob " + s : "'" + s + "'";
}

// SQLite takes NULL (any number of them, as distinct values) in the PRIMARY KEY of a rowid
// table unless it is an INTEGER one; PostgreSQL's key cannot hold NULL, so those rows were
// refused. A key with NULLs in the sample becomes a UNIQUE index (NULLs distinct there too)
// on nullable columns; diff and sync then compare whole rows, as for a table without a key.
void NullableKey(const SourceTable& table, TablePlan* plan, const std::vector<Profile>& prof) {
  int64_t nulls = 0;
  for (size_t i = 0; i < plan->columns.size(); ++i)
    for (const auto& k : plan->primary_key)
      if (plan->columns[i].name == k) nulls += prof[i].nulls;
  if (nulls == 0) return;
  std::string name = plan->name, cols;
  for (const auto& k : plan->primary_key) name += "_" + k, cols += (cols.empty() ? "" : ", ") + k;
  plan->warnings.push_back("primary key (" + cols + ") holds NULL in " + std::to_string(nulls) +
                           " sampled rows (SQLite allows it in a key that is not INTEGER): "
                           "carried as UNIQUE index " + name + "_key, its columns nullable; "
                           "diff and sync compare whole rows");
  plan->indexes.push_back({name + "_key", plan->primary_key, true});
  for (auto& c : plan->columns)
    for (const auto& k : plan->primary_key)
      if (c.name == k && !c.identity) c.not_null = table.columns[c.source_index].not_null;
  plan->primary_key.clear();
}

}  // namespace

void WidenToValues(Source& source, const SourceTable& table, TablePlan* plan, int64_t sample_rows,
                   bool invalid_bytea, bool check_all_text) {
  using K = SourceValue::Kind;
  std::vector<Profile> prof(plan->columns.size());
  auto cur = source.Scan(table, {}, std::nullopt);
  TargetValue tv;
  std::string note;
  int64_t rows = 0;
  std::vector<ColumnPlan> nullable = plan->columns;  // NOT NULL is the copy's to check
  for (auto& c : nullable) c.not_null = false;
  while (rows < sample_rows && cur->Next()) {
    ++rows;
    for (size_t i = 0; i < plan->columns.size(); ++i) {
      const auto& col = plan->columns[i];
      const SourceValue& v = cur->Value(col.source_index);
      prof[i].nulls += v.kind == K::kNull;
      if (v.kind == K::kNull || col.identity) continue;
      auto& p = prof[i];
      ++p.values;
      p.ints += v.kind == K::kInt;
      p.reals += v.kind == K::kReal;
      p.texts += v.kind == K::kText;
      p.blobs += v.kind == K::kBlob;
      if (v.kind == K::kBlob || (v.kind == K::kText && !IsDecimalText(v.s))) p.numbers = false;
      bool bad_utf8 = (v.kind == K::kText || v.kind == K::kBlob) && !IsUtf8(v.s);
      if (bad_utf8) p.utf8 = false, ++p.not_utf8;
      // Invalid UTF-8 in a text column follows --invalid-text, not a wider type.
      if (bad_utf8 && (col.type == PgType::kText || col.type == PgType::kVarchar)) continue;
      if (ConvertValue(nullable[i], v, {}, &tv, &note)) {
        if (p.misfits++ == 0) p.example = Shown(v);
      } else if (Temporal(col.type) && v.kind != K::kText && p.example.empty()) {
        p.example = Shown(v);  // a number in a date/time column, named if text is there too
      }
    }
  }
  // The full check (--invalid-text bytea): the rest of the table, text columns only.
  bool more = rows == sample_rows;
  while (invalid_bytea && check_all_text && more && cur->Next()) {
    for (size_t i = 0; i < plan->columns.size(); ++i) {
      const auto& col = plan->columns[i];
      if (col.identity || (col.type != PgType::kText && col.type != PgType::kVarchar)) continue;
      const SourceValue& v = cur->Value(col.source_index);
      if ((v.kind == K::kText || v.kind == K::kBlob) && !IsUtf8(v.s))
        ++prof[i].not_utf8, ++prof[i].late_not_utf8;
    }
  }
  NullableKey(table, plan, prof);
  for (size_t i = 0; i < plan->columns.size(); ++i) {
    auto& col = plan->columns[i];
    const auto& p = prof[i];
    // Integers (or reals) beside text in a date/time column: 0 and 2024 beside '2024-01-05'
    // are not one kind of time, so no time type holds them all exactly.
    bool mixed_time = Temporal(col.type) && p.texts > 0 && (p.ints > 0 || p.reals > 0);
    bool texty = col.type == PgType::kText || col.type == PgType::kVarchar;
    if (invalid_bytea && texty && p.not_utf8 > 0) {
      std::string why =
          p.late_not_utf8 == p.not_utf8
              ? std::to_string(p.not_utf8) + (p.not_utf8 == 1 ? " value" : " values") +
                    " past the " + std::to_string(sample_rows) + " sampled rows " +
                    (p.not_utf8 == 1 ? "is" : "are") + " not UTF-8 (the full check)"
              : std::to_string(p.not_utf8 - p.late_not_utf8) + " of " +
                    std::to_string(p.values) + " sampled values are not UTF-8";
      col.decision += "; values scanned: " + why +
                      " -> bytea (--invalid-text bytea), every value kept as its bytes";
      plan->warnings.push_back("column " + col.name + ": " + why + "; carried as bytea");
      col.type = PgType::kBytea;
      col.precision = col.scale = -1;
      col.collation.clear();
      col.checks.clear();
      continue;
    }
    col.numbers_sampled = Temporal(col.type) && (p.ints > 0 || p.reals > 0);
    if (p.misfits == 0 && !mixed_time) continue;
    std::string declared = col.SqlType();
    ColumnPlan wide = col;
    wide.precision = wide.scale = -1;
    wide.checks.clear();
    if (p.numbers && !Temporal(col.type)) {
      wide.type = PgType::kNumeric;
      wide.collation.clear();
    } else if (p.utf8) {
      wide.type = PgType::kText;
      if (col.collation.empty() && col.type != PgType::kText && col.type != PgType::kVarchar)
        wide.collation = "C";  // SQLite compares these values by their bytes
    } else {
      wide.type = PgType::kBytea;
      wide.collation.clear();
    }
    std::string why = mixed_time
                          ? std::to_string(p.ints + p.reals) + " numbers (e.g. " + p.example +
                                ") beside " + std::to_string(p.texts) + " text values"
                          : std::to_string(p.misfits) + " of " + std::to_string(p.values) +
                                " sampled values (e.g. " + p.example + ") do not fit " + declared;
    wide.decision = col.decision + "; values scanned: " + why + " -> " + wide.SqlType() +
                    (wide.collation.empty() ? "" : " COLLATE \"C\"") +
                    ", every value kept exactly (--strict keeps " + declared + " and refuses them)";
    plan->warnings.push_back("column " + col.name + ": " + why + "; carried as " + wide.SqlType());
    col = std::move(wide);
  }
}

}  // namespace corrente::migrate
