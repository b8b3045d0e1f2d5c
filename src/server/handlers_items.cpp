// GET /api/v1/items and /api/v1/items/{id}.
#include <atomic>
#include <map>

#include "server/count_cache.h"
#include "server/handlers.h"

namespace corrente::server {
namespace {

// sort key -> ORDER BY clause. Only these strings ever reach the SQL text.
const std::map<std::string, std::string>& SortColumns() {
  static const std::map<std::string, std::string> m{
      {"item_id", "i.item_id"},
      {"-item_id", "i.item_id DESC"},
      {"sku", "i.sku"},
      {"-sku", "i.sku DESC"},
      {"name", "i.name, i.item_id"},
      {"-name", "i.name DESC, i.item_id"},
      {"family", "i.family, i.item_id"},
      {"-family", "i.family DESC, i.item_id"},
      {"category", "i.category, i.item_id"},
      {"-category", "i.category DESC, i.item_id"},
      {"abc_class", "i.abc_class, i.item_id"},
      {"-abc_class", "i.abc_class DESC, i.item_id"},
      {"criticality", "i.criticality, i.item_id"},
      {"-criticality", "i.criticality DESC, i.item_id"},
      {"unit_cost", "i.unit_cost, i.item_id"},
      {"-unit_cost", "i.unit_cost DESC, i.item_id"},
      {"unit_price", "i.unit_price, i.item_id"},
      {"-unit_price", "i.unit_price DESC, i.item_id"},
  };
  return m;
}

std::vector<std::string> SortKeys() {
  std::vector<std::string> v;
  for (const auto& [k, _] : SortColumns()) v.push_back(k);
  return v;
}

// Escapes LIKE wildcards so q matches literally.
std::string LikeContains(const std::string& q) {
  std::string out = "%";
  for (char c : q) {
    if (c == '%' || c == '_' || c == '\\') out += '\\';
    out += c;
  }
  return out + "%";
}

constexpr const char* kItemColumns =
    "i.item_id, i.sku, i.name, i.description, i.family, i.category, i.subcategory, i.unit_measure,"
    " i.abc_class, i.criticality, i.active, i.unit_cost, i.unit_price, i.supplier_id, "
    "i.min_order_qty,"
    " i.max_order_qty";

std::atomic<uint64_t> g_rendered_pages{0};

// Each filter's total, reused by its other pages (count_cache.h).
CountCache& ItemCounts() {
  static CountCache counts;
  return counts;
}

std::string CountKey(const std::string& where, const std::vector<pg::Param>& params) {
  std::string key = where;
  for (const auto& p : params) {
    key += p ? '\x01' : '\x02';
    if (p) key += *p;
  }
  return key;
}

// The page from each row's api_json (V067: the row as the API writes kItemColumns, kept by
// PostgreSQL), one text per item instead of sixteen columns formatted on both sides. nullopt
// sends the request to the column statement, the reference: a row left NULL there (a control
// character), or a schema downgraded below V067 under a running server.
// The filter's total comes from ItemCounts() under `count_key` when kept there, and the
// statement then reads the page alone (`page_only`); otherwise it counts too (`counted`) and
// the total is kept. `generation`: the response cache's, read before counting.
std::optional<Response> RenderedPage(Ctx& ctx, const std::string& counted,
                                     const std::string& page_only, std::vector<pg::Param> params,
                                     int64_t limit, int64_t offset, const std::string& meta,
                                     const std::string& count_key, uint64_t generation) {
  Page page;
  try {
    if (auto total = ItemCounts().Get(count_key, generation)) {
      params.push_back(std::to_string(limit));
      params.push_back(std::to_string(offset));
      page.rows = ctx.db.Query("SELECT i.api_json" + page_only, params);
      page.total = *total;
    } else {
      page = PageQuery(ctx.db, "SELECT i.api_json" + counted, params, limit, offset);
      ItemCounts().Put(count_key, page.total, generation);
    }
  } catch (const pg::Error& e) {
    if (e.SqlState() == "42703") return std::nullopt;
    throw;
  }
  auto res = RenderedListReply(page.rows, 0, page.total, limit, offset, meta);
  if (res) g_rendered_pages.fetch_add(1, std::memory_order_relaxed);
  return res;
}

Response ListItems(Ctx& ctx, const ResponseCache& cache) {
  Params p(ctx.req);
  auto family = p.Text("family");
  auto category = p.Text("category");
  auto abc = p.Enum("abc_class", {"A", "B", "C"});
  auto active = p.Bool("active");
  auto q = p.Text("q");
  auto sort = p.Enum("sort", SortKeys()).value_or("item_id");
  int64_t limit = p.Limit(), offset = p.Offset();
  p.Check();
  const std::string where =
      " WHERE true" + GivenOnly({{family.has_value(), "i.family = $1", "$1::text"},
                                 {category.has_value(), "i.category = $2", "$2::text"},
                                 {abc.has_value(), "i.abc_class = $3", "$3::text"},
                                 {active.has_value(), "i.active = $4", "$4::boolean"},
                                 {q.has_value(), "(i.sku ILIKE $5 OR i.name ILIKE $5)", "$5::text"}});
  // The total is a count(*) over the same conditions, not count(*) OVER (), which would read
  // every matching row (all the items, unfiltered) to send 100 of them.
  // LIMIT and OFFSET as sub-selects, whose values the planner does not see: with a limit under
  // a tenth of the rows (the dashboard asks for 25) a custom plan always looked cheaper than the
  // generic one, and the statement was planned again on every request (a third of its
  // PostgreSQL time). Every filter here is in the SQL's shape (GivenOnly), so the generic plan
  // is the custom one.
  const std::string page_only = " FROM core.dim_item i" + where + " ORDER BY " +
                                SortColumns().at(sort) +
                                " LIMIT (SELECT $6::bigint) OFFSET (SELECT $7::bigint)";
  const std::string from =
      ", (SELECT count(*) FROM core.dim_item i" + where + ") AS total_count" + page_only;
  std::optional<std::string> like;
  if (q) like = LikeContains(*q);
  const std::vector<pg::Param> params{family, category, abc, pg::ToParam(active), like};
  const std::string meta = "\"sort\":" + JsonString(sort);
  if (!ctx.csv) {
    // Read before counting: a count of data an invalidation has since replaced is not kept.
    if (auto page = RenderedPage(ctx, from, page_only, params, limit, offset, meta,
                                 CountKey(where, params), cache.Generation()))
      return std::move(*page);
  }
  return ListPage(ctx, std::string("SELECT ") + kItemColumns + from, params, limit, offset, meta);
}

Response GetItem(Ctx& ctx) {
  Params p(ctx.req);
  int64_t id = p.PathId("id");
  p.Check();
  auto r = ctx.db.Q(
      std::string("SELECT ") + kItemColumns +
          ", i.extra_attributes, i.created_at, i.updated_at,"
          " s.code AS supplier_code, s.name AS supplier_name"
          " FROM core.dim_item i LEFT JOIN core.dim_supplier s ON s.supplier_id = i.supplier_id"
          " WHERE i.item_id = $1",
      id);
  if (r.Rows() == 0)
    throw ApiError(404, "not_found", "item " + std::to_string(id) + " does not exist");
  std::string obj;
  AppendRowJson(obj, r, 0);
  return Envelope(obj, "{}");
}

}  // namespace

uint64_t ItemPagesRendered() { return g_rendered_pages.load(std::memory_order_relaxed); }
uint64_t ItemCountsReused() { return ItemCounts().Hits(); }

void AddItemRoutes(std::vector<ApiRoute>& routes, Services& s) {
  routes.push_back(
      {"GET",
       "/api/v1/items",
       Role::kViewer,
       true,
       true,
       "items",
       "List items",
       {{"family", "query", "string", {}, "exact family, e.g. ELECTRICAL"},
        {"category", "query", "string", {}, "exact category"},
        {"abc_class", "query", "string", {"A", "B", "C"}, "ABC class"},
        {"active", "query", "boolean", {}, "active flag"},
        {"q", "query", "string", {}, "case-insensitive substring of sku or name"},
        {"sort", "query", "string", SortKeys(), "sort key; a leading - sorts descending"},
        LimitDoc(),
        OffsetDoc(),
        FormatDoc()},
       "",
       [&s](Ctx& ctx) { return ListItems(ctx, s.cache); }});
  routes.push_back({"GET",
                    "/api/v1/items/{id}",
                    Role::kViewer,
                    true,
                    false,
                    "items",
                    "One item with its supplier",
                    {IdDoc("id")},
                    "",
                    GetItem});
}

}  // namespace corrente::server
