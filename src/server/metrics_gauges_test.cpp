#include "server/metrics_gauges.h"

#include <gtest/gtest.h>

#include <map>
#include <sstream>

namespace corrente::server {
namespace {

// The samples of Prometheus text by name, with the TYPE and HELP lines each one had before it.
struct Sample {
  std::string value, type;
  bool help = false;
};
std::map<std::string, Sample> Samples(const std::string& text) {
  std::map<std::string, Sample> out;
  std::string line, help_of, type_of, type;
  std::istringstream in(text);
  while (std::getline(in, line)) {
    std::istringstream words(line);
    std::string a, b, c;
    words >> a >> b >> c;
    if (a == "#" && b == "HELP") {
      help_of = c;
    } else if (a == "#" && b == "TYPE") {
      type_of = c;
      words >> type;
    } else {
      out[a] = {b, type_of == a ? type : "", help_of == a};
    }
  }
  return out;
}

TEST(ServerGauges, EachSourceAsAWholeNumberWithItsHelpAndType) {
  pg::Pool pool("host=/nonexistent dbname=none", 7);  // never asked: no connection opened
  ResponseCache cache;
  cache.Invalidate();
  cache.Invalidate();
  SingleFlight flights;
  HttpServer::ConnectionStats conns;
  conns.open = 5;
  conns.idle = 2;
  conns.max_open = 100;
  conns.held_total = 9;
  EventHub events(EventHub::Options{});
  events.Publish("a", "{}");
  events.Publish("b", "{}");
  events.Publish("c", "{}");
  RevokedTokens revoked;
  revoked.Add("jti-1", 4102444800);
  HashingPool::Options hashing_options;
  hashing_options.threads = 2;
  hashing_options.duty = 0.25;
  HashingPool hashing(hashing_options);
  LoginRate address_rate(RateLimit{20, 30}), account_rate(RateLimit{10, 6});
  address_rate.CountRefused();
  InFlightLimit in_flight(3);

  auto s = Samples(ServerGauges({pool, 7, cache, flights, conns, events, 64, revoked, hashing,
                                 address_rate, account_rate, in_flight}));
  const std::map<std::string, std::string> expected{
      {"db_pool_connections_open", "0"},       {"db_pool_connections_max", "7"},
      {"cache_entries", "0"},                  {"cache_invalidations_total", "2"},
      {"http_connections_open", "5"},          {"http_connections_idle", "2"},
      {"http_connections_max", "100"},         {"http_held_total", "9"},
      {"sse_streams_open", "0"},               {"sse_streams_max", "64"},
      {"sse_events_total", "3"},               {"auth_revoked_tokens", "1"},
      {"auth_hashing_threads", "2"},           {"auth_hashing_duty_percent", "25"},
      {"auth_login_rate_address_refused_total", "1"},
      {"auth_login_rate_account_refused_total", "0"},
      {"http_in_flight_per_client_max", "3"}};
  for (const auto& [name, value] : expected) {
    ASSERT_TRUE(s.count(name)) << name;
    EXPECT_EQ(s[name].value, value) << name;
  }
  for (const auto& [name, sample] : s) {
    EXPECT_TRUE(sample.help) << name;
    // Counters end in _total, and only they do.
    EXPECT_EQ(sample.type, name.ends_with("_total") ? "counter" : "gauge") << name;
    EXPECT_EQ(sample.value.find_first_not_of("0123456789"), std::string::npos) << name;
  }
}

}  // namespace
}  // namespace corrente::server
