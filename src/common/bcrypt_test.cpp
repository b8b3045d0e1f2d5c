#include "common/bcrypt.h"

#include <gtest/gtest.h>

#include "common/password.h"

namespace corrente {
namespace {

// Known vectors, made with tools other than libxcrypt: `htpasswd -bnBC <cost> u <password>`
// (apache2-utils 2.4, APR's bcrypt: $2y$) and python3-bcrypt 3.2 (`bcrypt.hashpw(pw,
// bcrypt.gensalt(rounds, prefix))`: $2a$, $2b$).
struct Vector {
  const char* password;
  const char* hash;
};
constexpr Vector kVectors[] = {
    {"Prisma-user-2024", "$2y$10$56vpp.82qLSo0VFIhT6NOecBb8HQgLdA5q46f26OE3WAWzue04tWy"},
    {"short", "$2y$04$v7Mm2zAES32p8Ke1EjuLCOLW0eZhPkvJajqd.5r1Owu4.JDjDdjA2"},
    {"pässwört mit Leerzeichen", "$2y$05$u3qyuiFyRDWXlUeftxqZ5eGpwGcZBd5jNWWVeAqBiEusaMLwO4xYm"},
    {"correct horse battery", "$2a$10$NFHLbo4qbrXvOtrWpFIwwe8WN24Hu0rW7/qAwi15vuvhvcDviUn2u"},
    {"S3cret-pa55!", "$2b$10$LH2aESYdZGwxCBOhHUixK.KWqlEe/dpk6l44vyZq.PdVqa5kWVuMu"},
    {"ñandú-contraseña", "$2b$10$ia18JoK/IipmRxGGeyyD3umie0eiCTaigH2Jj8ANY2IP3r1AtkgLK"},
};

TEST(Bcrypt, KnownVectorsVerify) {
  for (const auto& v : kVectors) {
    EXPECT_TRUE(IsBcryptHash(v.hash)) << v.hash;
    EXPECT_TRUE(VerifyBcrypt(v.password, v.hash)) << v.hash;
    EXPECT_TRUE(VerifyPassword(v.password, v.hash)) << v.hash;  // the login path
    EXPECT_TRUE(PasswordNeedsRehash(v.hash));
  }
}

TEST(Bcrypt, WrongPasswordsAreRefused) {
  for (const auto& v : kVectors) {
    std::string pw = v.password;
    EXPECT_FALSE(VerifyBcrypt(pw + "x", v.hash)) << v.hash;
    EXPECT_FALSE(VerifyBcrypt(pw.substr(0, pw.size() - 1), v.hash)) << v.hash;
    EXPECT_FALSE(VerifyBcrypt("", v.hash)) << v.hash;
    EXPECT_FALSE(VerifyPassword(pw + "x", v.hash)) << v.hash;
  }
  // A NUL would end the password for crypt: "short\0anything" must not pass as "short".
  EXPECT_FALSE(VerifyBcrypt(std::string("short\0anything", 14), kVectors[1].hash));
}

// bcrypt reads 72 bytes; apps that wrote these hashes accepted any tail after them.
TEST(Bcrypt, OnlyTheFirst72BytesCount) {
  const std::string pw =
      "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA-long-passphrase-beyond-seventy-two-bytes-tail";
  const std::string h = "$2b$04$b/yU.3QUqUNG1Qcui9jS4.Awv.6Oyt2nNNt6j0S0uZEGvINsVnV6i";
  EXPECT_TRUE(VerifyBcrypt(pw, h));
  EXPECT_TRUE(VerifyBcrypt(pw.substr(0, 72) + "other tail", h));
  EXPECT_FALSE(VerifyBcrypt(pw.substr(0, 71), h));
}

TEST(Bcrypt, MalformedHashesAreRefusedNotCrashed) {
  std::string good = kVectors[4].hash;
  for (std::string bad :
       {std::string(""), std::string("$2b$"), good.substr(0, 59), good + "x",
        "$2x$" + good.substr(4), "$2c$" + good.substr(4), "$2b$1x" + good.substr(6),
        "$2b$10$" + std::string(53, '!'), std::string("$1$abcdefgh$") + std::string(22, 'a')}) {
    EXPECT_FALSE(IsBcryptHash(bad)) << bad;
    EXPECT_FALSE(VerifyBcrypt("S3cret-pa55!", bad)) << bad;
  }
  // Well-formed but a cost past 31: crypt fails, and so does the check.
  std::string cost35 = "$2b$35$" + good.substr(7);
  EXPECT_TRUE(IsBcryptHash(cost35));
  EXPECT_FALSE(VerifyBcrypt("S3cret-pa55!", cost35));
}

TEST(Bcrypt, Argon2idHashesNeedNoRehash) {
  std::string h = HashPassword("Correct-Horse-9");
  EXPECT_FALSE(IsBcryptHash(h));
  EXPECT_FALSE(PasswordNeedsRehash(h));
  EXPECT_TRUE(VerifyPassword("Correct-Horse-9", h));
}

}  // namespace
}  // namespace corrente
