#include "common/url.h"

#include <gtest/gtest.h>

namespace corrente {

TEST(RedactUrl, HidesUserInfo) {
  EXPECT_EQ(RedactUrl("mysql://root:s3cret@db.example:3306/shop"), "mysql://***@db.example:3306/shop");
  EXPECT_EQ(RedactUrl("mysql://root@localhost/shop"), "mysql://***@localhost/shop");
}

TEST(RedactUrl, PasswordWithAtSign) {
  EXPECT_EQ(RedactUrl("mysql://u:p@ss@h/db"), "mysql://***@h/db");
}

TEST(RedactUrl, LeavesUrlsWithoutCredentials) {
  EXPECT_EQ(RedactUrl("sqlite:///tmp/a.db"), "sqlite:///tmp/a.db");
  EXPECT_EQ(RedactUrl("sqlite:///tmp/user@home/a.db"), "sqlite:///tmp/user@home/a.db");
  EXPECT_EQ(RedactUrl("/tmp/plain.db"), "/tmp/plain.db");
}

TEST(RedactUrlIn, HidesTheUrlAndEachPartOfItsUserInfo) {
  const std::string url = "postgresql://x:top%ZZsecret@127.0.0.1:1/db";
  EXPECT_EQ(RedactUrlIn("invalid percent-encoded token: \"top%ZZsecret\"", url),
            "invalid percent-encoded token: \"***\"");
  EXPECT_EQ(RedactUrlIn("cannot parse \"" + url + "\"", url),
            "cannot parse \"postgresql://***@127.0.0.1:1/db\"");
  EXPECT_EQ(RedactUrlIn("token \"p@ss\"", "postgresql://u:p@ss@h/db"), "token \"***\"");
  EXPECT_EQ(RedactUrlIn("no credentials here", "postgresql://h/db"), "no credentials here");
  EXPECT_EQ(RedactUrlIn("plain", "host=h password=p"), "plain");
}

}  // namespace corrente
