#include "server/security_headers.h"

#include <gtest/gtest.h>

namespace corrente::server {
namespace {

std::string Header(const Response& res, const std::string& name) {
  for (const auto& [k, v] : res.headers)
    if (k == name) return v;
  return "";
}

TEST(SecurityHeaders, InlinePageCspHashesEachBlock) {
  std::string csp = InlinePageCsp("<style>b</style><p>x</p><script>a</script>");
  EXPECT_NE(csp.find("script-src 'sha256-ypeBEsobvcr6wjGzmiPcTaeG7/gUfE5yuYB3ha/uSLs='; "),
            std::string::npos)
      << csp;
  EXPECT_NE(csp.find("style-src 'sha256-PiPoFgA5WUoziU9lZOGxNIu9egCI1CxKy3PurtWcAJ0='; "),
            std::string::npos)
      << csp;
  EXPECT_NE(csp.find("frame-ancestors 'none'"), std::string::npos);
  EXPECT_EQ(csp.find("unsafe"), std::string::npos);
  std::string none = InlinePageCsp("<p>no code</p>");
  EXPECT_NE(none.find("script-src 'none'; style-src 'none'"), std::string::npos) << none;
}

TEST(SecurityHeaders, DefaultsKeepARoutesOwnPolicy) {
  Response page{200, "text/html", "<p>", {}};
  AddPageHeaders(page);
  AddSecurityHeaders(page, false);
  EXPECT_EQ(Header(page, "Content-Security-Policy"), kPageCsp);
  EXPECT_EQ(Header(page, "X-Frame-Options"), "DENY");
  EXPECT_EQ(Header(page, "Referrer-Policy"), "no-referrer");
  EXPECT_EQ(Header(page, "Strict-Transport-Security"), "");
  Response json{200, "application/json", "{}", {}};
  AddSecurityHeaders(json, true);
  EXPECT_EQ(Header(json, "Content-Security-Policy"), kDefaultCsp);
  EXPECT_EQ(Header(json, "Strict-Transport-Security"), "max-age=31536000");
  EXPECT_EQ(Header(json, "Permissions-Policy"), "");
  size_t csps = 0;
  for (const auto& [k, v] : page.headers) csps += k == "Content-Security-Policy";
  EXPECT_EQ(csps, 1u);
}

}  // namespace
}  // namespace corrente::server
