#include "common/password.h"

#include <gtest/gtest.h>

namespace corrente {
namespace {

TEST(Password, HashVerifiesAndIsArgon2id) {
  std::string h = HashPassword("Correct-Horse-9");
  EXPECT_EQ(h.rfind("$argon2id$", 0), 0u);
  EXPECT_TRUE(VerifyPassword("Correct-Horse-9", h));
  EXPECT_FALSE(VerifyPassword("Correct-Horse-8", h));
  EXPECT_NE(HashPassword("Correct-Horse-9"), h);  // salted
}

TEST(Password, WeakOnesAreRefused) {
  EXPECT_TRUE(PasswordWeakness("short1A", "bob"));
  EXPECT_TRUE(PasswordWeakness("Password123!", "bob"));
  EXPECT_TRUE(PasswordWeakness("Bob-is-great-7", "bob"));
  EXPECT_FALSE(PasswordWeakness("alllowercaseletters", "x"));  // 19 characters: long enough
  EXPECT_TRUE(PasswordWeakness("onlylower12", "x"));             // two classes and short
  EXPECT_FALSE(PasswordWeakness("Tr0ub4dor&3x", "bob"));
}

TEST(Password, RandomPasswordsAreStrongAndDistinct) {
  auto a = RandomPassword(), b = RandomPassword();
  EXPECT_NE(a, b);
  EXPECT_EQ(a.size(), 16u);
  EXPECT_FALSE(PasswordWeakness(a, "admin"));
}

}  // namespace
}  // namespace corrente
