#include <algorithm>

#include "migrate/types.h"

namespace corrente::migrate {
namespace {

void PlanDuckdbColumn(const SourceColumn& c, ColumnPlan* p, std::vector<std::string>* warnings) {
  std::string t = Upper(c.declared_type);
  auto [a1, a2] = TypeArgs(t);
  auto base = t.substr(0, t.find('('));
  if (base == "TINYINT" || base == "SMALLINT" || base == "UTINYINT")
    p->type = PgType::kSmallInt;
  else if (base == "INTEGER" || base == "USMALLINT")
    p->type = PgType::kInteger;
  else if (base == "BIGINT" || base == "UINTEGER")
    p->type = PgType::kBigInt;
  else if (base == "UBIGINT" || base == "HUGEINT" || base == "UHUGEINT") {
    p->type = PgType::kNumeric;
    p->precision = base == "UBIGINT" ? 20 : 39;
    p->scale = 0;
  } else if (base == "DECIMAL") {
    p->type = PgType::kNumeric;
    p->precision = a1;
    p->scale = a2 < 0 ? 0 : a2;
  } else if (base == "DOUBLE" || base == "FLOAT")
    p->type = PgType::kDouble;
  else if (base == "BOOLEAN")
    p->type = PgType::kBool;
  else if (base == "DATE")
    p->type = PgType::kDate;
  else if (base == "TIMESTAMP")
    p->type = PgType::kTimestamp;
  else if (base == "TIMESTAMP WITH TIME ZONE")
    p->type = PgType::kTimestampTz;
  else if (base == "TIME")
    p->type = PgType::kTime;
  else if (base == "BLOB")
    p->type = PgType::kBytea;
  else if (base == "UUID")
    p->type = PgType::kUuid;
  else if (base == "VARCHAR")
    p->type = PgType::kText;
  else if (base == "JSON")
    p->type = PgType::kJsonb;
  else {
    p->type = PgType::kText;
    warnings->push_back("column " + c.name + ": DuckDB type " + c.declared_type +
                        " carried as its text form");
  }
  p->decision = c.declared_type + " -> " + p->SqlType();
  if (base == "FLOAT") p->decision += " (the float's exact value, read as a double)";
  if (p->type == PgType::kText) {
    p->collation = "C";  // DuckDB orders VARCHAR by bytes, as PostgreSQL's "C" does
    p->decision += " COLLATE \"C\" (DuckDB: byte order)";
  }
}

class DuckdbTypeMapping final : public TypeMapping {
 public:
  void PlanColumn(Source& src, const SourceTable& table, const SourceColumn& c, ColumnPlan* p,
                  std::vector<std::string>* warnings) const override {
    (void)src, (void)table;
    PlanDuckdbColumn(c, p, warnings);
  }
};

}  // namespace

const TypeMapping& DuckdbTypes() {
  static const DuckdbTypeMapping kTypes;
  return kTypes;
}

}  // namespace corrente::migrate
