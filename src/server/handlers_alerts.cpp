// GET /api/v1/alerts and /alerts/groups (item x site), PATCH /api/v1/alerts/{id}/mark-read and
// /resolve, POST /api/v1/alerts/bulk (read or unread, with undo).
#include "server/handlers.h"
#include "server/queue.h"

namespace corrente::server {
namespace {

constexpr const char* kColumns =
    "a.alert_id, a.item_id, i.sku, a.site_id, a.level, a.category, a.message, a.details, "
    "a.created_at,"
    " a.updated_at, a.read_at, a.resolved_at, a.run_id, a.priority_score";

const std::string kLevelRank =
    "CASE a.level WHEN 'CRITICAL' THEN 0 WHEN 'WARNING' THEN 1 ELSE 2 END";

// The filters /alerts and /alerts/groups share, as parameters $1..$7 of kWhere.
constexpr const char* kWhere =
    " WHERE ($1::text IS NULL OR a.level = $1) AND ($2::text IS NULL OR a.category = $2)"
    " AND ($3::boolean IS NULL OR (a.read_at IS NULL) = $3)"
    " AND ($4::boolean IS NULL OR (a.resolved_at IS NOT NULL) = $4)"
    " AND ($5::int IS NULL OR a.site_id = $5) AND ($6::int IS NULL OR a.item_id = $6)"
    " AND ($7::text IS NULL OR i.abc_class = $7)";
constexpr int kWhereParams = 7;
constexpr const char* kFrom =
    " FROM analytics.alerts a LEFT JOIN core.dim_item i ON i.item_id = a.item_id"
    " LEFT JOIN core.dim_site s ON s.site_id = a.site_id";

std::vector<pg::Param> Filters(Params& p) {
  auto level = p.Enum("level", {"NORMAL", "WARNING", "CRITICAL"});
  auto category = p.Text("category");
  auto unread = p.Bool("unread");
  auto resolved = p.Bool("resolved");
  auto site = p.Int("site_id", 1, kMaxId);
  auto item = p.Int("item_id", 1, kMaxId);
  auto abc = p.Enum("abc_class", {"A", "B", "C"});
  return {level,
          category,
          pg::ToParam(unread),
          pg::ToParam(resolved),
          pg::ToParam(site),
          pg::ToParam(item),
          abc};
}

Response List(Ctx& ctx) {
  Params p(ctx.req);
  auto filters = Filters(p);
  return QueueListPage(
      ctx, p, std::move(filters),
      {"a", "alert_id", kLevelRank, kColumns, std::string(kFrom) + kWhere, kWhereParams});
}

// One row per item x site: its alerts (at most kMaxGroupRows, by priority) inside.
Response Groups(Ctx& ctx) {
  Params p(ctx.req);
  auto filters = Filters(p);
  GroupSpec g;
  g.table = "analytics.alerts";
  g.alias = "a";
  g.id_col = "alert_id";
  g.rank = kLevelRank;
  g.from_where = std::string(kFrom) + kWhere;
  g.filter_params = kWhereParams;
  g.top_label = "level";
  g.columns = ", a.read_at";
  g.aggregates = ", count(*) FILTER (WHERE f.read_at IS NULL)::int AS unread";
  g.row_json =
      "jsonb_build_object('alert_id', f.alert_id, 'level', f.level, 'category', "
      "f.category, 'message', f.message, 'priority_score', f.priority_score, "
      "'created_at', " +
      IsoSql("f.created_at") + ", 'read_at', " + IsoSql("f.read_at") + ", 'resolved_at', " +
      IsoSql("f.resolved_at") + ")";
  return GroupsPage(ctx, p, std::move(filters), g);
}

// read: unread alerts become read. unread (the undo): read, unresolved alerts become unread.
Response Bulk(Ctx& ctx) {
  BulkRequest b = ParseBulk(ctx.req, {"read", "unread"});
  std::vector<int64_t> changed;
  InTransaction(ctx, [&] {
    const std::string ids = IdArray(b.ids);
    RequireIds(ctx.db, "analytics.alerts", "alert_id", b.ids);
    const bool read = b.action == "read";
    changed = IdsOf(
        ctx.db.Q(read ? "UPDATE analytics.alerts SET read_at = now(), updated_at = now()"
                        " WHERE alert_id = ANY($1::bigint[]) AND read_at IS NULL RETURNING alert_id"
                      : "UPDATE analytics.alerts SET read_at = NULL, updated_at = now()"
                        " WHERE alert_id = ANY($1::bigint[]) AND read_at IS NOT NULL"
                        " AND resolved_at IS NULL RETURNING alert_id",
                 ids));
    WriteBulkAudit(ctx.db, ctx.req, ctx.user->username,
                   read ? "ALERT_MARK_READ" : "ALERT_MARK_UNREAD", "alert", ids, IdArray(changed));
    NotifyChanged(ctx.db, "corrente_alerts", b.action, changed);
  });
  return BulkReply(b, changed);
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
      NotifyChanged(ctx.db, "corrente_alerts", "resolve", {id});
    } else {
      bool already = cur.GetBool(0, 0);
      if (!already) {
        ctx.db.Q(
            "UPDATE analytics.alerts SET read_at = now(), updated_at = now() WHERE alert_id = $1",
            id);
        NotifyChanged(ctx.db, "corrente_alerts", "read", {id});
      }
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

// The filter parameters the list and its groups share.
std::vector<ParamDoc> FilterDocs() {
  return {{"level", "query", "string", {"NORMAL", "WARNING", "CRITICAL"}, "level"},
          {"category", "query", "string", {}, "exact category, e.g. STOCKOUT_IMMINENT"},
          {"unread", "query", "boolean", {}, "unread (true) or read (false)"},
          {"resolved", "query", "boolean", {}, "resolved or not"},
          {"site_id", "query", "integer", {}, "site"},
          {"item_id", "query", "integer", {}, "item"},
          {"abc_class", "query", "string", {"A", "B", "C"}, "the item's ABC class"}};
}

}  // namespace

void AddAlertRoutes(std::vector<ApiRoute>& routes, Services&) {
  AddQueueRoutes(routes,
                 {"alerts",
                  "List alerts, most severe first",
                  "Alerts grouped by item x site (each group's alerts inside, at most 100), "
                  "groups by their top priority_score first",
                  "Mark alerts read, or unread again (the undo), in one transaction; one audit "
                  "row per id; 404 when an id does not exist",
                  FilterDocs(),
                  {"read", "unread"},
                  List,
                  Groups,
                  Bulk});
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
