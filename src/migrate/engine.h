#pragma once
// The migration engine: copy, verify, diff, sync and status over a Source and a
// PostgreSQL DSN. Each entry point opens its own connections (one per worker) and is safe
// to run again after a crash: progress lives in staging.migration_* and every table load
// is one transaction (DROP/CREATE + COPY + state row), so a kill -9 leaves either the
// whole table or nothing.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "migrate/plan.h"

namespace corrente::migrate {

struct EngineOptions {
  std::string dsn;
  std::string source_url;
  std::string schema;  // empty: the source's name, sanitized
  std::vector<std::string> tables;
  int jobs = 2;
  ZeroDatePolicy zero_dates = ZeroDatePolicy::kNull;
  bool fresh = false;           // copy: drop the target schema and its state first
  bool watermark_only = false;  // sync: only append rows past the integer key maximum
  bool verify = false;          // copy: run verify too, overlapping the index builds
  std::string manifest;         // copy: write the SHA-256 manifest here (manifest.h)
  // copy: tables of more rows than this load in key ranges of about this many rows, one
  // transaction each (a crash then loses one range); 0: whole tables only.
  int64_t range_rows = 1'000'000;
  std::string watermark;  // sync: "updated_at=COL" or "rowid" (see RunSync)
  // verify: rows refused at copy (conversion or PostgreSQL) make a table fail unless this
  // is set; the report then says they were accepted.
  bool accept_rejects = false;
  // plan: keep each declared type and refuse the rows it cannot hold, instead of choosing
  // a type that holds every value (SQLite, where a declared type is only an affinity).
  bool strict = false;
  InvalidTextPolicy invalid_text = InvalidTextPolicy::kReject;
  std::vector<std::string> renames;  // PlanOptions::renames
  // Any of zero_dates, invalid_text, strict, renames given by the user. When none is, a
  // command takes the ones the copy of its schema recorded (WithRecordedMapping).
  bool mapping_given = false;
  // copy: on a Citus target, distribute the copied tables by this column (migrate/distribute.h)
  std::string distribute_by;
};

struct ColumnStats {
  std::string name;
  int64_t nulls = 0;
  std::optional<std::string> min, max;  // canonical text
  long double sum = 0;
  bool summed = false;
  long double min_value = 0, max_value = 0;  // numeric columns: min/max as numbers
};

constexpr size_t kRefusalsShown = 5;

struct SideStats {
  int64_t rows = 0;
  uint64_t checksum = 0;  // sum of 64-bit row hashes: order-independent
  int64_t rejected = 0;   // source side: rows the conversion refuses (they go to rejects)
  std::vector<std::string> refusals;  // source side: the first few of them, "key: reason"
  std::vector<ColumnStats> columns;
};

struct TableVerify {
  std::string table;
  SideStats source, target;
  int64_t rejects_recorded = 0;
  std::vector<std::string> reject_keys;  // the first few recorded rejects' keys
  bool rejects_accepted = false;         // --accept-rejects: recorded rejects do not fail it
  std::vector<std::string> mismatches;
  std::vector<std::string> notes;  // facts that do not fail it (a left-out foreign key's orphans)
  bool Ok() const { return mismatches.empty(); }
};

struct VerifyReport {
  std::string schema;
  std::vector<TableVerify> tables;
  bool Ok() const;
  std::string Render() const;
  std::string Json() const;
};

struct CopyReport {
  std::string schema;
  int tables_loaded = 0;
  int tables_skipped = 0;  // already loaded by an earlier (interrupted) run
  int64_t rows = 0;
  int64_t rejected = 0;
  int64_t notes = 0;
  double seconds = 0;
  std::vector<std::string> warnings;
  std::optional<VerifyReport> verify;  // with EngineOptions::verify
  std::vector<std::string> placement;  // with EngineOptions::distribute_by: one line per change
  // With EngineOptions::manifest: tables hashed as they were sent, and read back from the
  // target (loaded by an earlier run, PostgreSQL refused rows, or keys not in text order).
  int manifest_hashed = 0, manifest_read_back = 0;
};

// Copies schema and data, then builds keys, indexes, checks and foreign keys, sets
// identities past the maximum and ANALYZEs. With `verify`, RunVerify starts as soon as the
// data is loaded and runs while the indexes are built. Throws on failures that stop the
// migration.
CopyReport RunCopy(const EngineOptions& options);

// Compares every table on both sides and records the result in staging.migration_verify.
VerifyReport RunVerify(const EngineOptions& options);

struct DiffReport {
  std::string table;
  std::vector<std::string> missing;  // in the source, not in the target
  std::vector<std::string> extra;    // in the target, not in the source
  std::vector<std::string> changed;
  int64_t segments_compared = 0;
  bool Equal() const { return missing.empty() && extra.empty() && changed.empty(); }
};

// Row-level diff of one table by primary key. Single integer keys bisect key ranges by
// checksum (fast when equal); other keys merge both sides in key order. Tables without a
// key (CSV files, MySQL heaps) compare whole rows as multisets: a changed row is one
// missing (labelled by the source, "line 7") and one extra (labelled by its values).
// `table` empty: every table, and a DuckDB file's other schemas after main (SchemaParts),
// their tables named "<target schema>.<table>" as verify's report names them; `table` may
// name one of those.
std::vector<DiffReport> RunDiff(const EngineOptions& options, const std::string& table);

struct SyncTableResult {
  std::string table;
  int64_t inserted = 0, updated = 0, deleted = 0;
  std::string watermark;
  std::string error;  // set when the pass failed: the table's error, or kSyncPassRolledBack
};
// The error of the tables rolled back with a pass in which another table failed; followed
// by that table's name and ")".
inline constexpr const char* kSyncPassRolledBack = "rolled back with the pass (it failed at ";

// One incremental pass per table with a key: the diff's missing and changed rows are
// upserted and its extra rows deleted (mode "diff"); with `watermark_only`, only source rows
// past the target's integer key maximum are appended (mode "pk-watermark"). With
// `watermark`, the source is read in key order against the target's keys: missing keys are
// inserted, extra keys deleted, and rows whose updated-at column is at or past the last
// logged watermark upserted (mode "updated-at"; "rowid" upserts no matched rows). Every
// table is compared first, then the whole pass is applied in one transaction (referenced
// tables' upserts first, deletes last), logged in staging.migration_sync_log: a failure
// leaves no table of the pass changed. Repeatable. Tables without a
// key are synced by whole rows (mode "row-hash": extra rows deleted by ctid, missing rows
// appended, so an edited row counts as one insert and one delete; never "updated"); the
// watermark modes skip them with a warning.
std::vector<SyncTableResult> RunSync(const EngineOptions& options);

// The SHA-256 manifest (manifest.h): written by copy, checked against the target alone or
// the source alone.
struct ManifestCheck {
  std::vector<std::string> lines;       // one per table and side: "Album target: OK"
  std::vector<std::string> mismatches;  // the lines that are not OK
  bool Ok() const { return mismatches.empty(); }
};
// Recomputes the manifest at `path` from the target (`target`) and/or the source (`source`).
ManifestCheck CheckManifest(const EngineOptions& options, const std::string& path, bool target,
                            bool source);

// Human-readable state of the migrations recorded in the target.
std::string RenderStatus(const std::string& dsn);
// `migrate plan`: the plan as text (RenderPlan), as a fresh copy would make it. With
// `o.dsn`, the target decides whether spatial columns become PostGIS geometry; with
// `show_state`, the type choices the copy recorded follow (recorded.h).
std::string RunPlan(const EngineOptions& o, bool show_state = false);

// Resolves the target schema name for `options` (explicit or from the source).
std::string ResolveSchema(const EngineOptions& options);

}  // namespace corrente::migrate
