#include "common/utf8.h"

#include <gtest/gtest.h>

#include <initializer_list>

namespace corrente {
namespace {

TEST(Utf8, ValidatesAsPostgresDoes) {
  for (std::string_view ok : std::initializer_list<std::string_view>{
           "", "plain", "ção 😀 ∑", "\x7f", "\xf4\x8f\xbf\xbf", "\xed\x9f\xbf"})
    EXPECT_TRUE(IsUtf8(ok)) << ok;
  // Lone continuation, truncated, overlong, surrogate, past U+10FFFF, bad lead bytes, NUL.
  for (std::string_view bad : std::initializer_list<std::string_view>{
           "\x80", "a\xc3", "\xc0\xaf", "\xe0\x80\xaf", "\xed\xa0\x80", "\xf4\x90\x80\x80",
           "\xf5\x80\x80\x80", "\xff", std::string_view("a\0b", 3)})
    EXPECT_FALSE(IsUtf8(bad)) << bad;
  std::string mixed = std::string("a\xff") + "b\xe2\x82";  // bad byte, then a cut-off €
  EXPECT_EQ(ToUtf8(mixed, 100), "a?b??");
  EXPECT_EQ(ToUtf8("ab\xc3\xa7", 3), "ab");  // not cut inside the ç
  EXPECT_EQ(ToUtf8("ab\xc3\xa7", 4), "ab\xc3\xa7");
}

TEST(Utf8, PrintableIsOneLineAndOneToOne) {
  EXPECT_EQ(Printable("ção 😀"), "ção 😀");
  EXPECT_EQ(Printable(std::string_view("a\0b\n\x7f\xff", 6)), "a\\x00b\\x0a\\x7f\\xff");
  EXPECT_EQ(Printable("\\xff"), "\\\\xff");  // the text \xff is not the byte ff
  EXPECT_NE(Printable("\\xff"), Printable("\xff"));
  EXPECT_EQ(Printable("a\u2028b\u202ec\u0085"), "a\\u2028b\\u202ec\\u0085");  // one line, visible
}

}  // namespace
}  // namespace corrente
