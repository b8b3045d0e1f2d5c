#include <algorithm>

#include "migrate/generated.h"
#include "migrate/sqlite_default.h"
#include "migrate/types.h"

namespace corrente::migrate {
namespace {

// Maps a SQLite declared type by its affinity rules.
void PlanSqliteColumn(const SourceColumn& c, ColumnPlan* p, std::vector<std::string>* warnings) {
  std::string t = Upper(c.declared_type);
  auto [a1, a2] = TypeArgs(t);
  std::string d = c.declared_type.empty() ? "(no type)" : c.declared_type;
  if (Contains(t, "INT")) {
    p->type = PgType::kBigInt;
    p->decision = d + " -> bigint (SQLite integers are 64-bit)";
  } else if (t.rfind("BOOL", 0) == 0) {
    p->type = PgType::kBool;
    p->decision = d + " -> boolean";
  } else if (Contains(t, "CHAR") || Contains(t, "CLOB") || Contains(t, "TEXT")) {
    if (a1 > 0 && Contains(t, "CHAR")) {
      p->type = PgType::kVarchar;
      p->precision = a1;
      p->decision =
          d + " -> varchar(" + std::to_string(a1) + ") (longer values are rejected, not cut)";
    } else {
      p->type = PgType::kText;
      p->decision = d + " -> text";
    }
    // SQLite's default BINARY collation orders text by its bytes, as PostgreSQL's "C" does;
    // a server whose default is a locale collation would order (and index) it differently.
    if (c.collation.empty() || Upper(c.collation) == "BINARY") {
      p->collation = "C";
      p->decision += " COLLATE \"C\" (SQLite BINARY: byte order)";
    } else {
      p->decision += " (SQLite collation " + Upper(c.collation) + " not carried)";
      warnings->push_back("column " + c.name + ": SQLite collation " + Upper(c.collation) +
                          " not carried; PostgreSQL compares it with the database's collation");
    }
  } else if (Contains(t, "BLOB") || t.empty()) {
    if (t.empty()) {
      p->type = PgType::kText;
      p->decision = "(no type) -> text (values that are not UTF-8 text are rejected)";
    } else {
      p->type = PgType::kBytea;
      p->decision = d + " -> bytea";
    }
  } else if (Contains(t, "REAL") || Contains(t, "FLOA") || Contains(t, "DOUB")) {
    p->type = PgType::kDouble;
    p->decision = d + " -> double precision";
  } else if (t.rfind("DATETIME", 0) == 0 || t.rfind("TIMESTAMP", 0) == 0) {
    p->type = PgType::kTimestamp;
    p->decision = d + " -> timestamp without time zone (no shift; integers read as Unix ms)";
  } else if (t == "DATE") {
    p->type = PgType::kDate;
    p->decision = d + " -> date";
  } else if (t == "TIME") {
    p->type = PgType::kTime;
    p->decision = d + " -> time";
  } else if (t == "UUID") {
    p->type = PgType::kUuid;
    p->decision = d + " -> uuid";
  } else {
    p->type = PgType::kNumeric;
    p->precision = a1;
    p->scale = a1 > 0 ? std::max(a2, 0) : -1;
    p->decision = d + " -> " + p->SqlType();
  }
}

class SqliteTypeMapping final : public TypeMapping {
 public:
  void PlanColumn(Source& src, const SourceTable& table, const SourceColumn& c, ColumnPlan* p,
                  std::vector<std::string>* warnings) const override {
    (void)src, (void)table;
    PlanSqliteColumn(c, p, warnings);
  }
  // An INTEGER PRIMARY KEY is SQLite's rowid.
  bool ScansValues() const override { return true; }
  // A CHECK comparing text of a NOCASE or RTRIM column ('a' = 'A', 'b ' = 'b' in SQLite) would
  // refuse rows in PostgreSQL that SQLite took: left out, unless the generated-column
  // translator (which refuses comparisons under those collations) takes it.
  std::optional<std::string> CheckNotCarried(const SourceTable& table,
                                             const std::vector<ColumnPlan>& columns,
                                             const std::string& check) const override {
    for (const auto& c : table.columns) {
      if (c.collation.empty() || Upper(c.collation) == "BINARY" || !MentionsColumn(check, c.name))
        continue;
      ColumnPlan self;
      self.type = PgType::kBool;
      std::string why;
      if (TranslateGenerated(ExprDialect::kSqlite, check, table, columns, self, &why))
        return std::nullopt;
      return "CHECK (" + check + ") is not carried: it may compare the text of column " +
             c.name + ", which SQLite compares under collation " + Upper(c.collation) +
             ", not byte by byte as PostgreSQL would; every row is carried, and the rule is "
             "not enforced in PostgreSQL";
    }
    return std::nullopt;
  }
  std::optional<std::string> GeneratedSql(const SourceTable& table,
                                          const std::vector<ColumnPlan>& columns,
                                          const ColumnPlan& self, std::string* why) const override {
    return TranslateGenerated(ExprDialect::kSqlite,
                              table.columns[self.source_index].generation_expr, table, columns,
                              self, why);
  }
  std::optional<StoredDefault> ConstantDefault(const SourceColumn& c,
                                               std::string* why) const override {
    return c.default_expr ? SqliteConstantDefault(c.declared_type, *c.default_expr, why)
                          : std::nullopt;
  }
  bool IsRowid(const SourceTable& table, const SourceColumn& c) const override {
    return table.primary_key.size() == 1 && table.primary_key[0] == c.name &&
           Upper(c.declared_type) == "INTEGER" && !table.key_indexed;
  }
};

}  // namespace

const TypeMapping& SqliteTypes() {
  static const SqliteTypeMapping kTypes;
  return kTypes;
}

}  // namespace corrente::migrate
