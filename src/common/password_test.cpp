#include "common/password.h"

#include <gtest/gtest.h>
#include <sodium.h>

namespace corrente {
namespace {

TEST(Password, HashVerifiesAndIsArgon2id) {
  std::string h = HashPassword("Correct-Horse-9");
  EXPECT_EQ(h.rfind("$argon2id$", 0), 0u);
  EXPECT_TRUE(VerifyPassword("Correct-Horse-9", h));
  EXPECT_FALSE(VerifyPassword("Correct-Horse-8", h));
  EXPECT_NE(HashPassword("Correct-Horse-9"), h);  // salted
  EXPECT_NE(h.find("$m=19456,t=2,p=1$"), std::string::npos) << h;
}

// A hash made with the earlier parameters (64 MiB) verifies by the parameters it carries.
TEST(Password, OlderArgon2idParametersStillVerify) {
  ASSERT_GE(sodium_init(), 0);
  char old[crypto_pwhash_STRBYTES];
  ASSERT_EQ(crypto_pwhash_str_alg(old, "Correct-Horse-9", 15, crypto_pwhash_OPSLIMIT_INTERACTIVE,
                                  crypto_pwhash_MEMLIMIT_INTERACTIVE, crypto_pwhash_ALG_ARGON2ID13),
            0);
  EXPECT_NE(std::string(old).find("$m=65536,t=2,p=1$"), std::string::npos) << old;
  EXPECT_TRUE(VerifyPassword("Correct-Horse-9", old));
  EXPECT_FALSE(VerifyPassword("Correct-Horse-8", old));
  EXPECT_TRUE(PasswordNeedsRehash(old));  // replaced at its next successful login
  EXPECT_EQ(HashScheme(old), "argon2id m=65536,t=2,p=1");
  const std::string now = HashPassword("Correct-Horse-9");
  EXPECT_FALSE(PasswordNeedsRehash(now));
  EXPECT_EQ(HashScheme(now), "argon2id");
  EXPECT_FALSE(PasswordNeedsRehash("not a hash"));
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
