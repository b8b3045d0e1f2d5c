#include "migrate/context.h"

#include <algorithm>
#include <stdexcept>

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

SourceContext OpenContext(const EngineOptions& o) {
  SourceContext ctx;
  ctx.source = OpenSource(o.source_url);
  ctx.schema = SchemaOf(o, *ctx.source);
  PlanOptions po;
  po.zero_dates = o.zero_dates;
  po.strict = o.strict;
  po.renames = o.renames;
  po.tables = o.tables;
  ctx.plans = BuildPlan(*ctx.source, po);
  for (const auto& name : o.tables)
    if (std::none_of(ctx.plans.begin(), ctx.plans.end(),
                     [&](const TablePlan& p) { return p.name == name; }))
      throw std::runtime_error("no table '" + name + "' in the source");
  return ctx;
}

}  // namespace corrente::migrate
