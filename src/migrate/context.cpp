#include "migrate/context.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <optional>
#include <stdexcept>

#include "migrate/recorded.h"
#include "migrate/target.h"

namespace corrente::migrate {

namespace {

std::string SchemaOf(const EngineOptions& o, Source& src) {
  return o.schema.empty() ? src.DefaultSchemaName() : o.schema;
}

}  // namespace

std::string ResolveSchema(const EngineOptions& o) {
  if (!o.schema.empty()) return o.schema;
  return OpenSource(o.source_url)->DefaultSchemaName();
}

std::vector<EngineOptions> SchemaParts(const EngineOptions& o) {
  std::vector<EngineOptions> parts;
  if (!o.tables.empty() || o.source_url.rfind("duckdb://", 0) != 0 ||
      o.source_url.find('?') != std::string::npos)
    return parts;
  auto src = OpenSource(o.source_url);
  std::string main = SchemaOf(o, *src);
  for (const auto& name : src->OtherSchemas()) {
    EngineOptions p = o;
    p.source_url = o.source_url + "?schema=" + name;
    p.schema = SanitizeName(main + "_" + name);
    if (!o.manifest.empty()) p.manifest = o.manifest + "." + p.schema;
    parts.push_back(std::move(p));
  }
  return parts;
}

std::unique_ptr<Source> HoldSource(const EngineOptions& o) {
  if (o.source_url.rfind("duckdb://", 0) != 0) return nullptr;
  return OpenSource(o.source_url);
}

void MergePart(VerifyReport* r, VerifyReport p) {
  for (auto& t : p.tables) {
    t.table = p.schema + "." + t.table;
    r->tables.push_back(std::move(t));
  }
}

void MergePart(CopyReport* r, CopyReport p) {
  r->tables_loaded += p.tables_loaded;
  r->tables_skipped += p.tables_skipped;
  r->rows += p.rows;
  r->rejected += p.rejected;
  r->notes += p.notes;
  r->seconds += p.seconds;
  for (auto& w : p.warnings) r->warnings.push_back("schema " + p.schema + ": " + w);
  r->warnings.push_back("schema " + p.schema + " (another schema of the source): " +
                        std::to_string(p.tables_loaded) + " tables loaded, " +
                        std::to_string(p.rows) + " rows");
  if (r->verify && p.verify) MergePart(&*r->verify, std::move(*p.verify));
  r->manifest_hashed += p.manifest_hashed;
  r->manifest_read_back += p.manifest_read_back;
}

EngineOptions WithRecordedMapping(const EngineOptions& o) {
  if (o.mapping_given || o.dsn.empty()) return o;
  EngineOptions r = o;
  auto conn = OpenTarget(o.dsn);
  std::string schema = ResolveSchema(o);
  auto m = conn.Execute(
      "SELECT zero_dates, invalid_text, strict, array_to_string(renames, E'\\n') FROM "
      "staging.migration_options WHERE target_schema = $1",
      schema);
  if (m.Rows() == 0) return o;
  r.zero_dates = m.GetString(0, 0) == "error" ? ZeroDatePolicy::kError : ZeroDatePolicy::kNull;
  const std::string it = m.GetString(0, 1);
  r.invalid_text = it == "escape"  ? InvalidTextPolicy::kEscape
                   : it == "bytea" ? InvalidTextPolicy::kBytea
                                   : InvalidTextPolicy::kReject;
  r.strict = m.GetBool(0, 2);
  r.renames.clear();
  std::string all = m.GetString(0, 3), flags;
  for (size_t at = 0; !all.empty() && at <= all.size();) {
    size_t nl = std::min(all.find('\n', at), all.size());
    r.renames.push_back(all.substr(at, nl - at));
    flags += " --rename " + r.renames.back();
    at = nl + 1;
  }
  flags = "--zero-dates " + m.GetString(0, 0) + " --invalid-text " + m.GetString(0, 1) +
          (r.strict ? " --strict" : "") + flags;
  spdlog::info("schema {}: the copy's mapping options: {}", schema, flags);
  return r;
}

void RecordMapping(pg::Connection& conn, const std::string& schema, const EngineOptions& o) {
  conn.Execute(
      "INSERT INTO staging.migration_options (target_schema, zero_dates, invalid_text, strict, "
      "renames) VALUES ($1, $2, $3, $4, coalesce(string_to_array(NULLIF($5, ''), E'\\n'), '{}')) "
      "ON CONFLICT (target_schema) DO UPDATE SET zero_dates = EXCLUDED.zero_dates, invalid_text = "
      "EXCLUDED.invalid_text, strict = EXCLUDED.strict, renames = EXCLUDED.renames, "
      "recorded_at = now()",
      schema, std::string(o.zero_dates == ZeroDatePolicy::kError ? "error" : "null"),
      std::string(o.invalid_text == InvalidTextPolicy::kEscape  ? "escape"
                  : o.invalid_text == InvalidTextPolicy::kBytea ? "bytea"
                                                                : "reject"),
      o.strict,
      [&] {
        std::string all;
        for (const auto& r : o.renames) all += (all.empty() ? "" : "\n") + r;
        return all;
      }());
}

bool TargetHasPostgis(pg::Connection& conn) {
  return conn.Execute("SELECT 1 FROM pg_extension WHERE extname = 'postgis'").Rows() > 0;
}

PlanOptions PlanOptionsOf(const EngineOptions& o) {
  PlanOptions po;
  po.zero_dates = o.zero_dates;
  po.strict = o.strict;
  po.invalid_text = o.invalid_text;
  po.renames = o.renames;
  po.tables = o.tables;
  return po;
}

std::string RunPlan(const EngineOptions& o, bool show_state) {
  auto ctx = OpenContext(o, /*recorded=*/false, /*check_all_text=*/true);
  std::string out = RenderPlan(ctx.plans, ctx.schema);
  if (o.tables.empty()) {
    std::string lines;
    for (const auto& w : ctx.source->NotCarried()) lines += "-- WARNING " + w + "\n";
    out.insert(out.rfind("\n-- ") + 1, lines.empty() ? "" : "\n" + lines);
  }
  if (!show_state) return out;
  std::string state;
  if (!o.dsn.empty()) {
    try {
      auto conn = OpenTarget(o.dsn);
      state = RenderChoices(conn, ctx.schema);
    } catch (const std::exception& e) {
      state = std::string("(the target is not reachable: ") + e.what() + ")\n";
    }
  }
  out += "\n-- the copy's recorded type choices (staging.migration_columns):\n";
  if (o.dsn.empty()) state = "(no target database: none configured or running)\n";
  if (state.empty()) state = "(none: schema " + ctx.schema + " has not been copied)\n";
  for (size_t at = 0; at < state.size();) {
    size_t nl = std::min(state.find('\n', at), state.size());
    out += "-- " + state.substr(at, nl - at) + "\n";
    at = nl + 1;
  }
  return out;
}

SourceContext OpenContext(const EngineOptions& o, bool recorded, bool check_all_text) {
  SourceContext ctx;
  ctx.source = OpenSource(o.source_url);
  ctx.schema = SchemaOf(o, *ctx.source);
  PlanOptions po = PlanOptionsOf(o);
  po.check_all_text = check_all_text;
  std::optional<pg::Connection> conn;
  if (!o.dsn.empty()) {
    try {
      conn.emplace(OpenTarget(o.dsn));
      po.postgis = TargetHasPostgis(*conn);
    } catch (const std::exception& e) {
      conn.reset();
      spdlog::warn("target not reachable ({}): spatial columns planned as bytea", e.what());
    }
  }
  ctx.plans = BuildPlan(*ctx.source, po);
  if (conn && recorded && !o.fresh) ApplyRecordedChoices(*conn, ctx.schema, &ctx.plans);
  for (const auto& name : o.tables)
    if (std::none_of(ctx.plans.begin(), ctx.plans.end(),
                     [&](const TablePlan& p) { return p.name == name; }))
      throw std::runtime_error("no table '" + name + "' in the source");
  return ctx;
}

}  // namespace corrente::migrate
