#pragma once
// What the alert and recommendation queues share: their list (label, then score), item x site
// groups (one row per pair, its rows inside as JSON, groups ordered by their top priority), bulk
// actions (a JSON body of ids and an action, applied in one transaction, one audit row per id)
// and the three routes serving them.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "server/api.h"
#include "server/handlers.h"

namespace corrente::server {

// Most ids one bulk request may name; more is a 400.
inline constexpr size_t kMaxBulkIds = 1000;
// Most rows a group carries inline; `count` still counts them all.
inline constexpr int kMaxGroupRows = 100;

// The orders a groups list may name.
const std::vector<std::string>& GroupSorts();

struct GroupSpec {
  std::string table;       // the queue's table (analytics.alerts), read again for the page's rows
  std::string alias;       // the table's alias in from_where (a, r)
  std::string id_col;      // its id column
  std::string rank;        // SQL ranking its label, most severe 0 (ties after priority_score)
  std::string from_where;  // FROM ... WHERE ... taking $1..$filter_params, the item as i, site as s
  int filter_params = 0;
  std::string top_label;   // the label column (level or priority), taken from the top row
  std::string aggregates;  // extra output columns over f (e.g. ", count(*) FILTER (...) AS unread")
  std::string columns;     // the table's columns `aggregates` reads (e.g. ", a.read_at")
  std::string row_json;    // jsonb_build_object(...) of one row of the table, as f
};
// The groups query: its last two parameters are LIMIT and OFFSET, its rows carry total_count.
std::string GroupSql(const GroupSpec& spec, const std::optional<std::string>& sort);
// A groups page: reads sort, limit and offset from `p`, checks `p`, runs GroupSql.
Response GroupsPage(Ctx& ctx, Params& p, std::vector<pg::Param> filters, const GroupSpec& spec);
// One page of a queue's list: `columns` (with total_count last) for the rows of `from_where`
// in `order` (which ends with the id, so it is total), LIMIT $filter_params+1 OFFSET
// $filter_params+2. The page's ids are picked from narrow rows first, so the columns (an override
// lookup, wide text) are read for the page's rows only. `from_where` names the table as `alias`.
std::string QueuePageSql(const std::string& alias, const std::string& id_col,
                         const std::string& columns, const std::string& from_where,
                         const std::string& order, int filter_params);
// The orders a queue's list may name.
const std::vector<std::string>& QueueSorts();
// A queue list's order for `sort` (one of QueueSorts, or none: by label, then score), over the
// table as `alias` with `rank` ranking its label; fixed SQL, never text from the request.
std::string QueueOrder(const std::string& alias, const std::string& rank,
                       const std::optional<std::string>& sort);

struct QueueList {
  std::string alias;       // the table's alias in from_where (a, r)
  std::string id_col;      // its id column, the order's last key
  std::string rank;        // SQL ranking its label, most severe 0
  std::string columns;     // the row's columns; the item's abc_class and site's name follow
  std::string from_where;  // FROM ... WHERE ... taking $1..$filter_params, the item as i, site as s
  int filter_params = 0;
};
// A list page: reads sort, limit and offset from `p` (after the filters), checks `p`, runs
// QueuePageSql in QueueOrder.
Response QueueListPage(Ctx& ctx, Params& p, std::vector<pg::Param> filters, const QueueList& q);

struct QueueRoutes {
  std::string resource;        // "alerts": /api/v1/alerts, /groups and /bulk, and the OpenAPI tag
  std::string list_summary;    // GET /api/v1/<resource>
  std::string groups_summary;  // GET /api/v1/<resource>/groups
  std::string bulk_summary;    // POST /api/v1/<resource>/bulk
  std::vector<ParamDoc> filters;          // the filters the list and its groups share
  std::vector<std::string> bulk_actions;  // the body's action enum
  ApiFn list, groups, bulk;
};
// Adds the list (VIEWER, cached, CSV), its groups (VIEWER, cached) and the bulk action
// (ANALYST) of a queue.
void AddQueueRoutes(std::vector<ApiRoute>& routes, const QueueRoutes& q);
// A timestamptz column of f as ISO 8601 text with Z, for jsonb objects.
std::string IsoSql(const std::string& col);

struct BulkRequest {
  std::vector<int64_t> ids;  // distinct, in the order given
  std::string action;
};
// Parses {"ids":[...],"action":"..."}; a 400 names each bad field.
BulkRequest ParseBulk(const Request& req, const std::vector<std::string>& actions);
// The ids as a PostgreSQL array literal, for ANY($1::bigint[]).
std::string IdArray(const std::vector<int64_t>& ids);
// 404 naming the ids (of `ids`) that `table` lacks; call inside the transaction.
void RequireIds(Db& db, const std::string& table, const std::string& id_col,
                const std::vector<int64_t>& ids);
// {"action":..,"requested":n,"changed":[..],"unchanged":[..]} in the envelope.
Response BulkReply(const BulkRequest& b, const std::vector<int64_t>& changed);
// Tells every server's event streams that rows changed: NOTIFY `channel` (corrente_alerts or
// corrente_recommendations, fixed names) with {"action","ids","count","new_critical":0}, ids
// left out past NOTIFY's 8000-byte limit. Call inside the write's transaction, so it goes out
// only on commit. Nothing when `ids` is empty. A change through the API never adds a critical
// alert, hence new_critical 0.
void NotifyChanged(Db& db, const std::string& channel, const std::string& action,
                   const std::vector<int64_t>& ids);
// The ids in column 0 of `r`.
std::vector<int64_t> IdsOf(const pg::Result& r);

}  // namespace corrente::server
