#include "server/metrics_gate.h"

#include <gtest/gtest.h>

#include <stdexcept>
#include <vector>

namespace corrente::server {
namespace {

Request WithAuthorization(const std::string& value) {
  Request r;
  r.method = "GET";
  r.path = "/metrics";
  r.headers["authorization"] = value;
  return r;
}

TEST(MetricsGate, OpenWithoutToken) {
  MetricsGate gate(std::nullopt);
  EXPECT_TRUE(gate.Open());
  EXPECT_FALSE(gate.Refuse(Request{}));
}

TEST(MetricsGate, RefusesShortTokens) {
  EXPECT_THROW(MetricsGate(std::string("short")), std::invalid_argument);
  EXPECT_NO_THROW(MetricsGate(std::string(MetricsGate::kMinTokenBytes, 'x')));
}

TEST(MetricsGate, OnlyTheExactBearerToken) {
  const std::string token = "s3cret-metrics-token-0123456789";
  MetricsGate gate(token);
  EXPECT_FALSE(gate.Open());
  EXPECT_FALSE(gate.Refuse(WithAuthorization("Bearer " + token)));
  EXPECT_FALSE(gate.Refuse(WithAuthorization("bearer " + token)));
  const std::vector<std::string> wrong = {"",
                                          "Bearer",
                                          "Bearer ",
                                          "Bearer " + token.substr(1),
                                          "Bearer " + token + "x",
                                          "Bearer " + token.substr(0, token.size() - 1) + "8",
                                          "Basic " + token,
                                          token,
                                          "Bearer  " + token};
  for (const std::string& bad : wrong) {
    auto refused = gate.Refuse(WithAuthorization(bad));
    ASSERT_TRUE(refused) << bad;
    EXPECT_EQ(refused->status, 401);
  }
  auto refused = gate.Refuse(Request{});
  ASSERT_TRUE(refused);
  bool challenge = false;
  for (const auto& [k, v] : refused->headers)
    challenge = challenge || (k == "WWW-Authenticate" && v.rfind("Bearer", 0) == 0);
  EXPECT_TRUE(challenge);
}

}  // namespace
}  // namespace corrente::server
