// migrate map: source queries -> core dimensions and facts.
//
// Mapping file (JSON):
// {
//   "lookups": {"sitios": {"tienda_01": "SUC001"}},          // named code tables
//   "steps": [{
//     "target": "core.dim_site",                              // a core table
//     "query": "SELECT codigo, nombre FROM ubicaciones",      // source dialect, read-only
//     "key": ["code"],                                        // upsert key (a unique index)
//     "columns": {
//       "code": {"from": "codigo", "lookup": "sitios"},       // code lookup; unknown -> reject
//       "name": {"from": "nombre"},
//       "site_type": {"const": "STORE"},
//       "item_id": {"from": "producto", "ref": "core.dim_item.sku"},  // resolve a surrogate id
//       "quantity": {"from": "gramos", "scale": 0.001},       // unit conversion
//       "abc_class": {"from": "clase", "map": {"a": "A"}, "default": "C"},
//       "username": {"from": "usuario", "match": "^[a-z0-9_.@-]{3,64}$"},  // else reject
//       "password_hash": {"from": "hash", "keep": true}         // set on insert, kept on update
//     }
//   }]
// }
// Each step loads into a temporary text table with COPY, then one INSERT ... SELECT casts to
// the target types and upserts on the key, in one transaction. Rows whose lookup, reference
// or match fails go to staging.migration_rejects (under the target's schema).
// Targets are core tables, and three more a legacy store has rows for: support.users,
// analytics.overrides (planners' target levels) and analytics.recommendations (suggested
// orders). A step with "scope": {"author": "migrate:x"} instead of "key" replaces the target
// rows in that scope (column = value; jsonb columns: contains) by the query's rows, skipping
// rows that conflict with another unique row: for tables without a natural key.
#include "migrate/mapping.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/json.hpp>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <stdexcept>
#include <unordered_map>

#include "common/utf8.h"
#include "migrate/plan.h"
#include "migrate/source.h"
#include "pg/copy.h"
#include "pg/pg.h"

namespace corrente::migrate {
namespace {

namespace json = boost::json;

struct ColumnRule {
  std::string target;
  std::string from;
  std::optional<std::string> constant;
  std::string lookup;
  std::map<std::string, std::string> map;
  std::optional<std::string> default_value;
  std::optional<double> scale;
  std::string ref_table, ref_column;  // "core.dim_item.sku" -> (core.dim_item, sku)
  std::optional<std::regex> match;    // the final value must match, else the row is rejected
  std::string match_text;
  bool keep = false;  // not overwritten when the upsert finds the row
};

bool TargetAllowed(const std::string& t) {
  return t.rfind("core.", 0) == 0 || t == "support.users" || t == "analytics.overrides" ||
         t == "analytics.recommendations";
}

std::string Str(const json::value& v) {
  if (v.is_string()) return std::string(v.as_string());
  if (v.is_int64()) return std::to_string(v.as_int64());
  if (v.is_uint64()) return std::to_string(v.as_uint64());
  if (v.is_double()) return ShortestDouble(v.as_double());
  if (v.is_bool()) return v.as_bool() ? "true" : "false";
  throw std::runtime_error("mapping: expected a string or number");
}

std::string ValueText(const SourceValue& v) {
  switch (v.kind) {
    case SourceValue::Kind::kInt:
      return std::to_string(v.i);
    case SourceValue::Kind::kReal:
      return ShortestDouble(v.d);
    default:
      return std::string(v.s);
  }
}

std::string QualifiedName(const std::string& dotted) {
  auto dot = dotted.find('.');
  if (dot == std::string::npos) return Quote(dotted);
  return Quote(dotted.substr(0, dot)) + "." + Quote(dotted.substr(dot + 1));
}

std::string IdColumnOf(const std::string& table) {
  // core.dim_item -> item_id, core.dim_site -> site_id, core.dim_supplier -> supplier_id
  auto name = table.substr(table.find('.') + 1);
  if (name.rfind("dim_", 0) == 0) name = name.substr(4);
  return name + "_id";
}

}  // namespace

MappingReport RunMapping(const std::string& dsn, const std::string& source_url,
                         const std::string& mapping_file) {
  std::ifstream in(mapping_file);
  if (!in) throw std::runtime_error("mapping: cannot read " + mapping_file);
  std::stringstream buf;
  buf << in.rdbuf();
  json::value doc;
  try {
    doc = json::parse(buf.str());
  } catch (const std::exception& e) {
    throw std::runtime_error("mapping: " + mapping_file + " is not valid JSON: " + e.what());
  }
  const auto& root = doc.as_object();
  std::map<std::string, std::map<std::string, std::string>> lookups;
  if (auto* l = root.if_contains("lookups"))
    for (const auto& [name, table] : l->as_object())
      for (const auto& [code, value] : table.as_object())
        lookups[std::string(name)][std::string(code)] = Str(value);

  auto src = OpenSource(source_url);
  auto conn = pg::Connection::Open(dsn);
  conn.ExecScript(kSessionSetup);
  MappingReport report;
  std::set<std::string> cleared;  // targets whose old rejects this run has deleted
  for (const auto& step_v : root.at("steps").as_array()) {
    const auto& step = step_v.as_object();
    std::string target = Str(step.at("target"));
    if (!TargetAllowed(target))
      throw std::runtime_error(
          "mapping: targets are core tables, support.users, analytics.overrides or "
          "analytics.recommendations: " +
          target);
    const std::string target_schema = target.substr(0, target.find('.'));
    std::vector<std::string> key;
    std::vector<std::pair<std::string, std::string>> scope;
    if (auto* sc = step.if_contains("scope"))
      for (const auto& [col, v] : sc->as_object()) scope.emplace_back(std::string(col), Str(v));
    else
      for (const auto& k : step.at("key").as_array()) key.push_back(Str(k));
    if (scope.empty() && key.empty())
      throw std::runtime_error("mapping: step " + target + " needs a 'key' or a 'scope'");
    std::vector<ColumnRule> rules;
    for (const auto& [col, spec_v] : step.at("columns").as_object()) {
      const auto& spec = spec_v.as_object();
      ColumnRule r;
      r.target = std::string(col);
      if (auto* f = spec.if_contains("from")) r.from = Str(*f);
      if (auto* c = spec.if_contains("const")) r.constant = Str(*c);
      if (auto* l = spec.if_contains("lookup")) {
        r.lookup = Str(*l);
        if (!lookups.count(r.lookup))
          throw std::runtime_error("mapping: unknown lookup '" + r.lookup + "'");
      }
      if (auto* m = spec.if_contains("map"))
        for (const auto& [k, v] : m->as_object()) r.map[std::string(k)] = Str(v);
      if (auto* d = spec.if_contains("default")) r.default_value = Str(*d);
      if (auto* s = spec.if_contains("scale")) r.scale = s->to_number<double>();
      if (auto* ref = spec.if_contains("ref")) {
        std::string dotted = Str(*ref);
        auto last = dotted.rfind('.');
        r.ref_table = dotted.substr(0, last);
        r.ref_column = dotted.substr(last + 1);
      }
      if (auto* m = spec.if_contains("match")) {
        r.match_text = Str(*m);
        try {
          r.match.emplace(r.match_text);
        } catch (const std::regex_error& e) {
          throw std::runtime_error("mapping: column " + r.target +
                                   ": bad match pattern: " + e.what());
        }
      }
      if (auto* k = spec.if_contains("keep")) r.keep = k->is_bool() && k->as_bool();
      if (r.from.empty() && !r.constant)
        throw std::runtime_error("mapping: column " + r.target + " needs 'from' or 'const'");
      rules.push_back(std::move(r));
    }

    // Reference caches: natural key -> surrogate id, read once per step.
    std::map<std::string, std::unordered_map<std::string, std::string>> refs;
    for (const auto& r : rules) {
      if (r.ref_table.empty() || refs.count(r.ref_table + "." + r.ref_column)) continue;
      auto& cache = refs[r.ref_table + "." + r.ref_column];
      auto res = conn.Execute("SELECT " + Quote(r.ref_column) + "::text, " +
                              Quote(IdColumnOf(r.ref_table)) + "::text FROM " +
                              QualifiedName(r.ref_table));
      for (int i = 0; i < res.Rows(); ++i) cache[res.GetString(i, 0)] = res.GetString(i, 1);
    }

    std::vector<std::string> names;
    auto cur = src->Query(Str(step.at("query")), &names);
    std::vector<int> index(rules.size(), -1);
    for (size_t k = 0; k < rules.size(); ++k) {
      if (rules[k].from.empty()) continue;
      for (size_t i = 0; i < names.size(); ++i)
        if (names[i] == rules[k].from) index[k] = static_cast<int>(i);
      if (index[k] < 0)
        throw std::runtime_error("mapping: query of " + target + " has no column " + rules[k].from);
    }

    pg::Transaction tx(conn);
    std::string cols, casts, set;
    auto types = conn.Execute(
        "SELECT a.attname, format_type(a.atttypid, a.atttypmod) FROM pg_attribute a WHERE "
        "a.attrelid = $1::regclass "
        "AND a.attnum > 0 AND NOT a.attisdropped",
        target);
    std::map<std::string, std::string> type_of;
    for (int i = 0; i < types.Rows(); ++i) type_of[types.GetString(i, 0)] = types.GetString(i, 1);
    std::string tmp_cols;
    for (const auto& r : rules) {
      if (!type_of.count(r.target))
        throw std::runtime_error("mapping: " + target + " has no column " + r.target);
      cols += (cols.empty() ? "" : ", ") + Quote(r.target);
      casts += (casts.empty() ? "" : ", ") + Quote(r.target) + "::" + type_of[r.target];
      tmp_cols += (tmp_cols.empty() ? "" : ", ") + Quote(r.target) + " text";
      if (std::find(key.begin(), key.end(), r.target) == key.end() && !r.keep)
        set += (set.empty() ? "" : ", ") + Quote(r.target) + " = EXCLUDED." + Quote(r.target);
    }
    for (const auto& sc : scope)
      if (std::none_of(rules.begin(), rules.end(),
                       [&](const ColumnRule& r) { return r.target == sc.first; }))
        throw std::runtime_error("mapping: scope column " + sc.first + " of " + target +
                                 " is not among its columns");
    conn.ExecScript("CREATE TEMP TABLE corrente_map_rows (" + tmp_cols + ") ON COMMIT DROP");
    if (cleared.insert(target).second)
      conn.Execute(
          "DELETE FROM staging.migration_rejects WHERE target_schema = $1 AND table_name = $2",
          target_schema, target);
    MappingStepResult res;
    res.target = target;
    std::vector<std::pair<std::string, std::string>> rejects;
    {
      pg::CopyWriter w(conn, "COPY corrente_map_rows FROM STDIN (FORMAT binary)");
      std::vector<std::optional<std::string>> out(rules.size());
      int64_t row_no = 0;
      while (cur->Next()) {
        ++row_no;
        std::string reason;
        for (size_t k = 0; k < rules.size() && reason.empty(); ++k) {
          const auto& r = rules[k];
          std::optional<std::string> v = r.constant;
          if (index[k] >= 0) {
            const auto& sv = cur->Value(index[k]);
            if (sv.kind != SourceValue::Kind::kNull)
              v = ValueText(sv);
            else
              v.reset();
            if (v && !IsUtf8(*v)) reason = r.target + ": invalid UTF-8";
          }
          if (v && !r.map.empty()) {
            auto it = r.map.find(*v);
            if (it != r.map.end())
              v = it->second;
            else if (r.default_value)
              v = r.default_value;
            else
              reason = r.target + ": no mapping for '" + *v + "'";
          }
          if (v && reason.empty() && !r.lookup.empty()) {
            const auto& table = lookups[r.lookup];
            auto it = table.find(*v);
            if (it == table.end())
              reason = r.target + ": code '" + *v + "' not in lookup " + r.lookup;
            else
              v = it->second;
          }
          if (!v && r.default_value) v = r.default_value;
          if (v && reason.empty() && r.scale) {
            char* end = nullptr;
            double d = std::strtod(v->c_str(), &end);
            if (end == v->c_str())
              reason = r.target + ": not a number '" + *v + "'";
            else {
              char b[64];
              std::snprintf(b, sizeof b, "%.6f", d * *r.scale);
              v = NormalizeDecimal(b);
            }
          }
          if (v && reason.empty() && r.match && !std::regex_search(*v, *r.match))
            reason = r.target + ": '" + *v + "' does not match " + r.match_text;
          if (v && reason.empty() && !r.ref_table.empty()) {
            const auto& cache = refs[r.ref_table + "." + r.ref_column];
            auto it = cache.find(*v);
            if (it == cache.end())
              reason = r.target + ": no " + r.ref_table + " with " + r.ref_column + " '" + *v + "'";
            else
              v = it->second;
          }
          out[k] = v;
        }
        if (!reason.empty()) {
          std::string label;
          for (size_t k = 0; k < rules.size() && k < 3; ++k)
            if (index[k] >= 0 && cur->Value(index[k]).kind != SourceValue::Kind::kNull)
              label += (label.empty() ? "" : ",") + rules[k].from + "=" +
                       ValueText(cur->Value(index[k]));
          rejects.emplace_back(label.empty() ? "row " + std::to_string(row_no) : label, reason);
          continue;
        }
        w.StartRow(static_cast<int16_t>(rules.size()));
        for (const auto& v : out) {
          if (v)
            w.Text(*v);
          else
            w.Null();
        }
      }
      w.Finish();
    }
    // Facts are partitioned by month: create the partitions the new rows need first.
    std::string date_col = type_of.count("full_date")    ? "full_date"
                           : type_of.count("order_date") ? "order_date"
                                                         : "";
    if (!date_col.empty() && std::find_if(rules.begin(), rules.end(), [&](const ColumnRule& r) {
                               return r.target == date_col;
                             }) != rules.end()) {
      conn.Execute("SELECT core.ensure_partitions($1::regclass, min(" + Quote(date_col) +
                       ")::date, max(" + Quote(date_col) +
                       ")::date) FROM corrente_map_rows HAVING count(*) > 0",
                   target);
    }
    std::string conflict;
    if (scope.empty()) {
      std::string k;
      for (const auto& c : key) k += (k.empty() ? "" : ", ") + Quote(c);
      conflict = "(" + k + ") " + (set.empty() ? "DO NOTHING" : "DO UPDATE SET " + set);
    } else {
      // Replace the scope's rows; values reach SQL as parameters.
      std::string where;
      std::vector<pg::Param> values;
      for (const auto& [col, value] : scope) {
        values.push_back(pg::ToParam(value));
        std::string n = "$" + std::to_string(values.size());
        where +=
            (where.empty() ? "" : " AND ") + Quote(col) +
            (type_of[col] == "jsonb" ? " @> " + n + "::jsonb" : " = " + n + "::" + type_of[col]);
      }
      conn.Exec("DELETE FROM " + QualifiedName(target) + " WHERE " + where, values);
      conflict = "DO NOTHING";
    }
    auto ins = conn.Execute("INSERT INTO " + QualifiedName(target) + " (" + cols + ") SELECT " +
                            casts + " FROM corrente_map_rows ON CONFLICT " + conflict);
    res.rows = ins.AffectedRows();
    for (const auto& [label, reason] : rejects)
      conn.Execute(
          "INSERT INTO staging.migration_rejects (target_schema, table_name, source_key, reason) "
          "VALUES ($1, $2, $3, $4)",
          target_schema, target, label, reason);
    res.rejected = static_cast<int64_t>(rejects.size());
    tx.Commit();
    spdlog::info("map {}: {} rows, {} rejected", target, res.rows, res.rejected);
    report.steps.push_back(res);
  }
  return report;
}

}  // namespace corrente::migrate
