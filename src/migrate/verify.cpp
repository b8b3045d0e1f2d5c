#include "migrate/verify.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <set>
#include <sstream>

#include "common/json.h"
#include "common/url.h"
#include "migrate/canon.h"
#include "migrate/target.h"
#include "pg/copy_text.h"

namespace corrente::migrate {

namespace {

// `refused`: keys of rows PostgreSQL refused at load; they count as rejected.
SideStats SourceStats(const EngineOptions& o, const TablePlan& t,
                      const std::optional<KeyRange>& range, const std::set<std::string>& refused) {
  auto src = OpenSource(o.source_url);
  ConvertContext ctx{o.zero_dates, o.invalid_text};
  SideStats s = EmptyStats(t);
  auto cur = src->Scan(t.source, {}, range);
  std::vector<TargetValue> vals;
  std::vector<std::string> notes;
  CanonRow row;
  std::string reason, column;
  while (cur->Next()) {
    bool converts = ConvertRow(t, *cur, ctx, &vals, &notes, &reason, &column);
    if (!converts || (!refused.empty() && refused.count(cur->RowLabel()))) {
      ++s.rejected;
      if (!converts && s.refusals.size() < kRefusalsShown)
        s.refusals.push_back(cur->RowLabel() + ": " + reason);
      continue;
    }
    FillRow(t, vals, &row);
    Accumulate(t, row, &s);
  }
  return s;
}

SideStats TargetStats(pg::Pool& targets, const std::string& schema, const TablePlan& t,
                      const std::string& where) {
  auto conn = targets.Acquire();
  SideStats s = EmptyStats(t);
  pg::TextCopyReader rows(*conn, TargetSelect(t, schema, where, {}));
  CanonRow row;
  while (rows.Next()) {
    FillRow(t, rows, &row);
    Accumulate(t, row, &s);
  }
  return s;
}

// Tables at least this large are read in `jobs` key ranges (source) and page ranges (target).
// Test hook: CORRENTE_MIGRATE_TEST_SPLIT_ROWS lowers it, so small fixtures are split too.
int64_t SplitRows() {
  const char* v = std::getenv("CORRENTE_MIGRATE_TEST_SPLIT_ROWS");
  return v ? std::atoll(v) : 200000;
}

// One part of a verify: a key range of a table's source or a page range of its target.
struct VerifyPart {
  size_t table;
  bool source;
  std::optional<KeyRange> range;  // source
  std::string where;              // target: a ctid range
  int64_t weight;
};

std::vector<VerifyPart> SplitVerify(const EngineOptions& o, pg::Connection& conn, Source& src,
                                    const std::string& schema, const std::vector<TablePlan>& plans,
                                    const LoadedStats& loaded, std::vector<TableVerify>* tables) {
  int n = std::max(1, o.jobs);
  const int64_t split_rows = SplitRows();
  std::vector<VerifyPart> parts;
  for (size_t i = 0; i < plans.size(); ++i) {
    const auto& t = plans[i];
    int64_t rows = std::max<int64_t>(t.source.estimated_rows, 1);
    std::optional<KeyRange> bounds;
    bool taken = false;  // the source side was taken while loading
    if (auto it = loaded.find(t.name); it != loaded.end()) {
      (*tables)[i].source = it->second;
      taken = true;
    } else if (n > 1 && rows >= split_rows) {
      bounds = src.KeyBounds(t.source);
    }
    if (!taken && !bounds) {
      parts.push_back({i, true, std::nullopt, "", rows});
    } else if (bounds) {
      auto ranges = SplitKeyRange(*bounds, n);
      spdlog::info("verify {}: source in {} ranges of {}", t.name, ranges.size(), bounds->column);
      for (auto& r : ranges)
        parts.push_back({i, true, std::move(r), "", rows / static_cast<int64_t>(ranges.size())});
    }
    if (taken) spdlog::info("verify {}: source side taken while loading", t.name);
    if (!ExistsRelation(conn, schema, t.name)) {
      (*tables)[i].target.rows = -1;
      continue;
    }
    int64_t pages =
        conn.Execute("SELECT pg_relation_size($1::regclass) / current_setting('block_size')::int",
                     Qualified(schema, t.name))
            .GetInt(0, 0);
    int m = n > 1 && rows >= split_rows && pages >= n ? n : 1;
    for (int k = 0; k < m; ++k) {
      std::string w;
      if (k > 0) w = "ctid >= '(" + std::to_string(pages * k / m) + ",0)'::tid";
      if (k < m - 1)
        w += (w.empty() ? "" : " AND ") + std::string("ctid < '(") +
             std::to_string(pages * (k + 1) / m) + ",0)'::tid";
      parts.push_back({i, false, std::nullopt, w, rows / m});
    }
  }
  std::stable_sort(parts.begin(), parts.end(),
                   [](const VerifyPart& a, const VerifyPart& b) { return a.weight > b.weight; });
  return parts;
}

constexpr int64_t kRejectKeysShown = 10;

// "keys id=3, id=5, ..." for a report line.
std::string RejectKeyList(const TableVerify& t) {
  std::string r = "keys ";
  for (size_t k = 0; k < t.reject_keys.size(); ++k) r += (k ? ", " : "") + t.reject_keys[k];
  if (t.rejects_recorded > static_cast<int64_t>(t.reject_keys.size())) r += ", ...";
  return r + " in staging.migration_rejects";
}

std::string Hex(uint64_t v) {
  char b[20];
  std::snprintf(b, sizeof b, "%016llx", static_cast<unsigned long long>(v));
  return b;
}

}  // namespace

bool VerifyReport::Ok() const {
  return std::all_of(tables.begin(), tables.end(), [](const TableVerify& t) { return t.Ok(); });
}

std::string VerifyReport::Render() const {
  std::ostringstream out;
  char line[512];
  std::snprintf(line, sizeof line, "%-28s %12s %12s %8s %-16s %-16s %s\n", "table", "source rows",
                "target rows", "rejects", "source checksum", "target checksum", "result");
  out << line;
  for (const auto& t : tables) {
    std::snprintf(line, sizeof line, "%-28s %12lld %12lld %8lld %-16s %-16s %s\n", t.table.c_str(),
                  static_cast<long long>(t.source.rows + t.source.rejected),
                  static_cast<long long>(t.target.rows), static_cast<long long>(t.rejects_recorded),
                  Hex(t.source.checksum).c_str(), Hex(t.target.checksum).c_str(),
                  t.Ok() ? "OK" : "MISMATCH");
    out << line;
    for (const auto& m : t.mismatches) out << "    " << m << "\n";
    for (const auto& n : t.notes) out << "    note: " << n << "\n";
    if (t.rejects_accepted)
      out << "    accepted (--accept-rejects): " << t.rejects_recorded
          << " source rows refused at copy, not in the target (" << RejectKeyList(t) << ")\n";
  }
  int bad = 0;
  for (const auto& t : tables) bad += !t.Ok();
  int64_t accepted = 0;
  for (const auto& t : tables) accepted += t.rejects_accepted ? t.rejects_recorded : 0;
  if (bad == 0 && accepted > 0)
    out << "verify: all " << tables.size() << " tables match, except " << accepted
        << " refused rows accepted with --accept-rejects\n";
  else if (bad == 0)
    out << "verify: all " << tables.size() << " tables match\n";
  else
    out << "verify: MISMATCH in " << bad << " of " << tables.size() << " tables\n";
  return out.str();
}

std::string VerifyReport::Json() const {
  std::ostringstream o;
  o << "{\"schema\":" << JsonString(schema) << ",\"ok\":" << (Ok() ? "true" : "false")
    << ",\"tables\":[";
  for (size_t i = 0; i < tables.size(); ++i) {
    const auto& t = tables[i];
    auto side = [&](const SideStats& s) {
      std::ostringstream so;
      so << "{\"rows\":" << s.rows << ",\"checksum\":\"" << Hex(s.checksum) << "\",\"columns\":[";
      for (size_t k = 0; k < s.columns.size(); ++k) {
        const auto& c = s.columns[k];
        so << (k ? "," : "") << "{\"name\":" << JsonString(c.name) << ",\"nulls\":" << c.nulls
           << ",\"min\":" << (c.min ? JsonString(*c.min) : "null")
           << ",\"max\":" << (c.max ? JsonString(*c.max) : "null");
        if (c.summed) {
          char b[64];
          std::snprintf(b, sizeof b, "%.17Lg", c.sum);
          so << ",\"sum\":" << JsonString(b);
        }
        so << "}";
      }
      so << "]}";
      return so.str();
    };
    o << (i ? "," : "") << "{\"table\":" << JsonString(t.table)
      << ",\"ok\":" << (t.Ok() ? "true" : "false") << ",\"source_rejected\":" << t.source.rejected
      << ",\"rejects_recorded\":" << t.rejects_recorded
      << ",\"rejects_accepted\":" << (t.rejects_accepted ? "true" : "false")
      << ",\"source\":" << side(t.source) << ",\"target\":" << side(t.target)
      << ",\"mismatches\":[";
    for (size_t k = 0; k < t.mismatches.size(); ++k)
      o << (k ? "," : "") << JsonString(t.mismatches[k]);
    o << "],\"notes\":[";
    for (size_t k = 0; k < t.notes.size(); ++k) o << (k ? "," : "") << JsonString(t.notes[k]);
    o << "]}";
  }
  o << "]}";
  return o.str();
}

VerifyReport RunVerify(const EngineOptions& opts) {
  auto one = [](const EngineOptions& given) {
    const EngineOptions o = WithRecordedMapping(given);
    auto ctx = OpenContext(o);
    return Verify(o, ctx, {});
  };
  auto held = HoldSource(opts);
  VerifyReport r = one(opts);
  for (const auto& part : SchemaParts(opts)) MergePart(&r, one(part));
  return r;
}

VerifyReport Verify(const EngineOptions& o, SourceContext& ctx, const LoadedStats& loaded) {
  VerifyReport report;
  report.schema = ctx.schema;
  const auto& plans = ctx.plans;
  report.tables.resize(plans.size());
  for (size_t i = 0; i < plans.size(); ++i) {
    report.tables[i].table = plans[i].name;
    report.tables[i].source = EmptyStats(plans[i]);
    report.tables[i].target = EmptyStats(plans[i]);
  }
  // Source key ranges and target page ranges are read in parallel: the source side is
  // this process's CPU, the target side mostly the server's.
  auto targets = TargetPool(o.dsn);
  std::vector<std::set<std::string>> refused(plans.size());
  std::vector<VerifyPart> parts;
  {
    auto conn = targets->Acquire();
    parts = SplitVerify(o, *conn, *ctx.source, report.schema, plans, loaded, &report.tables);
    for (size_t i = 0; i < plans.size(); ++i)
      refused[i] = RefusedKeys(*conn, report.schema, plans[i].name);
  }
  std::mutex mu;
  ParallelFor(static_cast<int>(parts.size()), 2 * std::max(1, o.jobs), [&](int p) {
    const auto& part = parts[p];
    const auto& t = plans[part.table];
    SideStats s = part.source ? SourceStats(o, t, part.range, refused[part.table])
                              : TargetStats(*targets, report.schema, t, part.where);
    std::lock_guard lock(mu);
    auto& tv = report.tables[part.table];
    Merge(t, s, part.source ? &tv.source : &tv.target);
  });
  auto lease = targets->Acquire();
  pg::Connection& conn = *lease;
  for (size_t i = 0; i < plans.size(); ++i) {
    const auto& t = plans[i];
    auto& tv = report.tables[i];
    auto rj = conn.Execute(
        "SELECT count(*) OVER (), source_key FROM staging.migration_rejects WHERE target_schema "
        "= $1 AND table_name = $2 ORDER BY source_key LIMIT $3",
        report.schema, t.name, kRejectKeysShown);
    tv.rejects_recorded = rj.Rows() ? rj.GetInt(0, 0) : 0;
    for (int k = 0; k < rj.Rows(); ++k) tv.reject_keys.push_back(rj.GetString(k, 1));
    if (tv.target.rows < 0) {
      tv.mismatches.push_back("table missing in the target");
      continue;
    }
    if (tv.source.rows != tv.target.rows)
      tv.mismatches.push_back("row count: source " + std::to_string(tv.source.rows) + " (+" +
                              std::to_string(tv.source.rejected) + " rejected), target " +
                              std::to_string(tv.target.rows));
    if (tv.source.checksum != tv.target.checksum)
      tv.mismatches.push_back("checksum: source " + Hex(tv.source.checksum) + ", target " +
                              Hex(tv.target.checksum));
    // A row refused at copy is not in the target: "match" would not mean equal.
    if (tv.rejects_recorded > 0 && o.accept_rejects) {
      tv.rejects_accepted = true;
    } else if (tv.rejects_recorded > 0) {
      tv.mismatches.push_back(std::to_string(tv.rejects_recorded) +
                              " source rows refused at copy, not in the target (" +
                              RejectKeyList(tv) + "); --accept-rejects accepts them");
    }
    if (tv.source.rejected != tv.rejects_recorded) {
      std::string which;
      for (const auto& r : tv.source.refusals) which += (which.empty() ? "" : "; ") + r;
      tv.mismatches.push_back("rejects: source has " + std::to_string(tv.source.rejected) +
                              " unconvertible rows, " + std::to_string(tv.rejects_recorded) +
                              " recorded in staging.migration_rejects" +
                              (which.empty() ? "" : " (" + which + ")"));
    }
    // A foreign key left out (not unique in the source) checks nothing in the target: count
    // what it would refuse. Equal tables give the source's count.
    for (const auto& fk : t.foreign_keys_left_out) {
      std::string n;
      try {
        n = conn.Execute(ForeignKeyOrphansSql(t, fk, report.schema)).GetString(0, 0);
      } catch (const pg::Error& e) {  // columns PostgreSQL cannot compare (text and bigint)
        n = "(not counted: " + std::string(e.what()).substr(0, 120) + ")";
      }
      tv.notes.push_back("foreign key " + fk.name + " (left out, see the plan): " + n +
                         " rows without a match in " + fk.ref_table);
    }
    for (size_t k = 0; k < t.columns.size(); ++k) {
      const auto& a = tv.source.columns[k];
      const auto& b = tv.target.columns[k];
      if (a.nulls != b.nulls)
        tv.mismatches.push_back(a.name + ": nulls " + std::to_string(a.nulls) + " vs " +
                                std::to_string(b.nulls));
      if (a.min != b.min)
        tv.mismatches.push_back(a.name + ": min " + a.min.value_or("NULL") + " vs " +
                                b.min.value_or("NULL"));
      if (a.max != b.max)
        tv.mismatches.push_back(a.name + ": max " + a.max.value_or("NULL") + " vs " +
                                b.max.value_or("NULL"));
      long double tol = 1e-9L * std::max<long double>(1, std::fabs(a.sum));
      if (a.summed && std::fabs(a.sum - b.sum) > tol) {
        char buf[128];
        std::snprintf(buf, sizeof buf, ": sum %.17Lg vs %.17Lg", a.sum, b.sum);
        tv.mismatches.push_back(a.name + buf);
      }
    }
  }
  conn.Execute(
      "INSERT INTO staging.migration_verify (target_schema, source_url, ok, report) VALUES ($1, "
      "$2, $3, "
      "$4::jsonb)",
      report.schema, RedactUrl(o.source_url), report.Ok(), report.Json());
  return report;
}

}  // namespace corrente::migrate
