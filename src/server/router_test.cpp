#include "server/router.h"

#include <gtest/gtest.h>

namespace corrente::server {
namespace {

TEST(Router, MatchesParamsAndMethods) {
  Router r;
  r.Add("GET", "/api/v1/items/{id}", [](const Request& q) {
    return Response{200, "text/plain", q.path_params.at("id"), {}};
  });
  r.Add("PATCH", "/api/v1/alerts/{id}/mark-read", [](const Request&) {
    return Response{204, "", "", {}};
  });
  Request q;
  q.method = "GET";
  q.path = "/api/v1/items/42";
  EXPECT_EQ(r.Dispatch(q).body, "42");
  q.path = "/api/v1/items/42/extra";
  EXPECT_EQ(r.Dispatch(q).status, 404);
  q.path = "/api/v1/alerts/7/mark-read";
  Response res = r.Dispatch(q);
  EXPECT_EQ(res.status, 405);
  ASSERT_EQ(res.headers.size(), 1u);
  EXPECT_EQ(res.headers[0].second, "PATCH");
  q.method = "PATCH";
  EXPECT_EQ(r.Dispatch(q).status, 204);
}

TEST(Router, FirstRouteAddedWinsLiteralOrNot) {
  // Literal routes are found by a table, routes with parameters in order: the answer is still
  // the first route added that matches the method and the path.
  Router r;
  auto named = [](std::string name) {
    return [name](const Request& q) {
      std::string params;
      for (const auto& [k, v] : q.path_params) params += " " + k + "=" + v;
      return Response{200, "text/plain", name + params, {}};
    };
  };
  r.Add("GET", "/a/{x}/c", named("param-first"));
  r.Add("GET", "/a/b/c", named("shadowed"));
  r.Add("POST", "/a/b/c", named("post-literal"));
  r.Add("GET", "/a/b", named("literal-first"));
  r.Add("GET", "/a/{x}", named("param-later"));
  r.Add("GET", "/", named("root"));
  Request q;
  q.method = "GET";
  auto body = [&](std::string method, std::string path) {
    q.method = std::move(method);
    q.path = std::move(path);
    return r.Dispatch(q).body;
  };
  EXPECT_EQ(body("GET", "/a/b/c"), "param-first x=b");
  EXPECT_EQ(body("HEAD", "/a/b/c"), "param-first x=b");
  EXPECT_EQ(body("POST", "/a/b/c"), "post-literal");
  EXPECT_EQ(body("GET", "/a/b"), "literal-first");
  EXPECT_EQ(body("GET", "/a/z"), "param-later x=z");
  // Empty segments and a trailing slash route as the plain path.
  EXPECT_EQ(body("GET", "//a//b/"), "literal-first");
  EXPECT_EQ(body("GET", "/"), "root");
  EXPECT_EQ(body("GET", ""), "root");
  EXPECT_EQ(r.Dispatch(q).status, 200);
  q.method = "DELETE";
  q.path = "/a/b";
  EXPECT_EQ(r.Dispatch(q).status, 405);
  // More segments than any route can have: no match, no crash.
  std::string deep;
  for (int i = 0; i < 40; ++i) deep += "/s";
  q.method = "GET";
  q.path = deep;
  EXPECT_EQ(r.Dispatch(q).status, 404);
}

TEST(Router, ErrorEnvelope) {
  Response res = ErrorResponse(400, "bad_parameter", "limit must be an integer \"x\"");
  EXPECT_EQ(
      res.body,
      R"({"status":"error","error":"bad_parameter","detail":"limit must be an integer \"x\""})");
}

TEST(Router, ErrorDetailIsValidUtf8) {
  Response res = ErrorResponse(404, "not_found", std::string("no route for /a\xff\xfe\0b", 19));
  EXPECT_EQ(res.body, R"({"status":"error","error":"not_found","detail":"no route for /a???b"})");
}

}  // namespace
}  // namespace corrente::server
