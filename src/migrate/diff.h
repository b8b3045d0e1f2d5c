#pragma once
// The row-level comparison of one table behind `migrate diff`, shared with sync, which
// collects the differing rows (`collect`) and applies them. Internal to src/migrate. Not
// thread-safe: it reads the borrowed Source and owns one target connection.
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "migrate/canon.h"
#include "migrate/engine.h"
#include "migrate/target.h"
#include "pg/pg.h"

namespace corrente::migrate {

struct KeyedRow {
  std::vector<std::string> key;
  uint64_t hash = 0;
  std::vector<TargetValue> values;  // source rows only, when collected
};

struct Differ {
  Differ(const EngineOptions& opts, Source& source, std::string target_schema,
         const TablePlan& table);
  // False for rows that are not in the target by design (rejected at load).
  bool Convert(RowCursor& cur, const ConvertContext& ctx, std::vector<TargetValue>* vals,
               std::vector<std::string>* notes);
  const EngineOptions& o;
  std::string schema;
  const TablePlan& t;
  std::vector<int> kidx;
  Source& src;
  pg::Connection conn;
  std::set<std::string> refused;
  std::set<std::string> unconvertible;  // source rows the plan cannot hold, warned once each
  std::set<std::string> rejected;       // keys of conversion rejects already recorded
  std::vector<RejectRow> new_rejects;   // unconvertible rows not yet recorded
  std::set<std::string> carried;        // recorded rejects that convert now (sync clears them)
  bool collect = false;
  DiffReport report;
  std::vector<KeyedRow> to_upsert;
  std::vector<std::vector<std::string>> to_delete;

  std::string Where(std::optional<int64_t> lo, std::optional<int64_t> hi) const;
  // One row read from either side: counted into `stats`, or keyed and passed to `fn`.
  void Emit(const CanonRow& canon, const std::vector<TargetValue>* vals,
            const std::function<void(KeyedRow&&)>& fn, SideStats* stats);
  // Each source row that converts (and was not refused), with its canonical row.
  void ForEachSource(const std::vector<std::string>& order_by, std::optional<KeyRange> range,
                     const std::function<void(const RowCursor&, const std::vector<TargetValue>&,
                                              const CanonRow&)>& fn);
  // Reads one side in key order; calls `fn` per row.
  void ReadSource(std::optional<KeyRange> range, const std::function<void(KeyedRow&&)>& fn,
                  SideStats* stats);
  void ReadTarget(const std::string& where, const std::function<void(KeyedRow&&)>& fn,
                  SideStats* stats);
  // Merges both sides of a range in key order, streaming: memory is two rows plus the
  // differing rows collected for sync.
  void MergeRange(std::optional<int64_t> lo, std::optional<int64_t> hi, bool ranged);
  // Watermark pass: the source in key order against the target's keys only. Missing keys
  // are inserted, extra keys deleted (the diff that finds deletions), and rows whose column
  // `wm_col` is at or past `since` upserted (none with `rowid`: SQLite keeps the rowid of an
  // updated row). Returns the column's new maximum.
  std::optional<std::string> KeyMerge(int wm_col, const std::optional<std::string>& since,
                                      bool rowid);
  // Tables without a primary key (CSV files, MySQL heaps): both sides as multisets of whole
  // rows. A source row matches one target row of the same row hash; unmatched source rows
  // are missing (labelled by the source: "line 7"), unmatched target rows extra (labelled
  // by their values; sync deletes them by ctid, kept in to_delete). A changed row shows as
  // one missing and one extra. Equal tables stream (count and checksum per side, as
  // verify); otherwise memory is one hash and ctid per target row.
  void RowHashMerge();
  // Keys a merge saw both as missing and as extra (with their row hashes): one row on both
  // sides, met out of order because the source sorted it unlike the target's COLLATE "C"
  // (a SQLite key holding numbers and text sorts by type first). Such a key is never
  // deleted: it is changed (upserted) or, when the hashes are known and equal, dropped.
  using KeyHashes = std::map<std::vector<std::string>, uint64_t>;
  void PairKeys(const KeyHashes& missing, const KeyHashes& extra, bool hashes_known);
  // Bisects [lo, hi) of a single integer key by count and checksum down to small ranges.
  void Bisect(int64_t lo, int64_t hi);
  // The whole table: equal checksums end it; otherwise bisect (integer key) or merge.
  void Run();
};

// Records `added` (a Differ's new_rejects) in staging.migration_rejects and drops the
// conversion rejects of the keys in `cleared` (rows sync carries now); on `conn`, in its
// transaction if one is open.
void RecordRejects(pg::Connection& conn, const std::string& schema, const std::string& table,
                   const std::vector<RejectRow>& added, const std::set<std::string>& cleared);

}  // namespace corrente::migrate
