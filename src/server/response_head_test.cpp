#include "server/response_head.h"

#include <gtest/gtest.h>

namespace corrente::server {
namespace {

TEST(ResponseHead, FieldsInOrderThenFraming) {
  Response res(200, "application/json", "{}", {{"ETag", "\"abc\""}, {"Vary", "Accept"}});
  EXPECT_EQ(ResponseHead(res, 11, true, "Content-Length: 2\r\n"),
            "HTTP/1.1 200 OK\r\nServer: corrente\r\nContent-Type: application/json\r\n"
            "ETag: \"abc\"\r\nVary: Accept\r\nX-Content-Type-Options: nosniff\r\n"
            "Content-Length: 2\r\n\r\n");
  Response none(304, "", "");
  EXPECT_EQ(ResponseHead(none, 10, false, ""),
            "HTTP/1.0 304 Not Modified\r\nServer: corrente\r\nX-Content-Type-Options: nosniff\r\n"
            "Connection: close\r\n\r\n");
  EXPECT_EQ(ResponseHead(none, 10, true, ""),
            "HTTP/1.0 304 Not Modified\r\nServer: corrente\r\nX-Content-Type-Options: nosniff\r\n"
            "Connection: keep-alive\r\n\r\n");
}

TEST(ResponseHead, NoLineBreakFromANameOrValue) {
  Response res(200, "text/plain\r\nX-A: 1", "");
  res.headers.emplace_back("X-B\r\nX-C", "v\nw");
  res.headers.emplace_back("X:D", std::string("a\0\r\nX-E: 1", 10));
  std::string h = ResponseHead(res, 11, true, "");
  EXPECT_EQ(h, std::string("HTTP/1.1 200 OK\r\nServer: corrente\r\nContent-Type: text/plainX-A: 1"
                           "\r\nX-BX-C: vw\r\nXD: a\0X-E: 1\r\nX-Content-Type-Options: nosniff"
                           "\r\n\r\n",
                           128));
}

}  // namespace
}  // namespace corrente::server
