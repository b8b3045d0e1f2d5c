// GET /api/v1/alerts, PATCH /api/v1/alerts/{id}/mark-read and /resolve.
#include "server/handlers.h"

namespace corrente::server {
namespace {

constexpr const char* kColumns =
    "a.alert_id, a.item_id, i.sku, a.site_id, a.level, a.category, a.message, a.details, "
    "a.created_at,"
    " a.updated_at, a.read_at, a.resolved_at, a.run_id, a.priority_score";

// The orders `sort` may name: fixed SQL, never text from the request.
std::string OrderBy(const std::optional<std::string>& sort) {
  const std::string level = "CASE a.level WHEN 'CRITICAL' THEN 0 WHEN 'WARNING' THEN 1 ELSE 2 END";
  if (sort == "-priority") return "a.priority_score DESC, " + level + ", a.created_at DESC";
  if (sort == "priority") return "a.priority_score, " + level + " DESC, a.created_at";
  if (sort == "-created_at") return "a.created_at DESC";
  if (sort == "created_at") return "a.created_at";
  return level + ", a.priority_score DESC, a.created_at DESC";
}

Response List(Ctx& ctx) {
  Params p(ctx.req);
  auto level = p.Enum("level", {"NORMAL", "WARNING", "CRITICAL"});
  auto category = p.Text("category");
  auto unread = p.Bool("unread");
  auto resolved = p.Bool("resolved");
  auto sort = p.Enum("sort", {"-priority", "priority", "-created_at", "created_at"});
  auto site = p.Int("site_id", 1, 2147483647);
  auto item = p.Int("item_id", 1, 2147483647);
  int64_t limit = p.Limit(), offset = p.Offset();
  p.Check();
  return ListPage(
      ctx,
      std::string("SELECT ") + kColumns +
          ", count(*) OVER () AS total_count"
          " FROM analytics.alerts a LEFT JOIN core.dim_item i ON i.item_id = a.item_id"
          " WHERE ($1::text IS NULL OR a.level = $1) AND ($2::text IS NULL OR a.category = $2)"
          " AND ($3::boolean IS NULL OR (a.read_at IS NULL) = $3)"
          " AND ($4::boolean IS NULL OR (a.resolved_at IS NOT NULL) = $4)"
          " AND ($5::int IS NULL OR a.site_id = $5) AND ($6::int IS NULL OR a.item_id = $6)"
          " ORDER BY " + OrderBy(sort) + ", a.alert_id LIMIT $7 OFFSET $8",
      {level, category, pg::ToParam(unread), pg::ToParam(resolved), pg::ToParam(site),
       pg::ToParam(item)},
      limit, offset);
}

// Sets one timestamp column. mark-read is idempotent (the first read time is kept);
// resolving twice is a 409.
Response Update(Ctx& ctx, bool resolve) {
  Params p(ctx.req);
  int64_t id = p.PathId("id");
  p.Check();
  std::string out;
  InTransaction(ctx, [&] {
    auto cur = ctx.db.Q(
        "SELECT read_at IS NOT NULL, resolved_at IS NOT NULL FROM analytics.alerts"
        " WHERE alert_id = $1 FOR UPDATE",
        id);
    if (cur.Rows() == 0)
      throw ApiError(404, "not_found", "alert " + std::to_string(id) + " does not exist");
    if (resolve) {
      if (cur.GetBool(0, 1))
        throw ApiError(409, "conflict", "alert " + std::to_string(id) + " is already resolved");
      ctx.db.Q(
          "UPDATE analytics.alerts SET resolved_at = now(), read_at = coalesce(read_at, now()),"
          " updated_at = now() WHERE alert_id = $1",
          id);
      WriteAudit(ctx.db, ctx.req, {ctx.user->username, "ALERT_RESOLVE", "alert", id, "{}"});
    } else {
      bool already = cur.GetBool(0, 0);
      if (!already)
        ctx.db.Q(
            "UPDATE analytics.alerts SET read_at = now(), updated_at = now() WHERE alert_id = $1",
            id);
      WriteAudit(ctx.db, ctx.req,
                 {ctx.user->username, "ALERT_MARK_READ", "alert", id,
                  std::string("{\"already_read\":") + (already ? "true" : "false") + "}"});
    }
    auto row =
        ctx.db.Q(std::string("SELECT ") + kColumns +
                     " FROM analytics.alerts a LEFT JOIN core.dim_item i ON i.item_id = a.item_id"
                     " WHERE a.alert_id = $1",
                 id);
    AppendRowJson(out, row, 0);
  });
  return Envelope(out);
}

}  // namespace

void AddAlertRoutes(std::vector<ApiRoute>& routes, Services&) {
  routes.push_back({"GET",
                    "/api/v1/alerts",
                    Role::kViewer,
                    true,
                    true,
                    "alerts",
                    "List alerts, most severe first",
                    {{"level", "query", "string", {"NORMAL", "WARNING", "CRITICAL"}, "level"},
                     {"category", "query", "string", {}, "exact category, e.g. STOCKOUT_IMMINENT"},
                     {"unread", "query", "boolean", {}, "unread (true) or read (false)"},
                     {"resolved", "query", "boolean", {}, "resolved or not"},
                     {"site_id", "query", "integer", {}, "site"},
                     {"item_id", "query", "integer", {}, "item"},
        {"sort", "query", "string", {"-priority", "priority", "-created_at", "created_at"}, "order: -priority is by priority_score (money at risk), highest first; default: by label, then score"},
                     LimitDoc(),
                     OffsetDoc(),
                     FormatDoc()},
                    "",
                    List});
  routes.push_back({"PATCH",
                    "/api/v1/alerts/{id}/mark-read",
                    Role::kAnalyst,
                    false,
                    false,
                    "alerts",
                    "Mark an alert read (idempotent)",
                    {IdDoc("id")},
                    "",
                    [](Ctx& c) { return Update(c, false); }});
  routes.push_back({"PATCH",
                    "/api/v1/alerts/{id}/resolve",
                    Role::kAnalyst,
                    false,
                    false,
                    "alerts",
                    "Resolve an alert (409 when already resolved)",
                    {IdDoc("id")},
                    "",
                    [](Ctx& c) { return Update(c, true); }});
}

}  // namespace corrente::server
