#include "server/queue.h"

#include <gtest/gtest.h>

namespace corrente::server {
namespace {

Request Post(std::string body) {
  Request r;
  r.method = "POST";
  r.path = "/api/v1/alerts/bulk";
  r.body = std::move(body);
  return r;
}

// The 400's detail, or "" when the body parses.
std::string Refusal(const std::string& body) {
  try {
    ParseBulk(Post(body), {"read", "unread"});
    return "";
  } catch (const ApiError& e) {
    EXPECT_EQ(e.Status(), 400);
    return e.what();
  }
}

TEST(ParseBulk, KeepsDistinctIdsInOrder) {
  BulkRequest b = ParseBulk(Post(R"({"ids":[5,3,5,9],"action":"unread"})"), {"read", "unread"});
  EXPECT_EQ(b.ids, (std::vector<int64_t>{5, 3, 9}));
  EXPECT_EQ(b.action, "unread");
  EXPECT_EQ(IdArray(b.ids), "{5,3,9}");
}

TEST(ParseBulk, RefusesBadBodiesNamingTheField) {
  EXPECT_NE(Refusal("ids=1").find("body must be a JSON object"), std::string::npos);
  EXPECT_NE(Refusal(R"({"ids":[1]})").find("action must be one of read, unread"),
            std::string::npos);
  EXPECT_NE(Refusal(R"({"ids":[1],"action":"acknowledge"})").find("action"), std::string::npos);
  EXPECT_NE(Refusal(R"({"ids":[],"action":"read"})").find("ids must be a non-empty array"),
            std::string::npos);
  EXPECT_NE(Refusal(R"({"ids":"1,2","action":"read"})").find("ids"), std::string::npos);
  for (const char* bad :
       {R"([0])", R"([-4])", R"([1.5])", R"(["7"])", R"([null])", R"([18446744073709551615])"})
    EXPECT_NE(
        Refusal(std::string(R"({"action":"read","ids":)") + bad + "}").find("positive integers"),
        std::string::npos)
        << bad;
  // Both problems in one 400.
  std::string both = Refusal(R"({"ids":[],"action":"x"})");
  EXPECT_NE(both.find("action"), std::string::npos);
  EXPECT_NE(both.find("ids"), std::string::npos);
}

TEST(ParseBulk, CapsTheIdCount) {
  std::string ids;
  for (size_t i = 1; i <= kMaxBulkIds; ++i) ids += (i > 1 ? "," : "") + std::to_string(i);
  EXPECT_EQ(ParseBulk(Post(R"({"action":"read","ids":[)" + ids + "]}"), {"read"}).ids.size(),
            kMaxBulkIds);
  EXPECT_NE(
      Refusal(R"({"action":"read","ids":[)" + ids + ",1001]}").find("at most 1000 ids, got 1001"),
      std::string::npos);
}

TEST(GroupSql, OrdersOnlyByFixedClausesAndNumbersItsParameters) {
  GroupSpec g;
  g.table = "analytics.alerts";
  g.alias = "a";
  g.id_col = "alert_id";
  g.rank = "0";
  g.from_where = "FROM analytics.alerts a WHERE $1::int IS NULL";
  g.filter_params = 1;
  g.top_label = "level";
  g.row_json = "jsonb_build_object('id', f.alert_id)";
  std::string top = GroupSql(g, std::nullopt);
  EXPECT_NE(top.find("ORDER BY top_priority_score DESC"), std::string::npos);
  EXPECT_NE(top.find("LIMIT $2 OFFSET $3"), std::string::npos);
  EXPECT_EQ(top, GroupSql(g, std::string("-priority")));
  EXPECT_NE(GroupSql(g, std::string("sku")).find("ORDER BY sku NULLS LAST"), std::string::npos);
  EXPECT_NE(GroupSql(g, std::string("-latest")).find("ORDER BY latest_at DESC"), std::string::npos);
}

TEST(QueuePageSql, PicksThePageFromNarrowRowsThenReadsItsColumns) {
  std::string sql = QueuePageSql("a", "alert_id", "a.message", " FROM analytics.alerts a WHERE $1::int IS NULL",
                                 "a.created_at, a.alert_id", 1);
  EXPECT_NE(sql.find("SELECT a.alert_id AS id, count(*) OVER () AS total_count FROM analytics.alerts a"
                     " WHERE $1::int IS NULL ORDER BY a.created_at, a.alert_id LIMIT $2 OFFSET $3"),
            std::string::npos);
  EXPECT_NE(sql.find("SELECT a.message, (SELECT min(p.total_count) FROM p) AS total_count"),
            std::string::npos);
  EXPECT_NE(sql.find("AND a.alert_id IN (SELECT p.id FROM p) ORDER BY a.created_at, a.alert_id"),
            std::string::npos);
}

TEST(QueueOrder, LabelThenScoreByDefaultAndTheFourSorts) {
  EXPECT_EQ(QueueOrder("a", "R", std::nullopt), "R, a.priority_score DESC, a.created_at DESC");
  EXPECT_EQ(QueueOrder("a", "R", std::string("-priority")),
            "a.priority_score DESC, R, a.created_at DESC");
  EXPECT_EQ(QueueOrder("r", "R", std::string("priority")),
            "r.priority_score, R DESC, r.created_at");
  EXPECT_EQ(QueueOrder("r", "R", std::string("-created_at")), "r.created_at DESC");
  EXPECT_EQ(QueueOrder("r", "R", std::string("created_at")), "r.created_at");
}

std::vector<std::string> Names(const std::vector<ParamDoc>& docs) {
  std::vector<std::string> n;
  for (const auto& d : docs) n.push_back(d.name);
  return n;
}

TEST(AddQueueRoutes, TheListItsGroupsAndTheBulkAction) {
  std::vector<ApiRoute> routes;
  AddQueueRoutes(routes, {"alerts",
                          "list",
                          "groups",
                          "bulk",
                          {{"level", "query", "string", {}, "level"},
                           {"unread", "query", "boolean", {}, "unread"}},
                          {"read", "unread"},
                          nullptr,
                          nullptr,
                          nullptr});
  ASSERT_EQ(routes.size(), 3u);
  const ApiRoute& list = routes[0];
  EXPECT_EQ(list.method + " " + list.pattern, "GET /api/v1/alerts");
  EXPECT_EQ(list.min_role, Role::kViewer);
  EXPECT_TRUE(list.cacheable && list.list);
  EXPECT_EQ(list.tag, "alerts");
  EXPECT_EQ(list.summary, "list");
  EXPECT_EQ(Names(list.params),
            (std::vector<std::string>{"level", "unread", "sort", "limit", "offset", "format"}));
  EXPECT_EQ(list.params[2].values, QueueSorts());
  const ApiRoute& groups = routes[1];
  EXPECT_EQ(groups.method + " " + groups.pattern, "GET /api/v1/alerts/groups");
  EXPECT_TRUE(groups.cacheable);
  EXPECT_FALSE(groups.list);
  EXPECT_EQ(Names(groups.params),
            (std::vector<std::string>{"level", "unread", "sort", "limit", "offset"}));
  EXPECT_EQ(groups.params[2].values, GroupSorts());
  const ApiRoute& bulk = routes[2];
  EXPECT_EQ(bulk.method + " " + bulk.pattern, "POST /api/v1/alerts/bulk");
  EXPECT_EQ(bulk.min_role, Role::kAnalyst);
  EXPECT_FALSE(bulk.cacheable || bulk.list);
  EXPECT_TRUE(bulk.params.empty());
  EXPECT_EQ(
      bulk.body_schema,
      R"({"type":"object","required":["ids","action"],"properties":{"ids":{"type":"array","minItems":1,"maxItems":1000,"items":{"type":"integer","minimum":1}},"action":{"enum":["read","unread"]}}})");
}

}  // namespace
}  // namespace corrente::server
