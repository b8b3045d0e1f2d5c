#include <algorithm>

#include "migrate/types.h"

namespace corrente::migrate {
namespace {

void PlanCsvColumn(const SourceColumn& c, ColumnPlan* p) {
  const std::string& t = c.declared_type;  // the CSV source infers one of these
  if (t == "bigint")
    p->type = PgType::kBigInt;
  else if (t == "double precision")
    p->type = PgType::kDouble;
  else if (t == "numeric")
    p->type = PgType::kNumeric;
  else if (t == "date")
    p->type = PgType::kDate;
  else if (t == "timestamp")
    p->type = PgType::kTimestamp;
  else if (t == "boolean")
    p->type = PgType::kBool;
  else
    p->type = PgType::kText;
  p->decision = "inferred from every value -> " + p->SqlType();
}

class CsvTypeMapping final : public TypeMapping {
 public:
  void PlanColumn(Source& src, const SourceTable& table, const SourceColumn& c, ColumnPlan* p,
                  std::vector<std::string>* warnings) const override {
    (void)src, (void)table, (void)warnings;
    PlanCsvColumn(c, p);
  }
};

}  // namespace

const TypeMapping& CsvTypes() {
  static const CsvTypeMapping kTypes;
  return kTypes;
}

}  // namespace corrente::migrate
