#include <spdlog/spdlog.h>

#include <algorithm>
#include <functional>
#include <cstdio>
#include <sstream>

#include "migrate/context.h"
#include "migrate/diff.h"
#include "migrate/engine.h"
#include "migrate/target.h"
#include "pg/copy.h"

namespace corrente::migrate {
namespace {

// The column and log mode of `--watermark`: "updated_at=COL" or "rowid" (SQLite's rowid,
// which an INTEGER PRIMARY KEY is).
std::pair<int, std::string> WatermarkColumn(const EngineOptions& o, Source& src,
                                            const TablePlan& t) {
  auto find = [&](const std::string& name) {
    for (size_t i = 0; i < t.columns.size(); ++i)
      if (t.columns[i].name == name) return static_cast<int>(i);
    return -1;
  };
  if (o.watermark.rfind("updated_at=", 0) == 0) {
    int c = find(o.watermark.substr(11));
    if (c < 0)
      throw std::runtime_error("sync: table " + t.name + " has no column " +
                               o.watermark.substr(11));
    return {c, "updated-at"};
  }
  if (o.watermark == "rowid") {
    int c = t.primary_key.size() == 1 ? find(t.primary_key[0]) : -1;
    if (c < 0 || !src.Types().IsRowid(t.source, t.source.columns[t.columns[c].source_index]))
      throw std::runtime_error("sync --watermark rowid: table " + t.name +
                               " has no INTEGER PRIMARY KEY (SQLite's rowid)");
    return {c, "rowid"};
  }
  throw std::runtime_error("--watermark must be 'rowid' or 'updated_at=COLUMN'");
}

// What one table's diff found, applied later in the pass's transaction.
struct TableChanges {
  const TablePlan* t = nullptr;
  std::string mode = "diff", started;
  std::optional<std::string> watermark;
  std::vector<KeyedRow> to_upsert;
  std::vector<std::vector<std::string>> to_delete;  // keys; ctid and row text when key-less
  std::vector<RejectRow> new_rejects;  // rows the recorded types cannot hold, not yet recorded
  std::set<std::string> carried;       // recorded rejects that convert now
};

// Compares one table (see RunSync) and keeps its differing rows. Its target connection
// closes when it returns: a pass holds one connection, whatever the number of tables.
TableChanges DiffTable(const EngineOptions& o, Source& src, pg::Connection& log,
                       const std::string& schema, const TablePlan& t) {
  TableChanges c;
  c.t = &t;
  c.started = log.Execute("SELECT clock_timestamp()::text").GetString(0, 0);
  Differ d(o, src, schema, t);
  d.collect = true;
  d.report.table = t.name;
  if (o.watermark_only) {
    // Append-only pass: source rows past the target's key maximum. No full read of either
    // side, so updates and deletes are not seen (run a plain sync for those).
    c.mode = "pk-watermark";
    auto w = d.conn.Execute("SELECT max(" + Quote(t.primary_key[0]) + ") FROM " +
                            Qualified(schema, t.name));
    std::optional<int64_t> lo;
    if (!w.IsNull(0, 0)) lo = w.GetInt(0, 0) + 1;
    d.MergeRange(lo, std::nullopt, true);
  } else if (!o.watermark.empty()) {
    auto [col, kind] = WatermarkColumn(o, src, t);
    c.mode = kind;
    auto last = log.Execute(
        "SELECT watermark FROM staging.migration_sync_log WHERE target_schema = $1 AND "
        "table_name = $2 AND mode = $3 AND watermark IS NOT NULL ORDER BY id DESC LIMIT 1",
        schema, t.name, c.mode);
    std::optional<std::string> since;
    if (last.Rows()) {
      since = last.GetString(0, 0);
    } else if (kind == "updated-at") {
      // First pass: the copy brought everything up to the target's maximum.
      auto m = log.Execute("SELECT max(" + Quote(t.columns[col].name) + ")::text FROM " +
                           Qualified(schema, t.name));
      if (!m.IsNull(0, 0)) {
        std::string canon;
        CanonicalFromPg(t.columns[col], m.GetString(0, 0), &canon);
        since = canon;
      }
    }
    c.watermark = d.KeyMerge(col, since, kind == "rowid");
    if (!c.watermark) c.watermark = since;
  } else if (t.primary_key.empty()) {
    c.mode = "row-hash";
    d.RowHashMerge();
  } else {
    d.Run();
  }
  c.to_upsert = std::move(d.to_upsert);
  c.to_delete = std::move(d.to_delete);
  c.new_rejects = std::move(d.new_rejects);
  c.carried = std::move(d.carried);
  return c;
}

// Inserts and updates one table's missing and changed rows, in the pass's transaction.
void Upsert(pg::Connection& conn, const std::string& schema, TableChanges& c,
            SyncTableResult* res) {
  const TablePlan& t = *c.t;
  if (c.to_upsert.empty()) return;
  std::string q = Qualified(schema, t.name);
  conn.ExecScript("CREATE TEMP TABLE corrente_sync_rows (LIKE " + q + ")");
  {
    pg::CopyWriter w(
        conn, "COPY corrente_sync_rows (" + WrittenColumnList(t) + ") FROM STDIN (FORMAT binary)");
    for (const auto& r : c.to_upsert) WriteRow(w, t.columns, r.values);
    w.Finish();
  }
  c.to_upsert.clear();
  std::string insert = "INSERT INTO " + q + " (" + WrittenColumnList(t) +
                       ") OVERRIDING SYSTEM VALUE SELECT " + WrittenColumnList(t) +
                       " FROM corrente_sync_rows";
  if (t.primary_key.empty()) {
    res->inserted += conn.ExecScript(insert).AffectedRows();
  } else {
    std::string set, old_row, new_row;
    for (const auto& col : t.columns)
      if (!col.generated_sql &&
          std::find(t.primary_key.begin(), t.primary_key.end(), col.name) == t.primary_key.end()) {
        set += (set.empty() ? "" : ", ") + Quote(col.name) + " = EXCLUDED." + Quote(col.name);
        old_row += (old_row.empty() ? "" : ", ") + q + "." + Quote(col.name);
        new_row += (new_row.empty() ? "" : ", ") + std::string("EXCLUDED.") + Quote(col.name);
      }
    // Rows equal to the target's (a watermark pass re-reads its boundary) are not updated.
    auto r = conn.Execute(insert + " ON CONFLICT (" + ConflictTarget(conn, schema, t) + ") " +
                          (set.empty() ? "DO NOTHING"
                                       : "DO UPDATE SET " + set + " WHERE ROW(" + old_row +
                                             ") IS DISTINCT FROM ROW(" + new_row + ")") +
                          " RETURNING (xmax = 0)");
    for (int i = 0; i < r.Rows(); ++i) (r.GetBool(i, 0) ? res->inserted : res->updated)++;
  }
  conn.ExecScript("DROP TABLE corrente_sync_rows");
}

// Deletes one table's extra rows, in the pass's transaction.
void DeleteExtra(pg::Connection& conn, const std::string& schema, TableChanges& c,
                 SyncTableResult* res) {
  const TablePlan& t = *c.t;
  std::string q = Qualified(schema, t.name);
  for (const auto& key : c.to_delete) {
    if (t.primary_key.empty()) {
      // Whole-row pass: extra rows go by ctid, read before this transaction, and only while
      // they still hold the values diffed.
      int64_t n =
          conn.Execute("DELETE FROM " + q +
                           " t USING (SELECT (x->>0)::tid AS corrente_ctid,"
                           " x->>1 AS corrente_row FROM jsonb_array_elements($1::jsonb) x) d"
                           " WHERE t.ctid = d.corrente_ctid AND ROW(" +
                           ColumnList(t, "t.") + ")::text = d.corrente_row",
                       key.at(0))
              .AffectedRows();
      if (std::to_string(n) != key.at(1))
        throw std::runtime_error("sync: table " + t.name +
                                 " changed in PostgreSQL while it was compared; run sync again");
      res->deleted += n;
      continue;
    }
    std::vector<pg::Param> params;
    std::string where;
    for (size_t k = 0; k < key.size(); ++k) {
      where += (k ? " AND " : "") + Quote(t.primary_key[k]) + "::text = $" + std::to_string(k + 1);
      params.push_back(key[k]);
    }
    res->deleted += conn.Exec("DELETE FROM " + q + " WHERE " + where, params).AffectedRows();
  }
  c.to_delete.clear();
}

// A table without a key but with a unique index: an edited row is an extra row and a missing
// one with the same unique values, so the extra goes first (inserted first, the new row hit
// the old one's unique entry and the whole pass failed).
bool DeletesFirst(const TablePlan& t) {
  return t.primary_key.empty() && std::any_of(t.indexes.begin(), t.indexes.end(),
                                              [](const IndexPlan& ix) { return ix.unique; });
}

// Deletes one table's extra rows (those DeleteExtra left) and logs its pass.
void DeleteAndLog(pg::Connection& conn, const std::string& schema, TableChanges& c,
                  SyncTableResult* res) {
  const TablePlan& t = *c.t;
  std::string q = Qualified(schema, t.name);
  DeleteExtra(conn, schema, c, res);
  if (c.watermark) {
    res->watermark = *c.watermark;
  } else if (!t.primary_key.empty()) {
    auto wm = conn.Execute("SELECT max(" + Quote(t.primary_key[0]) + ")::text FROM " + q);
    res->watermark = wm.IsNull(0, 0) ? "" : wm.GetString(0, 0);
  }
  conn.Execute(
      "INSERT INTO staging.migration_sync_log (target_schema, table_name, mode, started_at, "
      "finished_at, rows_inserted, rows_updated, rows_deleted, watermark) VALUES ($1, $2, $3, "
      "$4::timestamptz, clock_timestamp(), $5, $6, $7, $8)",
      schema, t.name, c.mode, c.started, res->inserted, res->updated, res->deleted,
      res->watermark);
}

// Referenced tables before the tables that reference them (a cycle keeps the plan's order).
std::vector<size_t> ParentsFirst(const std::vector<const TablePlan*>& tables) {
  std::vector<size_t> order;
  std::vector<int> state(tables.size());  // 0 new, 1 visiting, 2 placed
  std::function<void(size_t)> visit = [&](size_t i) {
    if (state[i]) return;
    state[i] = 1;
    for (const auto& fk : tables[i]->foreign_keys)
      for (size_t j = 0; j < tables.size(); ++j)
        if (j != i && tables[j]->name == fk.ref_table) visit(j);
    state[i] = 2;
    order.push_back(i);
  };
  for (size_t i = 0; i < tables.size(); ++i) visit(i);
  return order;
}

}  // namespace

// One schema of the source (RunSync goes on to the others).
static std::vector<SyncTableResult> SyncOne(const EngineOptions& opts);

std::vector<SyncTableResult> RunSync(const EngineOptions& opts) {
  auto held = HoldSource(opts);
  std::vector<SyncTableResult> r = SyncOne(opts);
  for (const auto& part : SchemaParts(opts))  // another schema of the source: its own pass
    for (auto& t : SyncOne(part)) {
      t.table = part.schema + "." + t.table;
      r.push_back(std::move(t));
    }
  return r;
}

static std::vector<SyncTableResult> SyncOne(const EngineOptions& opts) {
  const EngineOptions o = WithRecordedMapping(opts);
  auto ctx = OpenContext(o);
  const std::string& schema = ctx.schema;
  std::vector<const TablePlan*> tables;
  for (const auto& t : ctx.plans) {
    if (t.primary_key.empty() && (o.watermark_only || !o.watermark.empty())) {
      spdlog::warn(
          "sync: table {} has no primary key, so no watermark; skipped (a plain sync "
          "compares its whole rows)",
          t.name);
      continue;
    }
    if (o.watermark_only) {
      const ColumnPlan* key = nullptr;
      for (const auto& c : t.columns)
        if (t.primary_key.size() == 1 && c.name == t.primary_key[0]) key = &c;
      if (!key || (key->type != PgType::kBigInt && key->type != PgType::kInteger &&
                   key->type != PgType::kSmallInt)) {
        spdlog::warn("sync --watermark-only: table {} has no single integer key; skipped", t.name);
        continue;
      }
    }
    tables.push_back(&t);
  }
  std::vector<SyncTableResult> results(tables.size());
  for (size_t i = 0; i < tables.size(); ++i) results[i].table = tables[i]->name;
  // The whole pass is one transaction: every table's changes or none. A failure marks the
  // table that failed and rolls the others back with it.
  size_t at = 0;
  try {
    auto conn = OpenTarget(o.dsn);
    std::vector<TableChanges> changes;
    for (at = 0; at < tables.size(); ++at)
      changes.push_back(DiffTable(o, *ctx.source, conn, schema, *tables[at]));
    auto order = ParentsFirst(tables);
    {
      pg::Transaction tx(conn);
      conn.ExecScript("SET LOCAL corrente.sync = 'on'");  // ON UPDATE triggers keep source values
      // Foreign keys (DEFERRABLE since copy makes them so) are checked at the commit: a row
      // deleted first (DeletesFirst) may be referenced until its new version is in.
      conn.ExecScript("SET CONSTRAINTS ALL DEFERRED");
      for (auto it = order.rbegin(); it != order.rend(); ++it)
        if (DeletesFirst(*tables[*it])) {
          at = *it;
          DeleteExtra(conn, schema, changes[*it], &results[*it]);
        }
      for (size_t i : order) {
        at = i;
        Upsert(conn, schema, changes[i], &results[i]);
      }
      for (auto it = order.rbegin(); it != order.rend(); ++it) {
        at = *it;
        DeleteAndLog(conn, schema, changes[*it], &results[*it]);
      }
      for (size_t i = 0; i < tables.size(); ++i) {
        at = i;
        RecordRejects(conn, schema, tables[i]->name, changes[i].new_rejects, changes[i].carried);
      }
      at = tables.size();
      tx.Commit();
    }
    for (size_t i = 0; i < tables.size(); ++i)
      SetIdentities(conn, Qualified(schema, tables[i]->name), *tables[i]);
  } catch (const pg::Error& e) {
    std::string failed = at < tables.size() ? tables[at]->name : "the commit";
    spdlog::error("sync {}: {}", failed, e.what());
    for (size_t i = 0; i < results.size(); ++i) {
      results[i] = SyncTableResult();
      results[i].table = tables[i]->name;
      results[i].error = i == at ? std::string(e.what()) : kSyncPassRolledBack + failed + ")";
    }
  }
  return results;
}

std::string RenderStatus(const std::string& dsn) {
  auto conn = OpenTarget(dsn);
  std::ostringstream out;
  // A table still loading in key ranges shows the ranges in ("loading 2/5") and their rows.
  auto t = conn.Execute(
      "SELECT m.target_schema, m.table_name, CASE WHEN m.status = 'loading' THEN 'loading ' || "
      "r.done || '/' || r.n ELSE m.status END, CASE WHEN m.status = 'loading' THEN r.rows ELSE "
      "m.rows_loaded END, CASE WHEN m.status = 'loading' THEN r.rejected ELSE m.rows_rejected "
      "END, coalesce(round(CASE WHEN m.status = 'loading' THEN r.seconds ELSE m.seconds "
      "END::numeric, 2), 0) FROM staging.migration_tables m LEFT JOIN LATERAL (SELECT "
      "count(*) FILTER (WHERE done) AS done, count(*) AS n, coalesce(sum(rows_loaded), 0) AS "
      "rows, coalesce(sum(rows_rejected), 0) AS rejected, sum(seconds) AS seconds FROM "
      "staging.migration_ranges x WHERE x.target_schema = m.target_schema AND x.table_name = "
      "m.table_name) r ON true ORDER BY 1, 2");
  char line[512];
  std::snprintf(line, sizeof line, "%-20s %-28s %-12s %12s %8s %8s\n", "schema", "table", "status",
                "rows", "rejects", "seconds");
  out << line;
  for (int i = 0; i < t.Rows(); ++i) {
    std::snprintf(line, sizeof line, "%-20s %-28s %-12s %12s %8s %8s\n", t.GetString(i, 0).c_str(),
                  t.GetString(i, 1).c_str(), t.GetString(i, 2).c_str(), t.GetString(i, 3).c_str(),
                  t.GetString(i, 4).c_str(), t.GetString(i, 5).c_str());
    out << line;
  }
  if (t.Rows() == 0) out << "(no migrations recorded)\n";
  auto v = conn.Execute(
      "SELECT DISTINCT ON (target_schema) target_schema, ok, verified_at::text, source_url FROM "
      "staging.migration_verify ORDER BY target_schema, verified_at DESC");
  for (int i = 0; i < v.Rows(); ++i)
    out << "last verify of " << v.GetString(i, 0) << ": " << (v.GetBool(i, 1) ? "OK" : "MISMATCH")
        << " at " << v.GetString(i, 2) << " (" << v.GetString(i, 3) << ")\n";
  // The lag of a `sync --follow`: source changes older than the last pass's start are in.
  auto lag = conn.Execute(
      "SELECT target_schema, extract(epoch FROM now() - max(started_at))::bigint,"
      " max(finished_at)::text FROM staging.migration_sync_log GROUP BY 1 ORDER BY 1");
  for (int i = 0; i < lag.Rows(); ++i)
    out << "sync lag of " << lag.GetString(i, 0) << ": " << lag.GetString(i, 1)
        << " s (the last pass started then; finished " << lag.GetString(i, 2) << ")\n";
  auto s = conn.Execute(
      "SELECT target_schema, table_name, finished_at::text, rows_inserted, rows_updated, "
      "rows_deleted, "
      "coalesce(watermark, '') FROM staging.migration_sync_log ORDER BY id DESC LIMIT 10");
  for (int i = 0; i < s.Rows(); ++i)
    out << "sync " << s.GetString(i, 0) << "." << s.GetString(i, 1) << " at " << s.GetString(i, 2)
        << ": +" << s.GetString(i, 3) << " ~" << s.GetString(i, 4) << " -" << s.GetString(i, 5)
        << " watermark " << s.GetString(i, 6) << "\n";
  return out.str();
}

}  // namespace corrente::migrate
