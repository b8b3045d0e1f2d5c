#include <algorithm>

#include "migrate/generated.h"
#include "migrate/types.h"

namespace corrente::migrate {
namespace {

void PlanMysqlColumn(Source& src, const SourceTable& table, const SourceColumn& c, ColumnPlan* p,
                     std::vector<std::string>* warnings) {
  std::string t = Lower(c.declared_type);
  bool unsig = Contains(t, "unsigned");
  auto base = t.substr(0, t.find_first_of("( "));
  auto [a1, a2] = TypeArgs(t);
  const std::string& d = c.declared_type;
  auto set = [&](PgType type, std::string why = {}) {
    p->type = type;
    p->decision = d + " -> " + p->SqlType() + (why.empty() ? "" : " (" + why + ")");
  };
  if (base == "tinyint" && t.rfind("tinyint(1)", 0) == 0 && !unsig) {
    if (src.AllZeroOrOne(table, c.name)) {
      p->source_is_int_bool = true;
      set(PgType::kBool, "every value is 0 or 1");
    } else {
      set(PgType::kSmallInt, "tinyint(1) holds values other than 0/1, kept as a number");
    }
  } else if (base == "tinyint") {
    set(PgType::kSmallInt);
  } else if (base == "smallint") {
    set(unsig ? PgType::kInteger : PgType::kSmallInt);
  } else if (base == "mediumint") {
    set(PgType::kInteger);
  } else if (base == "int" || base == "integer") {
    set(unsig ? PgType::kBigInt : PgType::kInteger);
  } else if (base == "bigint") {
    if (unsig) {
      p->precision = 20;
      p->scale = 0;
      set(PgType::kNumeric, "unsigned bigint exceeds bigint");
    } else {
      set(PgType::kBigInt);
    }
  } else if (base == "decimal" || base == "numeric") {
    p->precision = a1 > 0 ? a1 : 10;
    p->scale = a2 >= 0 ? a2 : 0;
    set(PgType::kNumeric);
  } else if (base == "float" || base == "double" || base == "real") {
    // MySQL prints a FLOAT with 6 digits (1234567 as 1234570): the scan reads it as a double.
    set(PgType::kDouble, base == "float" ? "float4 read as its exact value, not as MySQL prints it"
                                         : "");
  } else if (base == "bit") {
    if (a1 == 1) {
      p->bit_string = true;
      set(PgType::kBool);
    } else if (a1 == 64) {
      p->bit_string = true;
      p->precision = 20;
      p->scale = 0;
      set(PgType::kNumeric, "bit(64) as its unsigned value, which exceeds bigint");
    } else {
      p->bit_string = true;
      set(PgType::kBigInt, "bit(n) as its unsigned value");
    }
  } else if (base == "char" || base == "varchar") {
    p->precision = a1 > 0 ? a1 : -1;
    set(a1 > 0 ? PgType::kVarchar : PgType::kText);
  } else if (base == "json" || (c.json && Contains(base, "text"))) {
    set(PgType::kJsonb, c.json ? "MariaDB JSON: LONGTEXT with a json_valid CHECK" : "");
  } else if (Contains(base, "text")) {
    set(PgType::kText);
  } else if (Contains(base, "blob") || base == "binary" || base == "varbinary") {
    set(PgType::kBytea);
  } else if (base == "uuid") {  // MariaDB 10.7+
    set(PgType::kUuid);
  } else if (base == "date") {
    set(PgType::kDate);
  } else if (base == "datetime") {
    set(PgType::kTimestamp, "no time zone shift");
  } else if (base == "timestamp") {
    set(PgType::kTimestampTz, "MySQL TIMESTAMP is UTC; read with time_zone '+00:00'");
  } else if (base == "time") {
    set(PgType::kInterval, "MySQL TIME is a duration up to 838 hours");
  } else if (base == "year") {
    set(PgType::kSmallInt);
  } else if (base == "enum" || base == "set") {
    std::string list;
    for (const auto& m : c.members) list += (list.empty() ? "" : ", ") + SqlLiteral(m);
    if (base == "enum") {
      // '' is MySQL's error value (index 0), which a non-strict sql_mode stores for any value
      // that is not a member: a value the column can hold.
      bool empty_member = std::find(c.members.begin(), c.members.end(), "") != c.members.end();
      p->checks.push_back(Quote(c.name) + " IN (" + list + (empty_member ? "" : ", ''") + ")");
      set(PgType::kText, empty_member ? "enum members kept as CHECK"
                                      : "enum members kept as CHECK, with '', MySQL's error value");
    } else {
      p->checks.push_back(Quote(c.name) + " = '' OR string_to_array(" + Quote(c.name) +
                          ", ',') <@ ARRAY[" + list + "]::text[]");
      set(PgType::kText, "set members kept as CHECK");
    }
  } else if (base == "geometry" || base == "point" || base == "linestring" || base == "polygon" ||
             base == "multipoint" || base == "multilinestring" || base == "multipolygon" ||
             base == "geometrycollection") {
    // MySQL stores a geometry as a 4-byte SRID and its WKB; the column keeps the WKB.
    p->wkb_after_srid = true;
    set(PgType::kBytea, "spatial: its WKB; the SRID prefix is dropped");
  } else {
    set(PgType::kText, "unknown type carried as text");
    warnings->push_back("column " + c.name + ": type " + d +
                        " has no exact equivalent; carried as text");
  }
  if (c.on_update_now && (p->type == PgType::kTimestamp || p->type == PgType::kTimestampTz)) {
    p->on_update_now = true;
    p->decision += "; ON UPDATE CURRENT_TIMESTAMP as a BEFORE UPDATE trigger";
  }
  // Text arrives in the column's own charset (character_set_results NULL).
  if (c.charset == "latin1" || c.charset == "cp1252") {
    p->charset = TextCharset::kLatin1;  // MySQL's latin1 is cp1252
    p->decision += " [" + c.charset + " converted to UTF-8]";
  } else if (MysqlServerConverts(c.charset)) {
    p->decision += " [" + c.charset + " converted to UTF-8 by the server]";
  }
}

}  // namespace

bool MysqlServerConverts(const std::string& charset) {
  return !charset.empty() && charset != "utf8mb4" && charset != "utf8mb3" && charset != "utf8" &&
         charset != "ascii" && charset != "binary" && charset != "latin1" && charset != "cp1252";
}

void SpatialToGeometry(const SourceColumn& c, ColumnPlan* p) {
  static const char* kTypes[] = {
      "Point",           "LineString",   "Polygon",           "MultiPoint",
      "MultiLineString", "MultiPolygon", "GeometryCollection"};
  std::string base = Lower(c.declared_type);
  base = base.substr(0, base.find_first_of("( "));
  p->geometry.clear();
  for (const char* t : kTypes)
    if (base == Lower(t)) p->geometry = t;
  p->srid = c.srid;
  p->type = PgType::kGeometry;
  p->wkb_after_srid = false;
  p->decision = c.declared_type + " -> " + p->SqlType() +
                " (PostGIS: the target has the postgis extension; each value keeps its SRID)";
}

namespace {

// The text column of `table` that CHECK `check` names and MySQL compares under a collation
// (not byte by byte: every one but binary and the NO PAD _bin ones), or nullptr.
const SourceColumn* ComparedText(const SourceTable& table, const std::string& check) {
  for (const auto& c : table.columns)
    if (!c.charset.empty() && c.charset != "binary" && !c.collation.ends_with("_nopad_bin") &&
        !c.collation.ends_with("_0900_bin") && MentionsColumn(check, c.name))
      return &c;
  return nullptr;
}

// `col = 'x'`, `col <> 'x'` (`!=`), `col IN ('a', ...)` on a column under a PAD SPACE _bin
// collation (MariaDB's CHECK_CLAUSE text: `col` in ('a','b')), as PostgreSQL compares it:
// bytes, trailing spaces ignored on both sides (rtrim(col, ' ') = 'x'). nullopt for any other
// form, or a literal with a quote or a backslash.
std::optional<std::string> PadSpaceBinCheck(const std::string& check, const SourceColumn& c,
                                            const std::string& target) {
  size_t i = 0;
  auto ws = [&] {
    while (i < check.size() && check[i] == ' ') ++i;
  };
  auto literal = [&]() -> std::optional<std::string> {
    ws();
    if (i >= check.size() || check[i] != '\'') return std::nullopt;
    size_t end = check.find('\'', i + 1);
    if (end == std::string::npos) return std::nullopt;
    std::string v = check.substr(i + 1, end - i - 1);
    if (v.find('\\') != std::string::npos) return std::nullopt;
    i = end + 1;
    v.erase(v.find_last_not_of(' ') + 1);  // PAD SPACE: 'y ' is 'y'
    return SqlLiteral(v);
  };
  ws();
  std::string name = "`" + c.name + "`";
  if (Lower(check.substr(i, name.size())) != Lower(name)) return std::nullopt;
  i += name.size();
  ws();
  std::string op, rhs;
  if (check.compare(i, 2, "<>") == 0 || check.compare(i, 2, "!=") == 0) {
    op = "<>";
    i += 2;
  } else if (check.compare(i, 1, "=") == 0) {
    op = "=";
    i += 1;
  } else if (Lower(check.substr(i, 2)) == "in") {
    op = "IN";
    i += 2;
    ws();
    if (i >= check.size() || check[i] != '(') return std::nullopt;
    ++i;
    for (rhs = "(";;) {
      auto v = literal();
      if (!v) return std::nullopt;
      rhs += (rhs.size() > 1 ? ", " : "") + *v;
      ws();
      if (i < check.size() && check[i] == ',') {
        ++i;
        continue;
      }
      if (i >= check.size() || check[i] != ')') return std::nullopt;
      ++i;
      rhs += ")";
      break;
    }
  } else {
    return std::nullopt;
  }
  if (op != "IN") {
    auto v = literal();
    if (!v) return std::nullopt;
    rhs = *v;
  }
  ws();
  if (i != check.size()) return std::nullopt;
  return "rtrim(" + Quote(target) + ", ' ') " + op + " " + rhs;
}

// MySQL compares text under the column's collation: without case (and often accents) under
// _ci ones, and with trailing spaces ignored ('a' = 'a ') under every PAD SPACE one, _bin
// included. A CHECK comparing such text would refuse rows in PostgreSQL that MySQL took (or
// take rows it refused), so it is left out, unless it provably compares no text: the
// generated-column translator, which refuses MySQL text comparisons, takes it.
std::optional<std::string> MysqlCheckNotCarried(const SourceTable& table,
                                                const std::vector<ColumnPlan>& columns,
                                                const std::string& check) {
  const SourceColumn* text = ComparedText(table, check);
  if (!text) return std::nullopt;
  ColumnPlan self;
  self.type = PgType::kBool;
  std::string why;
  if (TranslateGenerated(ExprDialect::kMysql, check, table, columns, self, &why))
    return std::nullopt;
  bool ci = text->collation.find("_ci") != std::string::npos;
  return "CHECK (" + check + ") is not carried: it may compare the text of column " + text->name +
         ", which MySQL compares under collation " + text->collation +
         (ci ? " (case-insensitive, trailing spaces ignored)" : " (trailing spaces ignored)") +
         ", not byte by byte as PostgreSQL would; every row is carried, and the rule is not "
         "enforced in PostgreSQL";
}

class MysqlTypeMapping final : public TypeMapping {
 public:
  void PlanColumn(Source& src, const SourceTable& table, const SourceColumn& c, ColumnPlan* p,
                  std::vector<std::string>* warnings) const override {
    PlanMysqlColumn(src, table, c, p, warnings);
  }
  std::optional<std::string> GeneratedSql(const SourceTable& table,
                                          const std::vector<ColumnPlan>& columns,
                                          const ColumnPlan& self, std::string* why) const override {
    return TranslateGenerated(ExprDialect::kMysql, table.columns[self.source_index].generation_expr,
                              table, columns, self, why);
  }
  std::optional<std::string> CheckNotCarried(const SourceTable& table,
                                             const std::vector<ColumnPlan>& columns,
                                             const std::string& check) const override {
    return MysqlCheckNotCarried(table, columns, check);
  }
  // A CHECK comparing a PAD SPACE _bin column with literals (=, <>, IN): as MySQL compares.
  std::optional<std::string> RewriteCheck(const SourceTable& table,
                                          const std::vector<ColumnPlan>& columns,
                                          const std::string& check) const override {
    const SourceColumn* text = ComparedText(table, check);
    if (!text || !text->collation.ends_with("_bin")) return std::nullopt;
    for (const auto& cp : columns)
      if (&table.columns[cp.source_index] == text &&
          (cp.type == PgType::kText || cp.type == PgType::kVarchar))  // not jsonb (MariaDB JSON)
        return PadSpaceBinCheck(check, *text, cp.name);
    return std::nullopt;
  }
};

}  // namespace

const TypeMapping& MysqlTypes() {
  static const MysqlTypeMapping kTypes;
  return kTypes;
}

}  // namespace corrente::migrate
