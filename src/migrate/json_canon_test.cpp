#include "migrate/json_canon.h"

#include <gtest/gtest.h>

namespace corrente::migrate {
namespace {

std::string Canon(std::string_view in) {
  std::string out, err;
  EXPECT_TRUE(AppendCanonicalJson(in, &out, &err)) << in << ": " << err;
  return out;
}

std::string Refused(std::string_view in) {
  std::string out = "kept", err;
  EXPECT_FALSE(AppendCanonicalJson(in, &out, &err)) << in;
  EXPECT_EQ(out, "kept");  // nothing appended
  return err;
}

TEST(CanonicalJson, KeysInJsonbOrderLastDuplicateKept) {
  // jsonb: '{"bb": 1, "a": 2, "a": 3, "c": [1, 2]}' prints {"a": 3, "c": [1, 2], "bb": 1}.
  EXPECT_EQ(Canon(R"( {"bb": 1, "a": 2, "a": 3, "c": [1, 2]} )"), R"({"a":3,"c":[1,2],"bb":1})");
  EXPECT_EQ(Canon(R"({"a": 3, "c": [1, 2], "bb": 1})"), Canon(R"({"bb":1,"c":[1,2],"a":3})"));
  EXPECT_EQ(Canon("{}"), "{}");
  EXPECT_EQ(Canon("[ ]"), "[]");
  EXPECT_EQ(Canon(R"({"k":{"z":null,"y":true,"x":false}})"), R"({"k":{"x":false,"y":true,"z":null}})");
}

TEST(CanonicalJson, NumbersByValue) {
  EXPECT_EQ(Canon("1.50"), "15e-1");
  EXPECT_EQ(Canon("15E-1"), "15e-1");
  EXPECT_EQ(Canon("100"), "1e2");
  EXPECT_EQ(Canon("1e+2"), "1e2");
  EXPECT_EQ(Canon("-0"), "0");
  EXPECT_EQ(Canon("0.000"), "0");
  EXPECT_EQ(Canon("-0.0012"), "-12e-4");
  EXPECT_EQ(Canon("7"), "7");
  EXPECT_EQ(Canon("123456789012345678901234567890"), "12345678901234567890123456789e1");
}

TEST(CanonicalJson, StringsByCodePoint) {
  // The same string written three ways.
  EXPECT_EQ(Canon(R"("é\/")"), R"("é/")");
  EXPECT_EQ(Canon(R"("\u00e9/")"), R"("é/")");
  EXPECT_EQ(Canon(R"("\ud83d\ude00")"), "\"\xF0\x9F\x98\x80\"");
  EXPECT_EQ(Canon(R"("a\"b\\c\n\u0001")"), R"("a\"b\\c\u000a\u0001")");
}

TEST(CanonicalJson, RefusesWhatJsonbRefuses) {
  EXPECT_NE(Refused("{"), "");
  EXPECT_NE(Refused("[1,]"), "");
  EXPECT_NE(Refused("01"), "");
  EXPECT_NE(Refused("1."), "");
  EXPECT_NE(Refused("'a'"), "");
  EXPECT_NE(Refused("tru"), "");
  EXPECT_NE(Refused("1 2"), "");
  EXPECT_NE(Refused(""), "");
  EXPECT_NE(Refused(R"("\u0000")").find("u0000"), std::string::npos);
  EXPECT_NE(Refused(R"("\ud83d")").find("surrogate"), std::string::npos);
  EXPECT_NE(Refused(R"("\ude00")").find("surrogate"), std::string::npos);
  EXPECT_NE(Refused("\"\xff\"").find("UTF-8"), std::string::npos);
  EXPECT_NE(Refused("\"a\tb\"").find("control"), std::string::npos);
  EXPECT_NE(Refused("1e1234567890").find("exponent"), std::string::npos);
  EXPECT_NE(Refused(std::string(1001, '[') + std::string(1001, ']')).find("nested"),
            std::string::npos);
  EXPECT_EQ(Canon(std::string(1000, '[') + std::string(1000, ']')).size(), 2000u);
}

}  // namespace
}  // namespace corrente::migrate
