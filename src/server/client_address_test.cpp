#include "server/client_address.h"

#include <gtest/gtest.h>

namespace corrente::server {
namespace {

const std::vector<std::string> kProxy = {"127.0.0.1", "::1"};

TEST(ClientAddress, IgnoresForwardedForFromAnUntrustedPeer) {
  EXPECT_EQ(ClientAddress("203.0.113.7", "198.51.100.1", kProxy), "203.0.113.7");
  EXPECT_EQ(ClientAddress("127.0.0.2", "198.51.100.1", kProxy), "127.0.0.2");
  EXPECT_EQ(ClientAddress("127.0.0.1", "198.51.100.1", {}), "127.0.0.1") << "no proxy trusted";
}

TEST(ClientAddress, BehindATrustedProxyTakesTheEntryItAppended) {
  EXPECT_EQ(ClientAddress("127.0.0.1", "198.51.100.1", kProxy), "198.51.100.1");
  // A client's own X-Forwarded-For is left of what the proxy appended: never believed.
  EXPECT_EQ(ClientAddress("127.0.0.1", "6.6.6.6, 198.51.100.1", kProxy), "198.51.100.1");
  EXPECT_EQ(ClientAddress("127.0.0.1", "6.6.6.6,198.51.100.1", kProxy), "198.51.100.1");
  // A chain of trusted proxies is walked through; IPv6 in canonical form.
  EXPECT_EQ(ClientAddress("::1", "2001:DB8::0:1, 127.0.0.1", kProxy), "2001:db8::1");
  EXPECT_EQ(ClientAddress("127.0.0.1", "127.0.0.1, ::1", kProxy), "127.0.0.1");
  // Nothing forwarded, or an entry that is no address: the proxy itself.
  EXPECT_EQ(ClientAddress("127.0.0.1", "", kProxy), "127.0.0.1");
  EXPECT_EQ(ClientAddress("127.0.0.1", "unknown", kProxy), "127.0.0.1");
  EXPECT_EQ(ClientAddress("127.0.0.1", "198.51.100.1:4711", kProxy), "127.0.0.1");
  EXPECT_EQ(ClientAddress("127.0.0.1", std::string_view("1.2.3.4\0", 8), kProxy), "127.0.0.1");
}

TEST(ClientAddress, Canonical) {
  EXPECT_EQ(CanonicalAddress("10.0.0.1"), "10.0.0.1");
  EXPECT_EQ(CanonicalAddress("0:0:0:0:0:0:0:1"), "::1");
  EXPECT_EQ(CanonicalAddress("10.0.0.256"), "");
  EXPECT_EQ(CanonicalAddress(""), "");
}

}  // namespace
}  // namespace corrente::server
