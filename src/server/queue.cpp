#include "server/queue.h"
#include "server/json_body.h"

#include <algorithm>
#include <boost/json.hpp>
#include <set>

namespace corrente::server {

const std::vector<std::string>& GroupSorts() {
  static const std::vector<std::string> kSorts = {"-priority", "priority", "-count", "count",
                                                  "sku",       "-sku",     "site",   "-site",
                                                  "-latest",   "latest"};
  return kSorts;
}

namespace {

// Fixed SQL per sort name, never text from the request.
std::string GroupOrder(const std::optional<std::string>& sort) {
  const std::string s = sort.value_or("-priority");
  const std::string tie = ", count DESC, item_id NULLS LAST, site_id NULLS LAST";
  if (s == "priority") return "top_priority_score" + tie;
  if (s == "-count") return "count DESC, top_priority_score DESC, item_id, site_id";
  if (s == "count") return "count, top_priority_score DESC, item_id, site_id";
  if (s == "sku") return "sku NULLS LAST, site_name NULLS LAST, site_id";
  if (s == "-sku") return "sku DESC NULLS LAST, site_name NULLS LAST, site_id";
  // Sites may share a name: site_id last, or groups of one item at two such sites tie, and
  // pages overlap (a group on two pages, another on none).
  if (s == "site") return "site_name NULLS LAST, sku NULLS LAST, item_id, site_id";
  if (s == "-site") return "site_name DESC NULLS LAST, sku NULLS LAST, item_id, site_id";
  if (s == "-latest") return "latest_at DESC, top_priority_score DESC, item_id, site_id";
  if (s == "latest") return "latest_at, top_priority_score DESC, item_id, site_id";
  return "top_priority_score DESC" + tie;
}

// The group key of a null item or site: below every int (item_id and site_id are int columns).
const std::string kNoId = "(-2147483649)";

}  // namespace

std::string IsoSql(const std::string& col) {
  return "to_char(" + col + " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')";
}

std::string GroupSql(const GroupSpec& g, const std::optional<std::string>& sort) {
  const std::string& a = g.alias;
  // f: the matching rows, narrow (what sorting, ranking and the summaries need), each with its
  // group key (gi, gs): a null item or site (an alert without one) is keyed kNoId, below every
  // int id, since -1 is a valid id (a writer may store it) and so keyed its group took the null
  // group's rows too.
  const std::string filtered = "SELECT " + a + ".item_id, " + a + ".site_id, " + a + "." +
                               g.id_col + " AS id, " + a + ".priority_score, " + a + "." +
                               g.top_label + ", " + a + ".created_at" + g.columns +
                               ", i.sku, i.name AS item_name, i.abc_class,"
                               " s.name AS site_name, coalesce(" + a + ".item_id::bigint, " +
                               kNoId + ") AS gi, coalesce(" + a + ".site_id::bigint, " + kNoId +
                               ") AS gs, row_number() OVER (PARTITION BY " + a + ".item_id, " + a +
                               ".site_id ORDER BY " + a + ".priority_score DESC, " + g.rank +
                               ", " + a + "." + g.id_col + ") AS rn " + g.from_where;
  // The page's groups first (p: summaries only, sorted and cut), then the rows of those groups
  // only, read again from the table: each row's JSON (with its override lookup) is built for at
  // most limit x kMaxGroupRows rows, not for every matching row. The text columns are grouped by
  // (they follow from item and site) rather than taken with min(), which compares by collation.
  return "WITH f AS MATERIALIZED (" + filtered +
         "), p AS (SELECT f.item_id, f.sku, f.item_name, f.abc_class, f.site_id, f.site_name,"
         " count(*)::int AS count, max(f.priority_score) AS top_priority_score,"
         " min(f." +
         g.top_label + ") FILTER (WHERE f.rn = 1) AS top_" + g.top_label +
         ", max(f.created_at) AS latest_at" + g.aggregates +
         ", count(*) OVER () AS total_count, f.gi, f.gs FROM f GROUP BY f.item_id, f.site_id,"
         " f.sku, f.item_name, f.abc_class, f.site_name, f.gi, f.gs ORDER BY " + GroupOrder(sort) +
         " LIMIT $" + std::to_string(g.filter_params + 1) + " OFFSET $" +
         std::to_string(g.filter_params + 2) + "), r AS MATERIALIZED (SELECT n.gi, n.gs, jsonb_agg(" +
         g.row_json + " ORDER BY n.rn) AS rows FROM f AS n JOIN p ON p.gi = n.gi AND p.gs = n.gs"
         " JOIN " + g.table + " f ON f." + g.id_col + " = n.id WHERE n.rn <= " +
         std::to_string(kMaxGroupRows) + " GROUP BY 1, 2)"
         " SELECT p.*, r.rows FROM p JOIN r ON r.gi = p.gi AND r.gs = p.gs ORDER BY " +
         GroupOrder(sort);
}

std::string QueuePageSql(const std::string& alias, const std::string& id_col,
                         const std::string& columns, const std::string& from_where,
                         const std::string& order, int filter_params) {
  // The outer statement is the same FROM and WHERE again, cut to the page's ids: a row is in
  // it exactly when it was in the page (one statement, one snapshot).
  const std::string id = alias + "." + id_col;
  return "WITH p AS MATERIALIZED (SELECT " + id + " AS id, count(*) OVER () AS total_count" +
         from_where + " ORDER BY " + order + " LIMIT $" + std::to_string(filter_params + 1) +
         " OFFSET $" + std::to_string(filter_params + 2) + ") SELECT " + columns +
         ", (SELECT min(p.total_count) FROM p) AS total_count" + from_where + " AND " + id +
         " IN (SELECT p.id FROM p) ORDER BY " + order;
}

const std::vector<std::string>& QueueSorts() {
  static const std::vector<std::string> kSorts = {"-priority", "priority", "-created_at",
                                                  "created_at"};
  return kSorts;
}

std::string QueueOrder(const std::string& alias, const std::string& rank,
                       const std::optional<std::string>& sort) {
  const std::string& a = alias;
  if (sort == "-priority")
    return a + ".priority_score DESC, " + rank + ", " + a + ".created_at DESC";
  if (sort == "priority") return a + ".priority_score, " + rank + " DESC, " + a + ".created_at";
  if (sort == "-created_at") return a + ".created_at DESC";
  if (sort == "created_at") return a + ".created_at";
  return rank + ", " + a + ".priority_score DESC, " + a + ".created_at DESC";
}

Response QueueListPage(Ctx& ctx, Params& p, std::vector<pg::Param> filters, const QueueList& q) {
  auto sort = p.Enum("sort", QueueSorts());
  int64_t limit = p.Limit(), offset = p.Offset();
  p.Check();
  return ListPage(ctx,
                  QueuePageSql(q.alias, q.id_col, q.columns + ", i.abc_class, s.name AS site_name",
                               q.from_where,
                               QueueOrder(q.alias, q.rank, sort) + ", " + q.alias + "." + q.id_col,
                               q.filter_params),
                  std::move(filters), limit, offset);
}

void AddQueueRoutes(std::vector<ApiRoute>& routes, const QueueRoutes& q) {
  const std::string path = "/api/v1/" + q.resource;
  auto docs = [&](std::vector<ParamDoc> tail) {
    std::vector<ParamDoc> d = q.filters;
    d.insert(d.end(), tail.begin(), tail.end());
    return d;
  };
  routes.push_back({"GET", path, Role::kViewer, true, true, q.resource, q.list_summary,
                    docs({{"sort", "query", "string", QueueSorts(),
                           "order: -priority is by priority_score (money at risk), highest "
                           "first; default: by label, then score"},
                          LimitDoc(),
                          OffsetDoc(),
                          FormatDoc()}),
                    "", q.list});
  routes.push_back(
      {"GET", path + "/groups", Role::kViewer, true, false, q.resource, q.groups_summary,
       docs({{"sort", "query", "string", GroupSorts(), "group order (default -priority)"},
             LimitDoc(),
             OffsetDoc()}),
       "", q.groups});
  std::string actions;
  for (const auto& a : q.bulk_actions) actions += (actions.empty() ? "\"" : ",\"") + a + "\"";
  routes.push_back(
      {"POST",
       path + "/bulk",
       Role::kAnalyst,
       false,
       false,
       q.resource,
       q.bulk_summary,
       {},
       R"({"type":"object","required":["ids","action"],"properties":{"ids":{"type":"array","minItems":1,"maxItems":1000,"items":{"type":"integer","minimum":1}},"action":{"enum":[)" +
           actions + "]}}}",
       q.bulk});
}

Response GroupsPage(Ctx& ctx, Params& p, std::vector<pg::Param> filters, const GroupSpec& g) {
  auto sort = p.Enum("sort", GroupSorts());
  int64_t limit = p.BufferedLimit(), offset = p.Offset();
  p.Check();
  Page page = PageQuery(ctx.db, GroupSql(g, sort), std::move(filters), limit, offset);
  return ListReply(ctx, page.rows, page.total, limit, offset, "", {"gi", "gs"});
}

BulkRequest ParseBulk(const Request& req, const std::vector<std::string>& actions) {
  const boost::json::object o = ParseBody(req);
  Params p(req);
  BulkRequest b;
  const auto* a = o.if_contains("action");
  if (a && a->is_string() &&
      std::find(actions.begin(), actions.end(), std::string(a->as_string())) != actions.end()) {
    b.action = a->as_string();
  } else {
    std::string list;
    for (const auto& x : actions) list += (list.empty() ? "" : ", ") + x;
    p.Fail("action", "must be one of " + list);
  }
  const auto* ids = o.if_contains("ids");
  if (!ids || !ids->is_array() || ids->as_array().empty()) {
    p.Fail("ids", "must be a non-empty array of ids");
  } else if (ids->as_array().size() > kMaxBulkIds) {
    p.Fail("ids", "may name at most " + std::to_string(kMaxBulkIds) + " ids, got " +
                      std::to_string(ids->as_array().size()));
  } else {
    std::set<int64_t> seen;
    for (const auto& x : ids->as_array()) {
      auto n = x.is_int64()    ? x.as_int64()
               : x.is_uint64() ? static_cast<int64_t>(x.as_uint64())
                               : 0;
      if (n < 1 || (x.is_uint64() && x.as_uint64() > INT64_MAX)) {
        p.Fail("ids", "must hold positive integers only");
        break;
      }
      if (seen.insert(n).second) b.ids.push_back(n);
    }
  }
  p.Check();
  return b;
}

std::string IdArray(const std::vector<int64_t>& ids) {
  std::string s = "{";
  for (size_t i = 0; i < ids.size(); ++i) s += (i ? "," : "") + std::to_string(ids[i]);
  return s + "}";
}

void NotifyChanged(Db& db, const std::string& channel, const std::string& action,
                   const std::vector<int64_t>& ids) {
  if (ids.empty()) return;
  std::string head = "{\"action\":" + JsonString(action);
  std::string tail = ",\"count\":" + std::to_string(ids.size()) + ",\"new_critical\":0}";
  std::string list = ",\"ids\":[";
  for (size_t i = 0; i < ids.size(); ++i) list += (i ? "," : "") + std::to_string(ids[i]);
  list += "]";
  db.Q("SELECT pg_notify($1, $2)", channel, head + (list.size() < 7800 ? list : "") + tail);
}

std::vector<int64_t> IdsOf(const pg::Result& r) {
  std::vector<int64_t> out;
  for (int i = 0; i < r.Rows(); ++i) out.push_back(r.GetInt(i, 0));
  return out;
}

void RequireIds(Db& db, const std::string& table, const std::string& id_col,
                const std::vector<int64_t>& ids) {
  // table and id_col are fixed names from the handler files, never request text.
  auto missing =
      IdsOf(db.Q("SELECT x FROM unnest($1::bigint[]) x WHERE NOT EXISTS (SELECT 1 FROM " + table +
                     " t WHERE t." + id_col + " = x) ORDER BY x",
                 IdArray(ids)));
  if (missing.empty()) return;
  std::string list;
  for (size_t i = 0; i < missing.size() && i < 10; ++i)
    list += (i ? ", " : "") + std::to_string(missing[i]);
  if (missing.size() > 10) list += ", ...";
  throw ApiError(404, "not_found",
                 std::to_string(missing.size()) + " of the ids do not exist: " + list);
}

Response BulkReply(const BulkRequest& b, const std::vector<int64_t>& changed) {
  std::set<int64_t> done(changed.begin(), changed.end());
  boost::json::array c, u;
  for (int64_t id : b.ids) (done.count(id) ? c : u).push_back(id);
  boost::json::object o{
      {"action", b.action}, {"requested", b.ids.size()}, {"changed", c}, {"unchanged", u}};
  return Envelope(boost::json::serialize(o));
}

}  // namespace corrente::server
