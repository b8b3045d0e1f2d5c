#include "migrate/recorded.h"

#include <spdlog/spdlog.h>

#include <boost/json.hpp>
#include <map>

namespace corrente::migrate {
namespace {

constexpr const char* kTypeNames[] = {"smallint",  "integer",     "bigint",   "numeric", "double",
                                      "text",      "varchar",     "bytea",    "bool",    "date",
                                      "timestamp", "timestamptz", "interval", "time",    "uuid",
                                      "jsonb",     "geometry"};
constexpr int kTypes = sizeof kTypeNames / sizeof kTypeNames[0];
static_assert(kTypes == static_cast<int>(PgType::kGeometry) + 1, "a name per PgType");

// What the recorded decision says besides the plan's: the part before "; recorded".
std::string BaseDecision(const std::string& d) { return d.substr(0, d.find("; recorded at copy")); }

}  // namespace

std::string EncodeChoice(const ColumnPlan& c) {
  boost::json::object o;
  o["type"] = kTypeNames[static_cast<int>(c.type)];
  o["precision"] = c.precision;
  o["scale"] = c.scale;
  o["collation"] = c.collation;
  o["latin1"] = c.charset == TextCharset::kLatin1;
  o["int_bool"] = c.source_is_int_bool;
  o["wkb_after_srid"] = c.wkb_after_srid;
  o["geometry"] = c.geometry;
  o["srid"] = c.srid;
  if (c.generated_sql) o["generated"] = *c.generated_sql;
  return boost::json::serialize(o);
}

bool DecodeChoice(std::string_view s, ColumnPlan* c) {
  boost::system::error_code ec;
  auto v = boost::json::parse(s, ec);
  if (ec || !v.is_object()) return false;
  const auto& o = v.as_object();
  try {
    std::string type(o.at("type").as_string());
    int t = 0;
    while (t < kTypes && type != kTypeNames[t]) ++t;
    if (t == kTypes) return false;
    ColumnPlan r = *c;
    r.type = static_cast<PgType>(t);
    r.precision = static_cast<int>(o.at("precision").as_int64());
    r.scale = static_cast<int>(o.at("scale").as_int64());
    r.collation = std::string(o.at("collation").as_string());
    r.charset = o.at("latin1").as_bool() ? TextCharset::kLatin1 : TextCharset::kUtf8;
    r.source_is_int_bool = o.at("int_bool").as_bool();
    r.wkb_after_srid = o.at("wkb_after_srid").as_bool();
    r.geometry = std::string(o.at("geometry").as_string());
    r.srid = static_cast<int>(o.at("srid").as_int64());
    r.generated_sql.reset();
    if (auto* g = o.if_contains("generated")) r.generated_sql = std::string(g->as_string());
    *c = std::move(r);
    return true;
  } catch (const std::exception&) {
    return false;
  }
}

void RecordChoices(pg::Connection& conn, const std::string& schema,
                   const std::vector<TablePlan>& plans) {
  for (const auto& t : plans) {
    conn.Execute(
        "DELETE FROM staging.migration_columns WHERE target_schema = $1 AND table_name = $2",
        schema, t.name);
    for (const auto& c : t.columns)
      conn.Execute(
          "INSERT INTO staging.migration_columns (target_schema, table_name, position, "
          "column_name, sql_type, choice, decision) VALUES ($1, $2, $3, $4, $5, $6, $7)",
          schema, t.name, c.source_index, c.name, c.SqlType(), EncodeChoice(c),
          BaseDecision(c.decision));
  }
}

void ApplyRecordedChoices(pg::Connection& conn, const std::string& schema,
                          std::vector<TablePlan>* plans) {
  if (conn.Execute("SELECT to_regclass('staging.migration_columns')").IsNull(0, 0)) return;
  auto r = conn.Execute(
      "SELECT table_name, position, choice, decision FROM staging.migration_columns WHERE "
      "target_schema = $1",
      schema);
  std::map<std::pair<std::string, int>, std::pair<std::string, std::string>> rec;
  for (int i = 0; i < r.Rows(); ++i)
    rec[{r.GetString(i, 0), static_cast<int>(r.GetInt(i, 1))}] = {r.GetString(i, 2),
                                                                  r.GetString(i, 3)};
  for (auto& t : *plans)
    for (auto& c : t.columns) {
      auto it = rec.find({t.name, c.source_index});
      if (it == rec.end()) continue;
      ColumnPlan was = c;
      if (!DecodeChoice(it->second.first, &c)) {
        spdlog::warn("table {}: the recorded choice of column {} is not readable; planned anew",
                     t.name, c.name);
        continue;
      }
      if (EncodeChoice(was) == it->second.first) continue;
      c.decision = it->second.second + "; recorded at copy (a plan made now would give " +
                   was.SqlType() + ": " + BaseDecision(was.decision) + ")";
      std::string w = "column " + c.name + ": the copy chose " + c.SqlType() +
                      "; a plan made now would give " + was.SqlType() +
                      ". The copy's choice is kept: rows it cannot hold are refused and named";
      spdlog::warn("table {}: {}", t.name, w);
      t.warnings.push_back(w);
    }
}

std::string RenderChoices(pg::Connection& conn, const std::string& schema) {
  if (conn.Execute("SELECT to_regclass('staging.migration_columns')").IsNull(0, 0)) return {};
  auto r = conn.Execute(
      "SELECT table_name, column_name, sql_type, decision FROM staging.migration_columns WHERE "
      "target_schema = $1 ORDER BY table_name, position",
      schema);
  std::string out;
  for (int i = 0; i < r.Rows(); ++i)
    out += schema + "." + r.GetString(i, 0) + "." + r.GetString(i, 1) + ": " + r.GetString(i, 2) +
           " -- " + r.GetString(i, 3) + "\n";
  return out;
}

}  // namespace corrente::migrate
