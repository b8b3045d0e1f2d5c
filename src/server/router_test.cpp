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
