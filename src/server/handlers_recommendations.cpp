// GET /api/v1/recommendations and PATCH /api/v1/recommendations/{id}/acknowledge.
#include "server/handlers.h"

namespace corrente::server {
namespace {

constexpr const char* kColumns =
    "r.recommendation_id, r.item_id, i.sku, r.site_id, r.type, r.priority, r.message, "
    "r.action_date,"
    " r.quantity_recommended, r.details, r.created_at, r.updated_at, r.acknowledged_at, "
    "r.acknowledged_by, r.run_id, r.priority_score";

// The orders `sort` may name: fixed SQL, never text from the request.
std::string OrderBy(const std::optional<std::string>& sort) {
  const std::string label =
      "CASE r.priority WHEN 'CRITICAL' THEN 0 WHEN 'HIGH' THEN 1 WHEN 'MEDIUM' THEN 2 ELSE 3 END";
  if (sort == "-priority") return "r.priority_score DESC, " + label + ", r.created_at DESC";
  if (sort == "priority") return "r.priority_score, " + label + " DESC, r.created_at";
  if (sort == "-created_at") return "r.created_at DESC";
  if (sort == "created_at") return "r.created_at";
  return label + ", r.priority_score DESC, r.created_at DESC";
}

Response List(Ctx& ctx) {
  Params p(ctx.req);
  auto priority = p.Enum("priority", {"LOW", "MEDIUM", "HIGH", "CRITICAL"});
  auto type = p.Enum("type", {"REORDER", "PROMO", "REALLOCATE", "HOLD", "EXPEDITE"});
  auto site = p.Int("site_id", 1, 2147483647);
  auto item = p.Int("item_id", 1, 2147483647);
  auto acked = p.Bool("acknowledged");
  auto sort = p.Enum("sort", {"-priority", "priority", "-created_at", "created_at"});
  int64_t limit = p.Limit(), offset = p.Offset();
  p.Check();
  return ListPage(
      ctx,
      std::string("SELECT ") + kColumns +
          ", count(*) OVER () AS total_count"
          " FROM analytics.recommendations r LEFT JOIN core.dim_item i ON i.item_id = r.item_id"
          " WHERE ($1::text IS NULL OR r.priority = $1) AND ($2::text IS NULL OR r.type = $2)"
          " AND ($3::int IS NULL OR r.site_id = $3) AND ($4::int IS NULL OR r.item_id = $4)"
          " AND ($5::boolean IS NULL OR (r.acknowledged_at IS NOT NULL) = $5)"
          " ORDER BY " + OrderBy(sort) + ", r.recommendation_id LIMIT $6 OFFSET $7",
      {priority, type, pg::ToParam(site), pg::ToParam(item), pg::ToParam(acked)}, limit, offset);
}

Response Acknowledge(Ctx& ctx) {
  Params p(ctx.req);
  int64_t id = p.PathId("id");
  p.Check();
  std::string out;
  InTransaction(ctx, [&] {
    auto r = ctx.db.Q(
        "UPDATE analytics.recommendations SET acknowledged_at = now(), acknowledged_by = $2, "
        "updated_at = now()"
        " WHERE recommendation_id = $1 AND acknowledged_at IS NULL RETURNING recommendation_id",
        id, ctx.user->username);
    if (r.Rows() == 0) {
      auto e = ctx.db.Q(
          "SELECT acknowledged_by FROM analytics.recommendations WHERE recommendation_id = $1", id);
      if (e.Rows() == 0)
        throw ApiError(404, "not_found",
                       "recommendation " + std::to_string(id) + " does not exist");
      throw ApiError(409, "conflict",
                     "recommendation " + std::to_string(id) + " was already acknowledged by " +
                         e.GetString(0, 0));
    }
    WriteAudit(ctx.db, ctx.req,
               {ctx.user->username, "RECOMMENDATION_ACKNOWLEDGE", "recommendation", id,
                "{\"acknowledged_by\":" + JsonString(ctx.user->username) + "}"});
    auto row = ctx.db.Q(
        std::string("SELECT ") + kColumns +
            " FROM analytics.recommendations r LEFT JOIN core.dim_item i ON i.item_id = r.item_id"
            " WHERE r.recommendation_id = $1",
        id);
    AppendRowJson(out, row, 0);
  });
  return Envelope(out);
}

}  // namespace

void AddRecommendationRoutes(std::vector<ApiRoute>& routes, Services&) {
  routes.push_back(
      {"GET",
       "/api/v1/recommendations",
       Role::kViewer,
       true,
       true,
       "recommendations",
       "List recommendations, most urgent first",
       {{"priority", "query", "string", {"LOW", "MEDIUM", "HIGH", "CRITICAL"}, "priority"},
        {"type", "query", "string", {"REORDER", "PROMO", "REALLOCATE", "HOLD", "EXPEDITE"}, "type"},
        {"site_id", "query", "integer", {}, "site"},
        {"item_id", "query", "integer", {}, "item"},
        {"acknowledged", "query", "boolean", {}, "acknowledged or not"},
        {"sort", "query", "string", {"-priority", "priority", "-created_at", "created_at"}, "order: -priority is by priority_score (money at risk), highest first; default: by label, then score"},
        LimitDoc(),
        OffsetDoc(),
        FormatDoc()},
       "",
       List});
  routes.push_back({"PATCH",
                    "/api/v1/recommendations/{id}/acknowledge",
                    Role::kAnalyst,
                    false,
                    false,
                    "recommendations",
                    "Acknowledge a recommendation as the caller (409 when already acknowledged)",
                    {IdDoc("id")},
                    "",
                    Acknowledge});
}

}  // namespace corrente::server
