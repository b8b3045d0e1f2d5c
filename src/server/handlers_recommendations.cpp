// GET /api/v1/recommendations and /recommendations/groups (item x site), PATCH
// /api/v1/recommendations/{id}/acknowledge, POST /api/v1/recommendations/bulk (acknowledge, or
// unacknowledge: the undo).
#include "server/effective_forecast.h"
#include "server/handlers.h"
#include "server/queue.h"

namespace corrente::server {
namespace {

// quantity_recommended is the effective one (an approved override's, else the pipeline's);
// quantity_model is always the pipeline's.
const std::string kColumns =
    "r.recommendation_id, r.item_id, i.sku, r.site_id, r.type, r.priority, r.message, "
    "r.action_date, " +
    EffectiveQuantity("r") +
    " AS quantity_recommended,"
    " r.quantity_recommended AS quantity_model, r.details, r.created_at, r.updated_at,"
    " r.acknowledged_at, r.acknowledged_by, r.run_id, r.priority_score";

const std::string kLabelRank =
    "CASE r.priority WHEN 'CRITICAL' THEN 0 WHEN 'HIGH' THEN 1 WHEN 'MEDIUM' THEN 2 ELSE 3 END";

// The filters /recommendations and /recommendations/groups share, as $1..$6 of kWhere.
constexpr const char* kWhere =
    " WHERE ($1::text IS NULL OR r.priority = $1) AND ($2::text IS NULL OR r.type = $2)"
    " AND ($3::int IS NULL OR r.site_id = $3) AND ($4::int IS NULL OR r.item_id = $4)"
    " AND ($5::boolean IS NULL OR (r.acknowledged_at IS NOT NULL) = $5)"
    " AND ($6::text IS NULL OR i.abc_class = $6)";
constexpr int kWhereParams = 6;
constexpr const char* kFrom =
    " FROM analytics.recommendations r LEFT JOIN core.dim_item i ON i.item_id = r.item_id"
    " LEFT JOIN core.dim_site s ON s.site_id = r.site_id";

std::vector<pg::Param> Filters(Params& p) {
  auto priority = p.Enum("priority", {"LOW", "MEDIUM", "HIGH", "CRITICAL"});
  auto type = p.Enum("type", {"REORDER", "PROMO", "REALLOCATE", "HOLD", "EXPEDITE"});
  auto site = p.Int("site_id", 1, kMaxId);
  auto item = p.Int("item_id", 1, kMaxId);
  auto acked = p.Bool("acknowledged");
  auto abc = p.Enum("abc_class", {"A", "B", "C"});
  return {priority, type, pg::ToParam(site), pg::ToParam(item), pg::ToParam(acked), abc};
}

Response List(Ctx& ctx) {
  Params p(ctx.req);
  auto filters = Filters(p);
  return QueueListPage(
      ctx, p, std::move(filters),
      {"r", "recommendation_id", kLabelRank, kColumns, std::string(kFrom) + kWhere, kWhereParams});
}

// One row per item x site: its recommendations (at most kMaxGroupRows, by priority) inside.
Response Groups(Ctx& ctx) {
  Params p(ctx.req);
  auto filters = Filters(p);
  GroupSpec g;
  g.table = "analytics.recommendations";
  g.alias = "r";
  g.id_col = "recommendation_id";
  g.rank = kLabelRank;
  g.from_where = std::string(kFrom) + kWhere;
  g.filter_params = kWhereParams;
  g.top_label = "priority";
  g.columns = ", r.acknowledged_at";
  g.aggregates = ", count(*) FILTER (WHERE f.acknowledged_at IS NULL)::int AS open";
  g.row_json =
      "jsonb_build_object('recommendation_id', f.recommendation_id, 'type', f.type, 'priority', "
      "f.priority, 'message', f.message, 'action_date', f.action_date, 'quantity_recommended', " +
      EffectiveQuantity("f") +
      ", 'quantity_model', f.quantity_recommended, 'priority_score', "
      "f.priority_score, 'created_at', " +
      IsoSql("f.created_at") + ", 'acknowledged_at', " + IsoSql("f.acknowledged_at") +
      ", 'acknowledged_by', f.acknowledged_by)";
  return GroupsPage(ctx, p, std::move(filters), g);
}

// acknowledge: open ones become acknowledged by the caller. unacknowledge (the undo): those the
// caller acknowledged (any, for an ADMIN) become open again; 409 when a newer open one of the
// same item, site and type exists.
Response Bulk(Ctx& ctx) {
  BulkRequest b = ParseBulk(ctx.req, {"acknowledge", "unacknowledge"});
  std::vector<int64_t> changed;
  InTransaction(ctx, [&] {
    const std::string ids = IdArray(b.ids);
    RequireIds(ctx.db, "analytics.recommendations", "recommendation_id", b.ids);
    const bool ack = b.action == "acknowledge";
    try {
      changed =
          IdsOf(ctx.db.Q(ack ? "UPDATE analytics.recommendations SET acknowledged_at = now(), "
                               "acknowledged_by = $2,"
                               " updated_at = now() WHERE recommendation_id = ANY($1::bigint[])"
                               " AND acknowledged_at IS NULL AND $3 RETURNING recommendation_id"
                             : "UPDATE analytics.recommendations SET acknowledged_at = NULL, "
                               "acknowledged_by = NULL,"
                               " updated_at = now() WHERE recommendation_id = ANY($1::bigint[])"
                               " AND acknowledged_at IS NOT NULL AND (acknowledged_by = $2 OR $3)"
                               " RETURNING recommendation_id",
                         ids, ctx.user->username, ack || ctx.user->role == Role::kAdmin));
    } catch (const pg::Error& e) {
      if (e.SqlState() != "23505") throw;
      throw ApiError(409, "conflict",
                     "a newer open recommendation of the same item, site and type exists");
    }
    WriteBulkAudit(ctx.db, ctx.req, ctx.user->username,
                   ack ? "RECOMMENDATION_ACKNOWLEDGE" : "RECOMMENDATION_UNACKNOWLEDGE",
                   "recommendation", ids, IdArray(changed));
    NotifyChanged(ctx.db, "corrente_recommendations", b.action, changed);
  });
  return BulkReply(b, changed);
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
    NotifyChanged(ctx.db, "corrente_recommendations", "acknowledge", {id});
    auto row = ctx.db.Q(
        std::string("SELECT ") + kColumns +
            " FROM analytics.recommendations r LEFT JOIN core.dim_item i ON i.item_id = r.item_id"
            " WHERE r.recommendation_id = $1",
        id);
    AppendRowJson(out, row, 0);
  });
  return Envelope(out);
}

// The filter parameters the list and its groups share.
std::vector<ParamDoc> FilterDocs() {
  return {
      {"priority", "query", "string", {"LOW", "MEDIUM", "HIGH", "CRITICAL"}, "priority"},
      {"type", "query", "string", {"REORDER", "PROMO", "REALLOCATE", "HOLD", "EXPEDITE"}, "type"},
      {"site_id", "query", "integer", {}, "site"},
      {"item_id", "query", "integer", {}, "item"},
      {"acknowledged", "query", "boolean", {}, "acknowledged or not"},
      {"abc_class", "query", "string", {"A", "B", "C"}, "the item's ABC class"}};
}

}  // namespace

void AddRecommendationRoutes(std::vector<ApiRoute>& routes, Services&) {
  AddQueueRoutes(
      routes, {"recommendations",
               "List recommendations, most urgent first",
               "Recommendations grouped by item x site (each group's rows inside, at most 100), "
               "groups by their top priority_score first",
               "Acknowledge recommendations as the caller, or unacknowledge them (the undo: only "
               "the caller's own, any for ADMIN), in one transaction; one audit row per id; 404 "
               "when an id does not exist, 409 when undo meets a newer open one",
               FilterDocs(),
               {"acknowledge", "unacknowledge"},
               List,
               Groups,
               Bulk});
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
