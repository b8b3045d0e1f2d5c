#include "migrate/plan.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <map>
#include <set>
#include <sstream>
#include <stdexcept>

#include "common/dates.h"
#include "common/utf8.h"
#include "migrate/profile.h"

namespace corrente::migrate {
namespace {

// `v` as a DEFAULT of `col`: the value the copy writes for it, as its canonical literal;
// nullopt with `why` when the copy would refuse it (or make it NULL).
std::optional<std::string> DefaultLiteral(const ColumnPlan& col, const SourceValue& v,
                                          std::string* why) {
  TargetValue tv;
  std::string note;
  ColumnPlan nullable = col;
  nullable.not_null = false;
  if (auto err = ConvertValue(nullable, v, {}, &tv, &note)) {
    *why = *err;
    return std::nullopt;
  }
  if (tv.null) {
    *why = note;
    return std::nullopt;
  }
  std::string canonical;
  AppendCanonical(col, tv, &canonical);
  bool number = col.type == PgType::kSmallInt || col.type == PgType::kInteger ||
                col.type == PgType::kBigInt || col.type == PgType::kNumeric;
  return number && canonical[0] != '-' ? canonical : SqlLiteral(canonical);
}

// Translates a source DEFAULT to PostgreSQL, or nullopt (reported) when its meaning cannot
// be kept exactly: a literal must convert to the column's type as a source value would (so
// DEFAULT 0 on a timestamp, or 'abc' on an integer, is left out), and it is written as the
// canonical value. A default never makes a table uncreatable.
std::optional<std::string> TranslateDefault(const ColumnPlan& col, std::string expr) {
  while (expr.size() >= 2 && expr.front() == '(' && expr.back() == ')')
    expr = expr.substr(1, expr.size() - 2);
  std::string up = Upper(expr);
  if (up == "NULL") return std::nullopt;
  bool texty = col.type == PgType::kText || col.type == PgType::kVarchar;
  bool stamp = col.type == PgType::kTimestamp || col.type == PgType::kTimestampTz;
  if (up == "CURRENT_TIMESTAMP" || up == "CURRENT_TIMESTAMP()" || up == "NOW()" ||
      up.rfind("CURRENT_TIMESTAMP(", 0) == 0) {
    if (col.type == PgType::kTimestampTz) return "CURRENT_TIMESTAMP";
    if (!stamp && !texty) return std::nullopt;
    return "(CURRENT_TIMESTAMP AT TIME ZONE 'UTC')";  // SQLite and MySQL DATETIME defaults are UTC
  }
  if (up == "CURRENT_DATE" || up == "CURDATE()") {
    if (col.type != PgType::kDate && !stamp && !texty) return std::nullopt;
    // UTC's date, as SQLite's (PostgreSQL's CURRENT_DATE is the session time zone's).
    return "((CURRENT_TIMESTAMP AT TIME ZONE 'UTC')::date)";
  }
  if (col.type == PgType::kBool) {
    if (expr == "1" || expr == "'1'" || up == "TRUE") return "true";
    if (expr == "0" || expr == "'0'" || up == "FALSE") return "false";
    return std::nullopt;
  }
  std::string literal;
  if (IsDecimalText(expr)) {
    literal = expr;
  } else if (expr.size() >= 2 && expr.front() == '\'' && expr.back() == '\'') {
    for (size_t i = 1; i + 1 < expr.size(); ++i) {
      if (expr[i] == '\'') {
        // A lone quote inside: not one literal but an expression ('a' || 'b').
        if (i + 2 >= expr.size() || expr[i + 1] != '\'') return std::nullopt;
        ++i;
      }
      literal += expr[i];
    }
    if (literal.rfind("0000-00-00", 0) == 0) return std::nullopt;
  } else {
    return std::nullopt;
  }
  SourceValue v;
  v.kind = SourceValue::Kind::kText;
  v.s = literal;
  std::string why;
  return DefaultLiteral(col, v, &why);
}

// The DEFAULT of `col` for a constant the source evaluated (TypeMapping::ConstantDefault),
// or nullopt with `why`; nullopt with `why` empty when it is NULL.
std::optional<std::string> StoredDefaultSql(const ColumnPlan& col, const StoredDefault& d,
                                            std::string* why) {
  if (d.kind == SourceValue::Kind::kNull) return std::nullopt;
  bool dated = col.type == PgType::kDate || col.type == PgType::kTimestamp ||
               col.type == PgType::kTimestampTz || col.type == PgType::kTime ||
               col.type == PgType::kInterval;
  if (dated && (d.kind == SourceValue::Kind::kInt || d.kind == SourceValue::Kind::kReal)) {
    *why = "a number in a " + col.SqlType() +
           " column (SQLite's date functions read it as a julian day, the copy as Unix time)";
    return std::nullopt;
  }
  return DefaultLiteral(col, d.View(), why);
}

// SQLite CHECK text uses [x] and `x` quoting; PostgreSQL wants "x".
std::string TranslateCheck(std::string_view expr) {
  std::string r;
  for (size_t i = 0; i < expr.size(); ++i) {
    char c = expr[i];
    if (c == '\'') {
      size_t j = expr.find('\'', i + 1);
      while (j != std::string_view::npos && j + 1 < expr.size() && expr[j + 1] == '\'')
        j = expr.find('\'', j + 2);
      if (j == std::string_view::npos) j = expr.size() - 1;
      r.append(expr.substr(i, j - i + 1));
      i = j;
    } else if (c == '[' || c == '`') {
      char close = c == '[' ? ']' : '`';
      size_t j = expr.find(close, i + 1);
      if (j == std::string_view::npos) j = expr.size();
      r += Quote(expr.substr(i + 1, j - i - 1));
      i = j;
    } else {
      r += c;
    }
  }
  return r;
}

// What PostgreSQL keeps of an identifier: 63 bytes, cut at a character boundary.
std::string PgIdentifier(std::string_view s) {
  size_t n = std::min<size_t>(s.size(), 63);
  while (n > 0 && n < s.size() && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80) --n;
  return std::string(s.substr(0, n));
}

// A name PostgreSQL keeps whole and that stays apart from others: at most 54 bytes of it,
// cut at a character boundary, then "_" and 8 hex digits of its FNV-1a hash (63 bytes).
std::string ShortName(std::string_view s) {
  uint32_t h = 2166136261u;
  for (unsigned char c : s) h = (h ^ c) * 16777619u;
  size_t n = std::min<size_t>(s.size(), 54);
  while (n > 0 && n < s.size() && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80) --n;
  char hex[9];
  std::snprintf(hex, sizeof hex, "%08x", h);
  return std::string(s.substr(0, n)) + "_" + hex;
}

// `check` (PostgreSQL syntax) with each column reference in `to` (quoted, or a bare word)
// replaced by its new name; string literals are left alone.
std::string RenameInCheck(const std::string& check, const std::map<std::string, std::string>& to) {
  std::string out;
  auto word = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; };
  for (size_t i = 0; i < check.size();) {
    char c = check[i];
    if (c == '\'' || c == '"') {
      std::string ident;
      size_t j = i + 1;
      for (; j < check.size(); ++j) {
        if (check[j] != c) {
          ident += check[j];
        } else if (j + 1 < check.size() && check[j + 1] == c) {
          ident += c;
          ++j;
        } else {
          break;
        }
      }
      auto it = c == '"' ? to.find(ident) : to.end();
      out += it != to.end() ? Quote(it->second) : check.substr(i, j + 1 - i);
      i = j + 1;
    } else if (word(c) && (i == 0 || !word(check[i - 1]))) {
      size_t j = i;
      while (j < check.size() && word(check[j])) ++j;
      std::string w = check.substr(i, j - i);
      auto it = to.find(w);
      out += it != to.end() ? Quote(it->second) : w;
      i = j;
    } else {
      out += c;
      ++i;
    }
  }
  return out;
}

// Target names: `--rename` first, then every name that is one identifier with another once
// PostgreSQL keeps 63 bytes of it gets ShortName (deterministic, so every command derives
// the same). Keys, indexes and foreign keys follow; the plan lists each rename.
void AssignNames(std::vector<TablePlan>* plans, const std::vector<std::string>& renames) {
  std::map<std::string, std::string> by_hand;  // "table" or "table\ncolumn" -> name
  for (const auto& r : renames) {
    auto eq = r.find('=');
    if (eq == std::string::npos || eq == 0 || eq + 1 == r.size())
      throw std::runtime_error("--rename wants table=name or table.column=name: " + r);
    std::string lhs = r.substr(0, eq);
    bool known = false;
    for (const auto& t : *plans) {
      if (lhs == t.source.name) known = true, by_hand[lhs] = r.substr(eq + 1);
      for (const auto& c : t.source.columns)
        if (lhs == t.source.name + "." + c.name)
          known = true, by_hand[t.source.name + "\n" + c.name] = r.substr(eq + 1);
    }
    if (!known) throw std::runtime_error("--rename: no table or column " + lhs + " in the source");
  }
  std::set<std::string> column_names;  // the table's, while its columns are renamed
  auto rename = [&](std::string* name, const std::string& key, const std::set<std::string>& clash,
                    const std::string& what, std::vector<std::string>* warnings) {
    // PostgreSQL's system columns: a column of that name cannot be created (GIS tables
    // often have xmin/xmax). `oid` stopped being one in PostgreSQL 12.
    static const std::set<std::string> kSystemColumns = {"tableoid", "xmin", "cmin",
                                                         "xmax",     "cmax", "ctid"};
    std::string to;
    bool hand = by_hand.count(key) > 0;
    bool system = what == "column" && kSystemColumns.count(*name) > 0;
    if (hand)
      to = by_hand[key];
    else if (system)
      to = column_names.count(*name + "_") ? ShortName(*name) : *name + "_";
    else if (clash.count(PgIdentifier(*name)))
      to = ShortName(*name);
    else
      return;
    warnings->push_back(what + " " + *name + " renamed " + to +
                        (hand     ? " (--rename)"
                         : system ? " (a PostgreSQL system column name; choose with --rename)"
                                  : " (one name with another within PostgreSQL's 63 bytes; "
                                    "choose with --rename)"));
    *name = to;
  };
  // Identifiers shared by different names (two equal names stay a clash CheckNames reports).
  auto clashes = [](const std::vector<std::string>& names) {
    std::map<std::string, std::set<std::string>> n;
    for (const auto& s : names) n[PgIdentifier(s)].insert(s);
    std::set<std::string> out;
    for (const auto& [k, c] : n)
      if (c.size() > 1) out.insert(k);
    return out;
  };
  std::map<std::string, std::map<std::string, std::string>> columns_of;  // table: old -> new
  std::vector<std::string> table_names;
  for (const auto& t : *plans) table_names.push_back(t.name);
  auto table_clash = clashes(table_names);
  std::map<std::string, std::string> table_to;
  for (auto& t : *plans) {
    std::vector<std::string> names;
    for (const auto& c : t.columns) names.push_back(c.name);
    auto clash = clashes(names);
    column_names = {names.begin(), names.end()};
    auto& m = columns_of[t.name];
    for (auto& c : t.columns) {
      std::string old = c.name;
      rename(&c.name, t.source.name + "\n" + old, clash, "column", &t.warnings);
      m[old] = c.name;
      if (c.name != old) c.decision += "; renamed " + c.name;
    }
    auto map_cols = [&](std::vector<std::string>* v) {
      for (auto& n : *v)
        if (m.count(n)) n = m[n];
    };
    map_cols(&t.primary_key);
    std::map<std::string, std::string> renamed;
    for (const auto& [from, to] : m)
      if (from != to) renamed[from] = to;
    if (!renamed.empty())
      for (auto& ck : t.checks) ck = RenameInCheck(ck, renamed);
    for (auto& ix : t.indexes) map_cols(&ix.columns);
    for (auto& fk : t.foreign_keys) map_cols(&fk.columns);
    std::string old = t.name;
    rename(&t.name, old, table_clash, "table", &t.warnings);
    table_to[old] = t.name;
    // The default key name would be cut back to the table's own name, which it cannot share.
    if (t.name != old && t.primary_key_name == old + "_pkey")
      t.primary_key_name = ShortName(old + "_pkey");
  }
  for (auto& t : *plans)
    for (auto& fk : t.foreign_keys) {
      auto& m = columns_of[fk.ref_table];
      for (auto& n : fk.ref_columns)
        if (m.count(n)) n = m[n];
      if (table_to.count(fk.ref_table)) fk.ref_table = table_to[fk.ref_table];
    }
}

// Names PostgreSQL cannot take as they are stop the plan, in one line, before any SQL runs:
// empty ones, ones that are not UTF-8 text (or hold a NUL byte), and two names that are
// one identifier once PostgreSQL cuts them to 63 bytes (a second table would replace the
// first, which DROP TABLE IF EXISTS would not notice; a second column would be refused).
void CheckNames(const std::vector<TablePlan>& plans) {
  // `what`: "table name" or "table t: column 2's name"; `kind`: "tables" or "table t: columns".
  auto check = [](std::map<std::string, std::string>* seen, const std::string& name,
                  const std::string& what, const std::string& kind) {
    if (name.empty()) throw std::runtime_error(what + " is empty");
    if (!IsUtf8(name))
      throw std::runtime_error(what + " " + Printable(name) + " is not UTF-8 text (or holds NUL)");
    auto [it, fresh] = seen->emplace(PgIdentifier(name), name);
    if (fresh) return;
    if (it->second == name) throw std::runtime_error(kind + ": two named " + Printable(name));
    throw std::runtime_error(kind + " " + Printable(it->second) + " and " + Printable(name) +
                             " are one name in PostgreSQL, which keeps 63 bytes of a name");
  };
  std::map<std::string, std::string> tables;
  for (const auto& t : plans) {
    check(&tables, t.name, "table name", "tables");
    std::map<std::string, std::string> columns;
    for (size_t i = 0; i < t.columns.size(); ++i)
      check(&columns, t.columns[i].name,
            "table " + Printable(t.name) + ": column " + std::to_string(i + 1) + "'s name",
            "table " + Printable(t.name) + ": columns");
  }
}

// Index and primary-key names share one namespace per schema with the tables: MySQL names
// an index per table (often after its column: `dept` beside a table `dept`, `user_id` in
// many tables), and PostgreSQL keeps 63 bytes of a name. A name already taken (exactly, as
// every name is quoted) or cut becomes `table_name`, else its ShortName, with a warning.
void AssignRelationNames(std::vector<TablePlan>* plans) {
  std::set<std::string> taken;
  for (const auto& t : *plans) taken.insert(PgIdentifier(t.name));
  auto assign = [&](TablePlan& t, std::string* name, const char* what) {
    std::string want = *name;
    std::string to = want;
    if (taken.count(PgIdentifier(to)) || to.size() > 63) to = t.name + "_" + want;
    if (taken.count(PgIdentifier(to)) || to.size() > 63) to = ShortName(t.name + "_" + want);
    for (int n = 2; taken.count(to); ++n) to = ShortName(t.name + "_" + want + std::to_string(n));
    taken.insert(to);
    if (to == want) return;
    t.warnings.push_back(std::string(what) + " " + want + " renamed " + to +
                         " (PostgreSQL keeps 63 bytes of a name, and index names are unique per "
                         "schema, tables included)");
    *name = to;
  };
  for (auto& t : *plans) {
    if (!t.primary_key.empty()) assign(t, &t.primary_key_name, "primary key");
    for (auto& ix : t.indexes) assign(t, &ix.name, "index");
  }
}

// Generated columns PostgreSQL can compute exactly become GENERATED ALWAYS AS (...) STORED;
// the others stay plain columns of the copied values, with the reason (after the names are
// final, which the expression uses).
void PlanGenerated(const TypeMapping& types, TablePlan* tp) {
  for (auto& cp : tp->columns) {
    const auto& sc = tp->source.columns[cp.source_index];
    if (!sc.generated) continue;
    std::string why;
    cp.generated_sql = types.GeneratedSql(tp->source, tp->columns, cp, &why);
    if (cp.generated_sql) {
      cp.default_sql.reset();
      cp.decision += "; generated: PostgreSQL computes it (GENERATED ALWAYS AS (" +
                     *cp.generated_sql + ") STORED)";
    } else {
      cp.decision += "; generated in the source, kept as a plain column of its values: " + why;
      tp->warnings.push_back("column " + cp.name + ": generated column not translated (" + why +
                             "); carried as a plain column of its values");
    }
  }
}

// The first column of `ip` whose planned type fails `ok`, or nullptr.
template <class Ok>
const ColumnPlan* ColumnNot(const TablePlan& tp, const IndexPlan& ip, Ok ok) {
  for (const auto& name : ip.columns)
    for (const auto& cp : tp.columns)
      if (cp.name == name && !ok(cp.type)) return &cp;
  return nullptr;
}

// A MySQL SPATIAL index (an R-tree) becomes GiST when its column became PostGIS geometry;
// on bytea WKB no index answers a spatial query, so none is built. Both are plan warnings.
bool PlanSpatialIndex(TablePlan* tp, IndexPlan* ip) {
  if (auto* c = ColumnNot(*tp, *ip, [](PgType t) { return t == PgType::kGeometry; })) {
    tp->warnings.push_back("SPATIAL index " + ip->name + " not built: column " + c->name +
                           " is bytea holding WKB (the target has no postgis extension), "
                           "on which no index answers a spatial query");
    return false;
  }
  ip->gist = true;
  ip->unique = false;
  tp->warnings.push_back("SPATIAL index " + ip->name + " -> GiST index on geometry");
  return true;
}

// A MySQL FULLTEXT index becomes GIN on the columns' text as one 'simple' tsvector (no
// stemming or stop words, as close as PostgreSQL comes to MySQL's parser); it serves @@
// queries, not MATCH ... AGAINST. A column no longer text (bytea) gets none.
bool PlanFullTextIndex(TablePlan* tp, IndexPlan* ip) {
  if (auto* c = ColumnNot(*tp, *ip,
                          [](PgType t) { return t == PgType::kText || t == PgType::kVarchar; })) {
    tp->warnings.push_back("FULLTEXT index " + ip->name + " not built: column " + c->name +
                           " is not text in PostgreSQL");
    return false;
  }
  ip->fulltext = true;
  ip->unique = false;
  tp->warnings.push_back("FULLTEXT index " + ip->name +
                         " -> GIN index on to_tsvector('simple', ...): it serves @@ queries; "
                         "MATCH ... AGAINST must be rewritten");
  return true;
}

std::string QuotedList(const std::vector<std::string>& v) {
  std::string r;
  for (const auto& c : v) r += (r.empty() ? "" : ", ") + Quote(c);
  return r;
}

}  // namespace

std::string CreateIndexSql(const IndexPlan& ix, const std::string& q) {
  if (ix.fulltext) {
    std::string doc;
    for (const auto& c : ix.columns)
      doc += (doc.empty() ? "" : " || ' ' || ") + std::string("coalesce(") + Quote(c) + "::text, '')";
    return "CREATE INDEX " + Quote(ix.name) + " ON " + q +
           " USING gin (to_tsvector('simple'::regconfig, " + doc + "))";
  }
  std::string parts;
  for (size_t k = 0; k < ix.columns.size(); ++k) {
    int n = k < ix.prefix.size() ? ix.prefix[k] : 0;
    parts += (k ? ", " : "") + (n > 0 ? "(substring(" + Quote(ix.columns[k]) + ", 1, " +
                                            std::to_string(n) + "))"
                                      : Quote(ix.columns[k]));
    if (k < ix.descending.size() && ix.descending[k]) parts += " DESC";
  }
  return std::string("CREATE ") + (ix.unique ? "UNIQUE " : "") + "INDEX " + Quote(ix.name) +
         " ON " + q + (ix.gist ? " USING gist" : "") + " (" + parts + ")";
}

std::vector<std::string> CommentSql(const TablePlan& t, const std::string& schema) {
  std::vector<std::string> sql;
  std::string q = Quote(schema) + "." + Quote(t.name);
  if (!t.source.comment.empty())
    sql.push_back("COMMENT ON TABLE " + q + " IS " + SqlLiteral(t.source.comment));
  for (const auto& c : t.columns)
    if (const auto& text = t.source.columns[c.source_index].comment; !text.empty())
      sql.push_back("COMMENT ON COLUMN " + q + "." + Quote(c.name) + " IS " + SqlLiteral(text));
  return sql;
}

// MySQL prefix lengths (KEY (col(10))): a unique index keeps what MySQL enforces as a
// unique index on substring(col, 1, n) (characters of text, bytes of binary). MySQL compares
// those prefixes under the column's collation, PostgreSQL by bytes, so PostgreSQL's index
// refuses no row MySQL took. Other indexes cover the whole column (they serve lookups).
void PlanPrefixes(const SourceIndex& ix, TablePlan* tp, IndexPlan* ip) {
  for (size_t k = 0; k < ix.prefix.size() && k < ix.columns.size(); ++k) {
    if (ix.prefix[k] <= 0) continue;
    if (ix.unique) {
      ip->prefix = ix.prefix;
      tp->warnings.push_back("unique index " + ix.name + " on the first " +
                             std::to_string(ix.prefix[k]) + " characters of " + ix.columns[k] +
                             ": kept on substring(" + ix.columns[k] + ", 1, " +
                             std::to_string(ix.prefix[k]) +
                             ") (MySQL compares them under its collation, PostgreSQL by bytes)");
    } else {
      tp->warnings.push_back("index " + ix.name + " uses a prefix length on " + ix.columns[k] +
                             "; full column indexed");
    }
  }
}

// A foreign key must reference a primary key or unique columns in PostgreSQL; InnoDB takes
// any indexed columns, and SQLite any columns. Such a key is left out (it would fail at the
// end of the copy), said in the plan, and counted by verify (ForeignKeyOrphansSql).
void LeaveOutNonUniqueReferences(const std::vector<TablePlan>& plans, TablePlan* tp) {
  std::vector<ForeignKeyPlan> kept;
  for (auto& fk : tp->foreign_keys) {
    auto ref = std::find_if(plans.begin(), plans.end(),
                            [&](const TablePlan& p) { return p.name == fk.ref_table; });
    std::set<std::string> cols(fk.ref_columns.begin(), fk.ref_columns.end());
    auto same = [&](const std::vector<std::string>& v) {
      return !v.empty() && std::set<std::string>(v.begin(), v.end()) == cols;
    };
    bool unique = ref == plans.end() || same(ref->primary_key) ||
                  std::any_of(ref->indexes.begin(), ref->indexes.end(), [&](const IndexPlan& ix) {
                    bool prefixed = std::any_of(ix.prefix.begin(), ix.prefix.end(),
                                                [](int n) { return n > 0; });
                    return ix.unique && !ix.fulltext && !ix.gist && !prefixed && same(ix.columns);
                  });
    if (unique) {
      kept.push_back(std::move(fk));
      continue;
    }
    tp->warnings.push_back("foreign key " + fk.name + " (" + QuotedList(fk.columns) + ") -> " +
                           fk.ref_table + " (" + QuotedList(fk.ref_columns) +
                           ") is not carried: those columns are not a primary key or unique in "
                           "the source, and PostgreSQL references only such keys; verify counts "
                           "the rows without a match");
    tp->foreign_keys_left_out.push_back(std::move(fk));
  }
  tp->foreign_keys = std::move(kept);
}

std::vector<TablePlan> BuildPlan(Source& source, const PlanOptions& options) {
  std::vector<TablePlan> plans;
  const TypeMapping& types = source.Types();
  for (auto& st : source.Tables()) {
    if (!options.tables.empty() &&
        std::find(options.tables.begin(), options.tables.end(), st.name) == options.tables.end())
      continue;
    TablePlan tp;
    tp.name = st.name;
    tp.primary_key = st.primary_key;
    tp.primary_key_name = st.primary_key_name.empty() || st.primary_key_name == "PRIMARY"
                              ? st.name + "_pkey"
                              : st.primary_key_name;
    for (size_t i = 0; i < st.columns.size(); ++i) {
      const auto& c = st.columns[i];
      ColumnPlan cp;
      cp.name = c.name;
      cp.source_index = static_cast<int>(i);
      cp.not_null = c.not_null;
      types.PlanColumn(source, st, c, &cp, &tp.warnings);
      bool rowid_alias = types.IsRowid(st, c);
      if (c.auto_increment || rowid_alias) {
        cp.identity = true;
        cp.not_null = true;
        cp.decision += "; identity (sequence set past the maximum)";
      }
      if (std::find(st.primary_key.begin(), st.primary_key.end(), c.name) != st.primary_key.end())
        cp.not_null = true;
      tp.columns.push_back(std::move(cp));
    }
    for (auto& cp : tp.columns) {
      if (!cp.wkb_after_srid) continue;
      if (options.postgis)
        SpatialToGeometry(st.columns[cp.source_index], &cp);
      else
        cp.decision += "; bytea, not geometry: the target has no postgis extension";
    }
    if (!options.strict && types.ScansValues())
      WidenToValues(source, st, &tp, kProfileRows,
                    options.invalid_text == InvalidTextPolicy::kBytea, options.check_all_text);
    for (auto& cp : tp.columns) {
      const auto& c = st.columns[cp.source_index];
      if (c.default_expr && !cp.identity) {
        // A constant the source evaluates is carried as the value it stores (SQLite: 0x10
        // is 16.0 in a REAL column); other text is translated as written.
        std::string why;
        auto stored = types.ConstantDefault(c, &why);
        if (stored)
          cp.default_sql = StoredDefaultSql(cp, *stored, &why);
        else if (why.empty())
          cp.default_sql = TranslateDefault(cp, *c.default_expr);
        if (!cp.default_sql && (!why.empty() || (!stored && Upper(*c.default_expr) != "NULL")))
          tp.warnings.push_back("column " + c.name + ": DEFAULT " + *c.default_expr + " is not a " +
                                cp.SqlType() + " value PostgreSQL can take as written; left out" +
                                (why.empty() ? "" : " (" + why + ")"));
      }
      for (auto& ck : cp.checks) tp.checks.push_back(ck);
    }
    for (const auto& ix : st.indexes) {
      IndexPlan ip{ix.name, ix.columns, ix.unique};
      ip.descending = ix.descending;
      PlanPrefixes(ix, &tp, &ip);
      if (ix.spatial && !PlanSpatialIndex(&tp, &ip)) continue;
      if (ix.fulltext && !PlanFullTextIndex(&tp, &ip)) continue;
      if (ip.name.empty() || ip.name.rfind("sqlite_autoindex", 0) == 0) {
        ip.name = st.name;
        for (auto& c : ip.columns) ip.name += "_" + c;
        ip.name += ix.unique ? "_key" : "_idx";
      }
      tp.indexes.push_back(std::move(ip));
    }
    for (const auto& ck : st.checks) {
      if (auto sql = types.RewriteCheck(st, tp.columns, ck))
        tp.checks.push_back(*sql);
      else if (auto why = types.CheckNotCarried(st, tp.columns, ck))
        tp.warnings.push_back(*why);
      else
        tp.checks.push_back(TranslateCheck(ck));
    }
    int fk_n = 0;
    for (const auto& fk : st.foreign_keys) {
      ForeignKeyPlan fp{fk.name,        fk.columns,   fk.ref_table,
                        fk.ref_columns, fk.on_delete, fk.on_update};
      if (fp.name.empty()) {
        fp.name =
            st.name + "_" + (fk.columns.empty() ? std::to_string(fk_n) : fk.columns[0]) + "_fkey";
      }
      ++fk_n;
      tp.foreign_keys.push_back(std::move(fp));
    }
    for (const auto& n : st.notes) tp.warnings.push_back(n);
    if (st.primary_key.empty())
      tp.warnings.push_back("no primary key: verify works, diff and sync need a key");
    tp.source = std::move(st);
    plans.push_back(std::move(tp));
  }
  AssignNames(&plans, options.renames);
  CheckNames(plans);
  AssignRelationNames(&plans);
  for (auto& tp : plans) LeaveOutNonUniqueReferences(plans, &tp);
  for (auto& tp : plans) PlanGenerated(types, &tp);
  return plans;
}

std::string ForeignKeyOrphansSql(const TablePlan& t, const ForeignKeyPlan& fk,
                                 const std::string& schema) {
  std::string set, match;
  for (size_t k = 0; k < fk.columns.size() && k < fk.ref_columns.size(); ++k) {
    set += (k ? " AND c." : "c.") + Quote(fk.columns[k]) + " IS NOT NULL";
    match += (k ? " AND p." : "p.") + Quote(fk.ref_columns[k]) + " = c." + Quote(fk.columns[k]);
  }
  return "SELECT count(*) FROM " + Quote(schema) + "." + Quote(t.name) + " c WHERE " + set +
         " AND NOT EXISTS (SELECT 1 FROM " + Quote(schema) + "." + Quote(fk.ref_table) +
         " p WHERE " + match + ")";
}

std::string CreateTableSql(const TablePlan& t, const std::string& schema) {
  std::string sql = "CREATE TABLE " + Quote(schema) + "." + Quote(t.name) + " (";
  for (size_t i = 0; i < t.columns.size(); ++i) {
    const auto& c = t.columns[i];
    sql += (i ? ", " : "") + Quote(c.name) + " " + c.SqlType();
    if (!c.collation.empty()) sql += " COLLATE " + Quote(c.collation);
    if (c.generated_sql) sql += " GENERATED ALWAYS AS (" + *c.generated_sql + ") STORED";
    if (c.identity) sql += " GENERATED BY DEFAULT AS IDENTITY";
    if (c.not_null && !c.identity) sql += " NOT NULL";
    if (c.default_sql) sql += " DEFAULT " + *c.default_sql;
  }
  return sql + ")";
}

std::vector<std::string> OnUpdateTriggerSql(const TablePlan& t, const std::string& schema) {
  std::vector<std::string> sql;
  for (const auto& c : t.columns) {
    if (!c.on_update_now) continue;
    std::string fn = Quote(schema) + "." + Quote(t.name + "_" + c.name + "_on_update");
    std::string col = Quote(c.name);
    std::string now = c.type == PgType::kTimestampTz ? "CURRENT_TIMESTAMP"
                                                     : "(CURRENT_TIMESTAMP AT TIME ZONE 'UTC')";
    sql.push_back("CREATE OR REPLACE FUNCTION " + fn +
                  "() RETURNS trigger LANGUAGE plpgsql AS $corrente$BEGIN IF "
                  "coalesce(current_setting('corrente.sync', true), '') <> 'on' AND NEW." +
                  col + " IS NOT DISTINCT FROM OLD." + col +
                  " AND NEW IS DISTINCT FROM OLD THEN NEW." + col + " := " + now +
                  "; END IF; RETURN NEW; END$corrente$");
    sql.push_back("CREATE OR REPLACE TRIGGER " + Quote(t.name + "_" + c.name + "_on_update") +
                  " BEFORE UPDATE ON " + Quote(schema) + "." + Quote(t.name) +
                  " FOR EACH ROW EXECUTE FUNCTION " + fn + "()");
  }
  return sql;
}

std::string RenderPlan(const std::vector<TablePlan>& plans, const std::string& schema) {
  std::ostringstream out;
  out << "-- target schema " << Quote(schema) << "\nCREATE SCHEMA IF NOT EXISTS " << Quote(schema)
      << ";\n";
  int warnings = 0;
  for (const auto& t : plans) {
    out << "\n-- table " << t.name << "\n" << CreateTableSql(t, schema) << ";\n";
    std::string q = Quote(schema) + "." + Quote(t.name);
    if (!t.primary_key.empty())
      out << "ALTER TABLE " << q << " ADD CONSTRAINT " << Quote(t.primary_key_name)
          << " PRIMARY KEY (" << QuotedList(t.primary_key) << ");\n";
    for (const auto& ix : t.indexes) out << CreateIndexSql(ix, q) << ";\n";
    for (const auto& ck : t.checks) out << "ALTER TABLE " << q << " ADD CHECK (" << ck << ");\n";
    for (const auto& fk : t.foreign_keys)
      out << "ALTER TABLE " << q << " ADD CONSTRAINT " << Quote(fk.name) << " FOREIGN KEY ("
          << QuotedList(fk.columns) << ") REFERENCES " << Quote(schema) << "." << Quote(fk.ref_table)
          << " (" << QuotedList(fk.ref_columns) << ");\n";
    for (const auto& s : OnUpdateTriggerSql(t, schema)) out << s << ";\n";
    for (const auto& s : CommentSql(t, schema)) out << s << ";\n";
    for (const auto& c : t.columns) out << "--   " << c.name << ": " << c.decision << "\n";
    for (const auto& w : t.warnings) {
      out << "-- WARNING " << t.name << ": " << w << "\n";
      ++warnings;
    }
  }
  out << "\n-- " << plans.size() << " tables, " << warnings << " warnings\n";
  return out.str();
}

}  // namespace corrente::migrate
