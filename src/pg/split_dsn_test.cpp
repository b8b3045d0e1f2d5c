// pg::SplitPassword: the password comes out of a URL or key=value DSN, the rest stays usable.
#include <gtest/gtest.h>

#include "pg/pg.h"

namespace corrente::pg {
namespace {

TEST(SplitPassword, UrlPasswordGoesOutPercentDecodedAndTheRestStays) {
  SplitDsn s =
      SplitPassword("postgresql://corrente:p%40ss%27w@127.0.0.1:54320/corrente?sslmode=verify-full");
  EXPECT_EQ(s.password, "p@ss'w");
  EXPECT_EQ(s.conninfo.find("p@ss"), std::string::npos);
  EXPECT_NE(s.conninfo.find("user='corrente'"), std::string::npos);
  EXPECT_NE(s.conninfo.find("host='127.0.0.1'"), std::string::npos);
  EXPECT_NE(s.conninfo.find("port='54320'"), std::string::npos);
  EXPECT_NE(s.conninfo.find("sslmode='verify-full'"), std::string::npos);
  // What comes out parses again to the same options, without the password.
  SplitDsn again = SplitPassword(s.conninfo);
  EXPECT_EQ(again.conninfo, s.conninfo);
  EXPECT_EQ(again.password, "");
}

TEST(SplitPassword, KeyValueQuotesAndBackslashesSurvive) {
  SplitDsn s = SplitPassword("host=/tmp/x dbname='a b\\'c' password='se cret'");
  EXPECT_EQ(s.password, "se cret");
  EXPECT_EQ(s.conninfo, "dbname='a b\\'c' host='/tmp/x'");  // libpq's option order
}

TEST(SplitPassword, NoPasswordAndBadDsn) {
  EXPECT_EQ(SplitPassword("postgresql://u@h/d").password, "");
  EXPECT_THROW(SplitPassword("garbage"), Error);
}

TEST(SplitPassword, AnUnparsableUrlIsQuotedWithoutItsPassword) {
  try {
    SplitPassword("postgresql://u:s3cret@[bad");
    ADD_FAILURE() << "no error";
  } catch (const Error& e) {
    std::string what = e.what();
    EXPECT_EQ(what.find("s3cret"), std::string::npos) << what;
    EXPECT_NE(what.find("postgresql://***@[bad"), std::string::npos) << what;
  }
}

}  // namespace
}  // namespace corrente::pg
