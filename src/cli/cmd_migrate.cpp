// corrente migrate plan|copy|map|verify|diff|sync|status: legacy stores into PostgreSQL.
#include <atomic>
#include <csignal>
#include <cstdio>
#include <iostream>

#include <boost/json.hpp>

#include "cli/commands.h"
#include "migrate/engine.h"
#include "migrate/follow.h"
#include "migrate/mapping.h"

namespace corrente::cli {
namespace {

// Set by SIGINT/SIGTERM: `sync --follow` finishes its pass (or wait) and exits.
std::atomic<bool> g_follow_stop{false};
extern "C" void StopFollowing(int) { g_follow_stop.store(true); }

struct MigrateFlags {
  std::string source;
  std::string schema;
  std::vector<std::string> tables;
  int jobs = 2;
  std::string zero_dates = "null";
  bool fresh = false;
  bool watermark_only = false;
  bool verify = false;
  int64_t range_rows = migrate::EngineOptions{}.range_rows;
  std::string distribute_by;
  std::string watermark;
  bool json = false;
  std::string table;
  std::string mapping;
  bool accept_rejects = false;
  bool strict = false;
  std::string invalid_text = "reject";
  std::string manifest;
  std::vector<std::string> renames;
  std::string manifest_side = "both";
  bool follow = false;
  bool show_state = false;
  double interval = 5;
  int64_t max_passes = 0;
  bool mapping_given = false;  // any of --zero-dates, --invalid-text, --strict, --rename
};

migrate::EngineOptions Options(const MigrateFlags& f, bool need_db) {
  migrate::EngineOptions o;
  if (need_db) o.dsn = ConnectDsn(LoadConfig(), /*migrate=*/true, cluster::DbRole::kMigrate);
  o.source_url = f.source;
  o.schema = f.schema;
  o.tables = f.tables;
  o.jobs = f.jobs;
  o.fresh = f.fresh;
  o.watermark_only = f.watermark_only;
  o.verify = f.verify;
  o.range_rows = f.range_rows;
  o.watermark = f.watermark;
  o.accept_rejects = f.accept_rejects;
  o.strict = f.strict;
  o.renames = f.renames;
  o.mapping_given = f.mapping_given;
  o.distribute_by = f.distribute_by;
  if (f.invalid_text == "reject")
    o.invalid_text = migrate::InvalidTextPolicy::kReject;
  else if (f.invalid_text == "escape")
    o.invalid_text = migrate::InvalidTextPolicy::kEscape;
  else if (f.invalid_text == "bytea")
    o.invalid_text = migrate::InvalidTextPolicy::kBytea;
  else
    throw std::runtime_error("--invalid-text must be 'reject', 'escape' or 'bytea'");
  if (f.zero_dates == "error")
    o.zero_dates = migrate::ZeroDatePolicy::kError;
  else if (f.zero_dates == "null")
    o.zero_dates = migrate::ZeroDatePolicy::kNull;
  else
    throw std::runtime_error("--zero-dates must be 'null' or 'error'");
  return o;
}

void AddSource(CLI::App* cmd, MigrateFlags& f, bool with_tables) {
  auto given = [&f](const std::string&) { f.mapping_given = true; };
  cmd->add_option(
         "source", f.source,
         "sqlite:///path.db, mysql://user:pass@host:port/db, duckdb:///path.duckdb or csv:///dir")
      ->required();
  cmd->add_option("--schema", f.schema, "Target schema (default: the source's name, sanitized)");
  cmd->add_option("--zero-dates", f.zero_dates,
                  "MySQL zero dates: 'null' (and a note) or 'error' (reject the row)")
      ->capture_default_str()
      ->each(given);
  cmd->add_option("--invalid-text", f.invalid_text,
                  "Text that is not UTF-8 (in its declared charset): 'reject' the row, or "
                  "'escape' each invalid byte as \\xNN (and a note), or 'bytea': a text column "
                  "whose scanned values (SQLite) are not all UTF-8 becomes bytea; verify uses "
                  "the same")
      ->capture_default_str()
      ->each(given);
  cmd->add_flag("--strict", f.strict,
                "Keep each declared type and refuse the rows it cannot hold (SQLite); by "
                "default the plan scans the values and picks a type that holds them all")
      ->each(given);
  cmd->add_option("--rename", f.renames,
                  "Target name of a source table or column: table=name or table.column=name "
                  "(names equal within PostgreSQL's 63 bytes are renamed by themselves)")
      ->each(given);
  if (with_tables) {
    cmd->add_option("--tables", f.tables, "Only these tables");
    cmd->add_option("--jobs", f.jobs, "Parallel workers (tables, key ranges, index builds)")
        ->capture_default_str()
        ->check(CLI::Range(1, 64));
  }
}

}  // namespace

void RegisterMigrateCommand(CLI::App& app, int& exit_code) {
  static MigrateFlags f;
  auto* m = app.add_subcommand("migrate",
                               "Move a legacy store (SQLite, MySQL, DuckDB, CSV) into PostgreSQL");
  m->require_subcommand(1);

  auto* plan = m->add_subcommand(
      "plan", "Print the target DDL, every type decision and warnings; writes nothing");
  AddSource(plan, f, true);
  plan->add_flag("--show-state", f.show_state,
                 "Also list the type choices the copy of this schema recorded (verify, diff, "
                 "sync and a resumed copy use those)");
  plan->callback([&] {
    auto o = Options(f, false);
    // The target, when one is reachable without starting it, says whether it has PostGIS.
    try {
      o.dsn = cluster::ResolveDsn(LoadConfig(), false, cluster::DbRole::kAdmin);
    } catch (const std::exception&) {
    }
    std::cout << migrate::RunPlan(o, f.show_state);
  });

  auto* copy =
      m->add_subcommand("copy", "Faithful copy of schema and data; resumable after a crash");
  AddSource(copy, f, true);
  copy->add_flag("--fresh", f.fresh, "Drop the target schema and its migration state first");
  copy->add_flag("--verify", f.verify,
                 "Verify too (as migrate verify), while the indexes are built; exit 2 on mismatch");
  copy->add_option("--manifest", f.manifest,
                   "Write the SHA-256 manifest (rows and SHA-256 of the canonical rows per table and "
                   "key range, hashed as they are loaded) to this file");
  copy->add_flag("--accept-rejects", f.accept_rejects,
                 "With --verify: rows refused at copy do not fail it (the report lists them)");
  copy->add_option("--range-rows", f.range_rows,
                   "Load tables of more rows in key ranges of about this many, one transaction "
                   "each, so a crash loses one range (0: whole tables only)")
      ->capture_default_str()
      ->check(CLI::Range(int64_t{0}, int64_t{1} << 40));
  copy->add_option("--distribute-by", f.distribute_by,
                   "On a Citus target: distribute the copied tables that have this column by it "
                   "(co-located), the others as reference tables (docs/scale.md)");
  copy->callback([&] {
    auto opts = Options(f, true);
    opts.manifest = f.manifest;
    auto rep = migrate::RunCopy(opts);
    RecordLineage("MIGRATE_COPY", "schema", std::nullopt,
                  boost::json::serialize(boost::json::object{
                      {"source", RedactUrl(f.source)}, {"schema", rep.schema},
                      {"tables", rep.tables_loaded}, {"rows", rep.rows}, {"rejected", rep.rejected}}));
    for (const auto& w : rep.warnings) std::cerr << "warning: " << w << "\n";
    for (const auto& line : rep.placement) std::cout << "citus: " << line << "\n";
    std::cout << "copied into schema " << rep.schema << ": " << rep.tables_loaded
              << " tables loaded (" << rep.tables_skipped << " already done), " << rep.rows
              << " rows, " << rep.rejected << " rejected (staging.migration_rejects), " << rep.notes
              << " notes, " << rep.seconds << " s\n";
    if (rep.verify) {
      std::cout << rep.verify->Render();
      if (!rep.verify->Ok()) exit_code = 2;
    }
    if (!f.manifest.empty())
      std::cout << "manifest written to " << f.manifest << " (" << rep.manifest_hashed
                << " tables hashed as loaded, " << rep.manifest_read_back
                << " read back from the target)\n";
  });

  auto* verify =
      m->add_subcommand("verify", "Compare counts, checksums and column statistics on both sides");
  AddSource(verify, f, true);
  verify->add_flag("--json", f.json, "Print the report as JSON");
  verify->add_flag("--accept-rejects", f.accept_rejects,
                   "Rows refused at copy (staging.migration_rejects) do not fail the verify; the "
                   "report says they were accepted and lists their keys");
  verify->add_option("--manifest", f.manifest,
                     "Check a manifest written by copy --manifest instead: recompute it from the "
                     "target alone and from the source alone (see --manifest-side)");
  verify->add_option("--manifest-side", f.manifest_side, "target, source or both")
      ->capture_default_str()
      ->check(CLI::IsMember({"target", "source", "both"}));
  verify->callback([&] {
    if (!f.manifest.empty()) {
      auto check = migrate::CheckManifest(Options(f, true), f.manifest, f.manifest_side != "source",
                                          f.manifest_side != "target");
      for (const auto& l : check.lines) std::cout << l << "\n";
      std::cout << (check.Ok() ? "manifest: every table matches\n"
                               : "manifest: MISMATCH in " +
                                     std::to_string(check.mismatches.size()) + " checks\n");
      if (!check.Ok()) exit_code = 2;
      return;
    }
    auto rep = migrate::RunVerify(Options(f, true));
    std::cout << (f.json ? rep.Json() + "\n" : rep.Render());
    if (!rep.Ok()) exit_code = 2;
  });

  auto* diff = m->add_subcommand(
      "diff", "Row-level diff by primary key (whole rows when a table has none): one table, or "
              "every table of every schema");
  AddSource(diff, f, false);
  diff->add_option("--table", f.table,
                   "Only this table (of a DuckDB file's other schemas: TARGET_SCHEMA.TABLE, as "
                   "verify names them, e.g. shop_sales.orders). Without it: every table of every "
                   "schema, each key line prefixed with its table");
  diff->callback([&] {
    for (const auto& rep : migrate::RunDiff(Options(f, true), f.table)) {
      std::string of = f.table.empty() ? rep.table + " " : "";
      for (const auto& k : rep.missing) std::cout << "missing " << of << k << "\n";
      for (const auto& k : rep.extra) std::cout << "extra " << of << k << "\n";
      for (const auto& k : rep.changed) std::cout << "changed " << of << k << "\n";
      std::cout << "diff " << rep.table << ": " << rep.missing.size() << " missing, "
                << rep.extra.size() << " extra, " << rep.changed.size() << " changed ("
                << rep.segments_compared << " segments compared)\n";
      if (!rep.Equal()) exit_code = 2;
    }
  });

  auto* sync = m->add_subcommand(
      "sync",
      "Incremental catch-up: diff by key (whole rows without one), then upsert and delete; logged");
  AddSource(sync, f, true);
  sync->add_flag("--watermark-only", f.watermark_only,
                 "Only append rows past the integer key maximum (fast; no updates or deletes)");
  sync->add_option("--watermark", f.watermark,
                   "updated_at=COLUMN or rowid: upsert rows changed since the last pass, insert "
                   "missing keys, delete keys gone from the source");
  sync->add_flag("--follow", f.follow,
                 "Keep syncing until SIGINT/SIGTERM: a pass every --interval seconds, each "
                 "pass one transaction over all tables; back off and retry while the source or the "
                 "target is unavailable; print the lag after each pass");
  sync->add_option("--interval", f.interval, "With --follow: seconds between passes")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 86400.0));
  sync->add_option("--max-passes", f.max_passes, "With --follow: stop after this many passes")
      ->check(CLI::Range(int64_t{0}, int64_t{1} << 40));
  sync->callback([&] {
    // Lineage: one audit record per pass that changed rows.
    auto record = [&](const std::vector<migrate::SyncTableResult>& tables) {
      boost::json::object rows;
      for (const auto& r : tables)
        if (r.error.empty() && r.inserted + r.updated + r.deleted > 0)
          rows[r.table] = boost::json::object{{"inserted", r.inserted}, {"updated", r.updated}, {"deleted", r.deleted}};
      if (!rows.empty())
        RecordLineage("MIGRATE_SYNC", "schema", std::nullopt,
                      boost::json::serialize(boost::json::object{{"source", RedactUrl(f.source)}, {"rows", rows}}));
    };
    auto print_tables = [&](const std::vector<migrate::SyncTableResult>& tables, bool quiet) {
      for (const auto& r : tables) {
        if (!r.error.empty()) {
          if (quiet && r.error.rfind(migrate::kSyncPassRolledBack, 0) == 0) continue;
          std::cout << "sync " << r.table << ": FAILED (rolled back): " << r.error << "\n";
          continue;
        }
        if (quiet && r.inserted + r.updated + r.deleted == 0) continue;
        std::cout << "sync " << r.table << ": " << r.inserted << " inserted, " << r.updated
                  << " updated, " << r.deleted << " deleted, watermark " << r.watermark << "\n";
      }
    };
    if (!f.follow) {
      auto tables = migrate::RunSync(Options(f, true));
      record(tables);
      print_tables(tables, false);
      for (const auto& r : tables)
        if (!r.error.empty()) exit_code = 1;
      return;
    }
    std::signal(SIGINT, StopFollowing);
    std::signal(SIGTERM, StopFollowing);
    migrate::FollowOptions fo;
    fo.interval_seconds = f.interval;
    fo.max_passes = f.max_passes;
    bool last_failed = false;
    migrate::Follow(Options(f, true), fo, g_follow_stop, [&](const migrate::PassReport& p) {
      print_tables(p.tables, true);
      record(p.tables);
      int64_t ins = 0, upd = 0, del = 0;
      for (const auto& r : p.tables) ins += r.inserted, upd += r.updated, del += r.deleted;
      char lag[64] = "no pass has succeeded yet";
      if (p.lag_seconds >= 0) std::snprintf(lag, sizeof lag, "lag %.1f s", p.lag_seconds);
      char line[256];
      if (p.error.empty())
        std::snprintf(line, sizeof line,
                      "pass %lld: %lld inserted, %lld updated, %lld deleted over %zu tables in "
                      "%.2f s; %s; next in %.0f s",
                      static_cast<long long>(p.pass), static_cast<long long>(ins),
                      static_cast<long long>(upd), static_cast<long long>(del), p.tables.size(),
                      p.seconds, lag, p.next_in_seconds);
      else
        std::snprintf(line, sizeof line, "pass %lld FAILED after %.2f s; %s; retry in %.0f s: ",
                      static_cast<long long>(p.pass), p.seconds, lag, p.next_in_seconds);
      std::cout << line << (p.error.empty() ? "" : p.error) << std::endl;
      last_failed = !p.error.empty();
    });
    if (last_failed) exit_code = 1;
  });

  auto* status = m->add_subcommand("status", "What was copied, what is left, the last verify");
  status->callback([&] {
    std::cout << migrate::RenderStatus(ConnectDsn(LoadConfig(), true, cluster::DbRole::kMigrate));
  });

  auto* map = m->add_subcommand(
      "map", "Load a legacy store into core dimensions and facts with a mapping file");
  map->add_option("source", f.source, "Source URL")->required();
  map->add_option("--mapping", f.mapping, "Mapping file (JSON)")
      ->required()
      ->check(CLI::ExistingFile);
  map->callback([&] {
    std::string dsn = ConnectDsn(LoadConfig(), true, cluster::DbRole::kOwner);
    auto rep = migrate::RunMapping(dsn, f.source, f.mapping);
    boost::json::object rows;
    for (const auto& s : rep.steps) rows[s.target] = s.rows;
    RecordLineage("MIGRATE_MAP", "mapping", std::nullopt,
                  boost::json::serialize(boost::json::object{
                      {"source", RedactUrl(f.source)}, {"mapping", f.mapping}, {"rows", rows}}));
    for (const auto& s : rep.steps)
      std::cout << "map " << s.target << ": " << s.rows << " rows, " << s.rejected << " rejected\n";
  });
}

}  // namespace corrente::cli
