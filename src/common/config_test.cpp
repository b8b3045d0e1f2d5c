#include "common/config.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <initializer_list>
#include <stdexcept>
#include <string>

namespace corrente {
namespace {

std::optional<double> Number(const char* value) {
  setenv("CORRENTE_TEST_NUMBER", value, 1);
  return GetEnvNumber("CORRENTE_TEST_NUMBER", 1, 100);
}

std::optional<int64_t> Integer(const char* value) {
  setenv("CORRENTE_TEST_NUMBER", value, 1);
  return GetEnvInteger("CORRENTE_TEST_NUMBER", 1, 100);
}

TEST(GetEnvNumber, PlainDecimalsInRangePass) {
  EXPECT_EQ(*Number("5"), 5);
  EXPECT_EQ(*Number("+5"), 5);
  EXPECT_EQ(*Number("2.5"), 2.5);
  EXPECT_EQ(*Number("1e2"), 100);
  unsetenv("CORRENTE_TEST_NUMBER");
  EXPECT_FALSE(GetEnvNumber("CORRENTE_TEST_NUMBER", 1, 100));
  EXPECT_FALSE(Number(""));  // empty: unset
}

// Each of `values` is refused by `read` with an error containing `message`.
template <typename Read>
void ExpectRefused(Read read, std::initializer_list<const char*> values,
                   const std::string& message) {
  for (const char* bad : values) {
    try {
      read(bad);
      ADD_FAILURE() << "'" << bad << "' passed";
    } catch (const std::invalid_argument& e) {
      EXPECT_NE(std::string(e.what()).find(message), std::string::npos) << e.what();
    }
  }
  unsetenv("CORRENTE_TEST_NUMBER");
}

TEST(GetEnvNumber, WhitespaceHexInfinityAndOutOfRangeAreErrorsNamingIt) {
  // strtod took " 5" as 5, "0x10" as 16 and "1e9999" as infinity (refused by the range alone).
  ExpectRefused(Number,
                {" 5", "5 ", "0x10", "0X1A", "inf", "nan", "abc", "5abc", "1e9999", "-1", "0",
                 "101", "\t7", "1,5"},
                "CORRENTE_TEST_NUMBER must be a number from 1 to 100");
}

TEST(GetEnvInteger, WholeNumbersOnly) {
  EXPECT_EQ(*Integer("64"), 64);
  EXPECT_EQ(*Integer("+7"), 7);
  // GetEnvNumber read "2.5" as 2 (a static_cast at the caller) and "1e2" as 100.
  ExpectRefused(Integer, {"2.5", "1e2", "1.0", "0x10", " 8", "8-", "1+1", "99999999999999999999"},
                "CORRENTE_TEST_NUMBER must be a whole number from 1 to 100");
}

}  // namespace
}  // namespace corrente
