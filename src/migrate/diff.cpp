#include "migrate/diff.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <map>
#include <set>

#include "common/json.h"
#include "migrate/context.h"
#include "migrate/target.h"
#include "pg/copy_text.h"

namespace corrente::migrate {
namespace {

std::vector<int> KeyIndexes(const TablePlan& t) {
  std::vector<int> idx;
  for (const auto& k : t.primary_key)
    for (size_t i = 0; i < t.columns.size(); ++i)
      if (t.columns[i].name == k) idx.push_back(static_cast<int>(i));
  return idx;
}

int CompareKeys(const TablePlan& t, const std::vector<int>& kidx, const std::vector<std::string>& a,
                const std::vector<std::string>& b) {
  for (size_t k = 0; k < a.size(); ++k) {
    StatKind sk = KindOf(t.columns[kidx[k]].type);
    if (sk == StatKind::kDecimal) {
      if (int c = CompareDecimal(a[k], b[k])) return c;
    } else if (sk != StatKind::kText) {
      long double x = NumberOf(sk, a[k]), y = NumberOf(sk, b[k]);
      if (x != y) return x < y ? -1 : 1;
    } else if (int c = a[k].compare(b[k])) {
      return c < 0 ? -1 : 1;
    }
  }
  return 0;
}

std::string KeyLabel(const TablePlan& t, const std::vector<std::string>& key) {
  std::string r;
  for (size_t k = 0; k < key.size(); ++k) r += (k ? "," : "") + t.primary_key[k] + "=" + key[k];
  return r;
}

}  // namespace

Differ::Differ(const EngineOptions& opts, Source& source, std::string target_schema,
               const TablePlan& table)
    : o(opts),
      schema(std::move(target_schema)),
      t(table),
      kidx(KeyIndexes(table)),
      src(source),
      conn(OpenTarget(opts.dsn)),
      refused(RefusedKeys(conn, schema, table.name)),
      rejected(ConversionRejectKeys(conn, schema, table.name)) {}

bool Differ::Convert(RowCursor& cur, const ConvertContext& ctx, std::vector<TargetValue>* vals,
                     std::vector<std::string>* notes) {
  std::string reason, column;
  if (!ConvertRow(t, cur, ctx, vals, notes, &reason, &column)) {
    // Not in the target, and it cannot be under the copy's type choices: say which row, and
    // record it as copy records the rows it refuses.
    std::string label = cur.RowLabel();
    if (unconvertible.insert(label).second && !refused.count(label) && !rejected.count(label)) {
      spdlog::warn(
          "table {}: source row {} cannot be carried ({}); it is left out (the copy's "
          "type choices: migrate plan --show-state) and recorded in staging.migration_rejects",
          t.name, label, reason);
      new_rejects.push_back({label, column, reason});
    }
    return false;
  }
  if (!rejected.empty() && rejected.count(cur.RowLabel())) carried.insert(cur.RowLabel());
  return refused.empty() || !refused.count(cur.RowLabel());
}

void RecordRejects(pg::Connection& c, const std::string& schema, const std::string& table,
                   const std::vector<RejectRow>& added, const std::set<std::string>& cleared) {
  InsertRejects(c, schema, table, added);
  for (const auto& key : cleared)
    c.Execute(
        "DELETE FROM staging.migration_rejects WHERE target_schema = $1 AND table_name = $2 "
        "AND source_key = $3 AND NOT starts_with(reason, $4)",
        schema, table, key, std::string(kRefused));
}

std::string Differ::Where(std::optional<int64_t> lo, std::optional<int64_t> hi) const {
  std::string w;
  std::string k = Quote(t.primary_key[0]);
  if (lo) w += k + " >= " + std::to_string(*lo);
  if (hi) w += (w.empty() ? "" : " AND ") + k + " < " + std::to_string(*hi);
  return w;
}

void Differ::Emit(const CanonRow& canon, const std::vector<TargetValue>* vals,
                  const std::function<void(KeyedRow&&)>& fn, SideStats* stats) {
  KeyedRow r;
  r.hash = canon.Hash();
  if (stats) {
    ++stats->rows;
    stats->checksum += r.hash;
    return;
  }
  for (int k : kidx) r.key.emplace_back(canon.Get(k));
  if (vals && collect) r.values = *vals;
  fn(std::move(r));
}

void Differ::ForEachSource(
    const std::vector<std::string>& order_by, std::optional<KeyRange> range,
    const std::function<void(const RowCursor&, const std::vector<TargetValue>&, const CanonRow&)>&
        fn) {
  ConvertContext ctx{o.zero_dates, o.invalid_text};
  auto cur = src.Scan(t.source, order_by, range);
  std::vector<TargetValue> vals;
  std::vector<std::string> notes;
  CanonRow canon;
  while (cur->Next()) {
    if (!Convert(*cur, ctx, &vals, &notes)) continue;
    FillRow(t, vals, &canon);
    fn(*cur, vals, canon);
  }
}

void Differ::ReadSource(std::optional<KeyRange> range, const std::function<void(KeyedRow&&)>& fn,
                        SideStats* stats) {
  ForEachSource(stats ? std::vector<std::string>{} : t.source.primary_key, range,
                [&](const RowCursor&, const std::vector<TargetValue>& vals, const CanonRow& canon) {
                  Emit(canon, &vals, fn, stats);
                });
}
void Differ::ReadTarget(const std::string& where, const std::function<void(KeyedRow&&)>& fn,
                        SideStats* stats) {
  pg::TextCopyReader rows(
      conn, TargetSelect(t, schema, where, stats ? std::vector<std::string>{} : t.primary_key));
  CanonRow canon;
  while (rows.Next()) {
    FillRow(t, rows, &canon);
    Emit(canon, nullptr, fn, stats);
  }
}

void Differ::MergeRange(std::optional<int64_t> lo, std::optional<int64_t> hi, bool ranged) {
  std::optional<KeyRange> range;
  if (ranged) range = KeyRange{t.source.primary_key[0], lo, hi};
  ConvertContext ctx{o.zero_dates, o.invalid_text};
  auto cur = src.Scan(t.source, t.source.primary_key, range);
  pg::TextCopyReader rows(conn,
                          TargetSelect(t, schema, ranged ? Where(lo, hi) : "", t.primary_key));
  std::vector<TargetValue> vals;
  std::vector<std::string> notes;
  CanonRow canon_a, canon_b;
  KeyedRow a, b;
  auto next_a = [&]() {
    while (cur->Next()) {
      if (!Convert(*cur, ctx, &vals, &notes)) continue;
      FillRow(t, vals, &canon_a);
      a.hash = canon_a.Hash();
      a.key.clear();
      for (int k : kidx) a.key.emplace_back(canon_a.Get(k));
      return true;
    }
    return false;
  };
  auto next_b = [&]() {
    if (!rows.Next()) return false;
    FillRow(t, rows, &canon_b);
    b.hash = canon_b.Hash();
    b.key.clear();
    for (int k : kidx) b.key.emplace_back(canon_b.Get(k));
    return true;
  };
  auto take_a = [&]() {
    KeyedRow r;
    r.key = a.key;
    r.values = vals;
    to_upsert.push_back(std::move(r));
  };
  KeyHashes missing, extra;
  bool has_a = next_a(), has_b = next_b();
  while (has_a || has_b) {
    int c = !has_a ? 1 : !has_b ? -1 : CompareKeys(t, kidx, a.key, b.key);
    if (c < 0) {
      report.missing.push_back(KeyLabel(t, a.key));
      missing[a.key] = a.hash;
      if (collect) take_a();
      has_a = next_a();
    } else if (c > 0) {
      report.extra.push_back(KeyLabel(t, b.key));
      extra[b.key] = b.hash;
      if (collect) to_delete.push_back(b.key);
      has_b = next_b();
    } else {
      if (a.hash != b.hash) {
        report.changed.push_back(KeyLabel(t, a.key));
        if (collect) take_a();
      }
      has_a = next_a();
      has_b = next_b();
    }
  }
  PairKeys(missing, extra, /*hashes_known=*/true);
}

void Differ::PairKeys(const KeyHashes& missing, const KeyHashes& extra, bool hashes_known) {
  std::set<std::vector<std::string>> both, equal;
  for (const auto& [k, h] : missing)
    if (auto it = extra.find(k); it != extra.end()) {
      both.insert(k);
      if (hashes_known && it->second == h) equal.insert(k);
    }
  if (both.empty()) return;
  spdlog::warn("table {}: {} keys came from the source in another order than PostgreSQL's (COLLATE "
               "\"C\"); matched by key, none deleted",
               t.name, both.size());
  std::set<std::string> labels;
  for (const auto& k : both) labels.insert(KeyLabel(t, k));
  auto in_both = [&](const std::string& label) { return labels.count(label) > 0; };
  std::erase_if(report.missing, in_both);
  std::erase_if(report.extra, in_both);
  std::erase_if(to_delete, [&](const std::vector<std::string>& k) { return both.count(k) > 0; });
  std::erase_if(to_upsert, [&](const KeyedRow& r) { return equal.count(r.key) > 0; });
  if (hashes_known)
    for (const auto& k : both)
      if (!equal.count(k)) report.changed.push_back(KeyLabel(t, k));
}

std::optional<std::string> Differ::KeyMerge(int wm_col, const std::optional<std::string>& since,
                                            bool rowid) {
  ConvertContext ctx{o.zero_dates, o.invalid_text};
  StatKind wk = KindOf(t.columns[wm_col].type);
  auto cur = src.Scan(t.source, t.source.primary_key, std::nullopt);
  pg::TextCopyReader rows(conn, TargetSelect(t, schema, "", t.primary_key, &t.primary_key));
  std::vector<TargetValue> vals;
  std::vector<std::string> notes, b_key;
  CanonRow a;
  std::vector<std::string> a_key;
  std::string b_canon;
  std::optional<std::string> top;
  auto next_a = [&]() {
    while (cur->Next()) {
      if (!Convert(*cur, ctx, &vals, &notes)) continue;
      FillRow(t, vals, &a);
      a_key.clear();
      for (int k : kidx) a_key.emplace_back(a.Get(k));
      if (!a.IsNull(wm_col)) {
        auto v = a.Get(wm_col);
        if (!top || Less(wk, *top, NumberOf(wk, *top), v, NumberOf(wk, v))) top = std::string(v);
      }
      return true;
    }
    return false;
  };
  auto next_b = [&]() {
    if (!rows.Next()) return false;
    b_key.resize(kidx.size());
    for (size_t k = 0; k < kidx.size(); ++k) {
      b_canon.clear();
      CanonicalFromPg(t.columns[kidx[k]], rows.Field(static_cast<int>(k)), &b_canon);
      b_key[k] = b_canon;
    }
    return true;
  };
  auto take_a = [&]() {
    KeyedRow r;
    r.key = a_key;
    r.values = vals;
    to_upsert.push_back(std::move(r));
  };
  auto changed = [&]() {
    if (rowid || a.IsNull(wm_col)) return false;
    if (!since) return true;
    auto v = a.Get(wm_col);
    return !Less(wk, v, NumberOf(wk, v), *since, NumberOf(wk, *since));
  };
  KeyHashes missing, extra;  // hashes unknown here: the target side reads keys only
  bool has_a = next_a(), has_b = next_b();
  while (has_a || has_b) {
    int c = !has_a ? 1 : !has_b ? -1 : CompareKeys(t, kidx, a_key, b_key);
    if (c < 0) {
      report.missing.push_back(KeyLabel(t, a_key));
      missing[a_key] = 0;
      take_a();
      has_a = next_a();
    } else if (c > 0) {
      report.extra.push_back(KeyLabel(t, b_key));
      extra[b_key] = 0;
      to_delete.push_back(b_key);
      has_b = next_b();
    } else {
      if (changed()) {
        report.changed.push_back(KeyLabel(t, a_key));
        take_a();
      }
      has_a = next_a();
      has_b = next_b();
    }
  }
  PairKeys(missing, extra, /*hashes_known=*/false);
  return top;
}

void Differ::RowHashMerge() {
  ++report.segments_compared;
  SideStats sa, sb;
  ReadSource(std::nullopt, nullptr, &sa);
  ReadTarget("", nullptr, &sb);
  if (sa.rows == sb.rows && sa.checksum == sb.checksum) return;
  std::map<uint64_t, std::vector<std::string>> target;  // row hash -> ctids
  {
    pg::TextCopyReader rows(conn, "COPY (SELECT " + ColumnList(t) + ", ctid FROM " +
                                      Qualified(schema, t.name) + ") TO STDOUT");
    CanonRow canon;
    const int ctid = static_cast<int>(t.columns.size());
    while (rows.Next()) {
      FillRow(t, rows, &canon);
      target[canon.Hash()].emplace_back(rows.Field(ctid));
    }
  }
  ForEachSource(
      {}, std::nullopt,
      [&](const RowCursor& cur, const std::vector<TargetValue>& vals, const CanonRow& canon) {
        auto it = target.find(canon.Hash());
        if (it != target.end() && !it->second.empty()) {
          it->second.pop_back();
          return;
        }
        report.missing.push_back(cur.RowLabel());
        if (collect) {
          KeyedRow r;
          r.values = vals;
          to_upsert.push_back(std::move(r));
        }
      });
  std::string ctids;
  for (const auto& [hash, left] : target)
    for (const auto& c : left) ctids += (ctids.empty() ? "{\"" : ",\"") + c + "\"";
  if (ctids.empty()) return;
  auto r =
      conn.Execute("SELECT ctid::text, ROW(" + ColumnList(t) + ")::text FROM " +
                       Qualified(schema, t.name) + " WHERE ctid = ANY($1::tid[]) ORDER BY ctid",
                   ctids + "}");
  // Sync deletes each row by its ctid only while it still holds these values.
  std::string doomed = "[";
  for (int i = 0; i < r.Rows(); ++i) {
    report.extra.push_back("row " + r.GetString(i, 1));
    doomed += (i ? ",[" : "[") + JsonString(r.GetString(i, 0)) + "," +
              JsonString(r.GetString(i, 1)) + "]";
  }
  if (collect) to_delete.push_back({doomed + "]", std::to_string(r.Rows())});
}

void Differ::Bisect(int64_t lo, int64_t hi) {
  ++report.segments_compared;
  SideStats sa, sb;
  ReadSource(KeyRange{t.source.primary_key[0], lo, hi}, nullptr, &sa);
  ReadTarget(Where(lo, hi), nullptr, &sb);
  if (sa.rows == sb.rows && sa.checksum == sb.checksum) return;
  if (hi - lo <= 64 || std::max(sa.rows, sb.rows) <= 256) {
    MergeRange(lo, hi, true);
    return;
  }
  int64_t step = (hi - lo + 7) / 8;
  for (int64_t s = lo; s < hi; s += step) Bisect(s, std::min(hi, s + step));
}

void Differ::Run() {
  bool int_key = kidx.size() == 1 && (t.columns[kidx[0]].type == PgType::kBigInt ||
                                      t.columns[kidx[0]].type == PgType::kInteger ||
                                      t.columns[kidx[0]].type == PgType::kSmallInt);
  ++report.segments_compared;
  SideStats sa, sb;
  ReadSource(std::nullopt, nullptr, &sa);
  ReadTarget("", nullptr, &sb);
  if (sa.rows == sb.rows && sa.checksum == sb.checksum) return;
  if (!int_key) {
    MergeRange(std::nullopt, std::nullopt, false);
    return;
  }
  std::string k = Quote(t.primary_key[0]);
  auto r = conn.Execute("SELECT min(" + k + "), max(" + k + ") FROM " + Qualified(schema, t.name));
  // The source's bounds come from a full key-ordered scan of keys only when needed; use
  // a wide range that covers both sides instead: min/max over the target, widened by the
  // source rows found outside it.
  int64_t lo = r.IsNull(0, 0) ? 0 : r.GetInt(0, 0), hi = r.IsNull(0, 1) ? 0 : r.GetInt(0, 1) + 1;
  SideStats below, above;
  ReadSource(KeyRange{t.source.primary_key[0], std::nullopt, lo}, nullptr, &below);
  ReadSource(KeyRange{t.source.primary_key[0], hi, std::nullopt}, nullptr, &above);
  if (below.rows) MergeRange(std::nullopt, lo, true);
  if (above.rows) MergeRange(hi, std::nullopt, true);
  if (hi > lo) Bisect(lo, hi);
}

std::vector<DiffReport> RunDiff(const EngineOptions& opts, const std::string& table) {
  auto held = HoldSource(opts);
  EngineOptions main = opts;
  main.tables.clear();
  // A DuckDB file's other schemas, after main; `table` may name one of their tables.
  std::vector<EngineOptions> parts = SchemaParts(main);
  std::vector<std::pair<EngineOptions, std::string>> todo;  // (schema's options, label prefix)
  for (auto& p : parts) {
    std::string prefix = p.schema + ".";
    if (table.empty()) {
      todo.emplace_back(std::move(p), prefix);
    } else if (table.rfind(prefix, 0) == 0) {
      p.tables = {table.substr(prefix.size())};
      todo = {{std::move(p), prefix}};
      break;
    }
  }
  if (table.empty() || todo.empty()) {
    if (!table.empty()) main.tables = {table};
    todo.insert(todo.begin(), {std::move(main), ""});
  }
  std::vector<DiffReport> reports;
  for (const auto& [part, prefix] : todo) {
    const EngineOptions o = WithRecordedMapping(part);
    auto ctx = OpenContext(o);
    for (const auto& t : ctx.plans) {
      Differ d(o, *ctx.source, ctx.schema, t);
      d.report.table = prefix + t.name;
      if (t.primary_key.empty())
        d.RowHashMerge();
      else
        d.Run();
      RecordRejects(d.conn, ctx.schema, t.name, d.new_rejects, {});  // diff carries nothing
      reports.push_back(std::move(d.report));
    }
  }
  return reports;
}

}  // namespace corrente::migrate
