#include "common/json.h"

#include <gtest/gtest.h>

namespace corrente {
namespace {

TEST(JsonString, EscapesQuotesBackslashesAndControls) {
  EXPECT_EQ(JsonString(""), "\"\"");
  EXPECT_EQ(JsonString("plain"), "\"plain\"");
  EXPECT_EQ(JsonString("a\"b\\c\n\r\t"), "\"a\\\"b\\\\c\\n\\r\\t\"");
  EXPECT_EQ(JsonString(std::string_view("\x00\x1f\x7f", 3)), "\"\\u0000\\u001f\x7f\"");
  EXPECT_EQ(JsonString("\"at both ends\""), "\"\\\"at both ends\\\"\"");
  EXPECT_EQ(JsonString("caf\xc3\xa9"), "\"caf\xc3\xa9\"");  // UTF-8 passes through
}

TEST(JsonString, AppendKeepsWhatIsThere) {
  std::string out = "{\"k\":";
  AppendJsonString(out, "v\x01w");
  AppendJsonString(out, "");
  EXPECT_EQ(out, "{\"k\":\"v\\u0001w\"\"\"");
}

// Every byte, alone and between plain runs, agrees with a byte-by-byte reference escaper.
TEST(JsonString, MatchesReferenceForEveryByte) {
  auto reference = [](std::string_view s) {
    std::string o = "\"";
    for (unsigned char c : s) {
      if (c == '"') o += "\\\"";
      else if (c == '\\') o += "\\\\";
      else if (c == '\n') o += "\\n";
      else if (c == '\r') o += "\\r";
      else if (c == '\t') o += "\\t";
      else if (c < 0x20) {
        char b[8];
        std::snprintf(b, sizeof b, "\\u%04x", c);
        o += b;
      } else o += static_cast<char>(c);
    }
    return o + "\"";
  };
  for (int c = 0; c < 256; ++c) {
    std::string s = "ab" + std::string(1, static_cast<char>(c)) + "cd" + std::string(1, static_cast<char>(c));
    EXPECT_EQ(JsonString(s), reference(s)) << c;
  }
}

}  // namespace
}  // namespace corrente
