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

}  // namespace corrente
