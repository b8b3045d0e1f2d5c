#include "pg/copy_text.h"

#include <gtest/gtest.h>

namespace corrente::pg {
namespace {

TEST(CopyText, UnescapesEveryEscape) {
  std::string scratch;
  EXPECT_EQ(UnescapeCopyText("plain", &scratch), "plain");
  EXPECT_EQ(UnescapeCopyText("a\\tb\\nc\\rd\\be\\ff\\vg", &scratch), "a\tb\nc\rd\be\ff\vg");
  EXPECT_EQ(UnescapeCopyText("back\\\\slash", &scratch), "back\\slash");
  EXPECT_EQ(UnescapeCopyText("\\x", &scratch), "x");
  EXPECT_EQ(UnescapeCopyText("ends\\", &scratch), "ends\\");  // a lone trailing backslash stays
}

TEST(CopyText, SplitsFieldsAndNulls) {
  std::vector<std::string_view> fields;
  std::vector<char> nulls;
  std::vector<std::string> scratch;
  SplitCopyTextLine("1\t\\N\tx\\ty\t", &fields, &nulls, &scratch);
  ASSERT_EQ(fields.size(), 4u);
  EXPECT_EQ(fields[0], "1");
  EXPECT_TRUE(nulls[1]);
  EXPECT_FALSE(nulls[2]);
  EXPECT_EQ(fields[2], "x\ty");
  EXPECT_EQ(fields[3], "");
  EXPECT_FALSE(nulls[3]);  // an empty string is not NULL
  SplitCopyTextLine("only", &fields, &nulls, &scratch);
  ASSERT_EQ(fields.size(), 1u);
  EXPECT_EQ(fields[0], "only");
  SplitCopyTextLine("\\\\N", &fields, &nulls, &scratch);  // the text "\N", not NULL
  EXPECT_FALSE(nulls[0]);
  EXPECT_EQ(fields[0], "\\N");
}

}  // namespace
}  // namespace corrente::pg
