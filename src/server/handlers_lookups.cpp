// GET /api/v1/sites, /api/v1/regions, /api/v1/suppliers: the dashboard's filter lists.
#include "server/handlers.h"

namespace corrente::server {
namespace {

Response ListSites(Ctx& ctx) {
  Params p(ctx.req);
  auto type = p.Enum("site_type", {"WAREHOUSE", "STORE", "DISTRIBUTION_CENTER"});
  auto region = p.Int("region_id", 1, kMaxId);
  auto active = p.Bool("active");
  int64_t limit = p.Limit(), offset = p.Offset();
  p.Check();
  return ListPage(
      ctx,
      "SELECT s.site_id, s.code, s.name, s.region_id, r.name AS region_name, s.latitude,"
      " s.longitude, s.site_type, s.active, count(*) OVER () AS total_count"
      " FROM core.dim_site s LEFT JOIN core.dim_region r ON r.region_id = s.region_id"
      " WHERE ($1::text IS NULL OR s.site_type = $1)"
      " AND ($2::int IS NULL OR s.region_id = $2)"
      " AND ($3::boolean IS NULL OR s.active = $3)"
      " ORDER BY s.site_id LIMIT $4 OFFSET $5",
      {type, pg::ToParam(region), pg::ToParam(active)}, limit, offset);
}

Response ListRegions(Ctx& ctx) {
  Params p(ctx.req);
  int64_t limit = p.Limit(), offset = p.Offset();
  p.Check();
  return ListPage(
      ctx,
      "SELECT r.region_id, r.name, r.state_code, r.economic_zone,"
      " (SELECT count(*) FROM core.dim_site s WHERE s.region_id = r.region_id) AS site_count,"
      " count(*) OVER () AS total_count FROM core.dim_region r ORDER BY r.region_id"
      " LIMIT $1 OFFSET $2",
      {}, limit, offset);
}

Response ListSuppliers(Ctx& ctx) {
  Params p(ctx.req);
  auto type = p.Enum("supplier_type", {"DOMESTIC", "IMPORT", "HYBRID"});
  auto active = p.Bool("active");
  int64_t limit = p.Limit(), offset = p.Offset();
  p.Check();
  return ListPage(
      ctx,
      "SELECT supplier_id, code, name, supplier_type, reliability_score, avg_lead_time_days,"
      " on_time_delivery_rate, active, count(*) OVER () AS total_count FROM core.dim_supplier"
      " WHERE ($1::text IS NULL OR supplier_type = $1)"
      " AND ($2::boolean IS NULL OR active = $2)"
      " ORDER BY supplier_id LIMIT $3 OFFSET $4",
      {type, pg::ToParam(active)}, limit, offset);
}

}  // namespace

void AddLookupRoutes(std::vector<ApiRoute>& routes, Services&) {
  routes.push_back({"GET",
                    "/api/v1/sites",
                    Role::kViewer,
                    true,
                    true,
                    "lookups",
                    "List sites",
                    {{"site_type",
                      "query",
                      "string",
                      {"WAREHOUSE", "STORE", "DISTRIBUTION_CENTER"},
                      "site type"},
                     {"region_id", "query", "integer", {}, "region"},
                     {"active", "query", "boolean", {}, "active flag"},
                     LimitDoc(),
                     OffsetDoc(),
                     FormatDoc()},
                    "",
                    ListSites});
  routes.push_back({"GET",
                    "/api/v1/regions",
                    Role::kViewer,
                    true,
                    true,
                    "lookups",
                    "List regions",
                    {LimitDoc(), OffsetDoc(), FormatDoc()},
                    "",
                    ListRegions});
  routes.push_back(
      {"GET",
       "/api/v1/suppliers",
       Role::kViewer,
       true,
       true,
       "lookups",
       "List suppliers",
       {{"supplier_type", "query", "string", {"DOMESTIC", "IMPORT", "HYBRID"}, "supplier type"},
        {"active", "query", "boolean", {}, "active flag"},
        LimitDoc(),
        OffsetDoc(),
        FormatDoc()},
       "",
       ListSuppliers});
}

}  // namespace corrente::server
