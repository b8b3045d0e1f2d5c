#include "common/password.h"

#include <sodium.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <stdexcept>

#include "common/bcrypt.h"

namespace corrente {
namespace {

void EnsureSodium() {
  static const int rc = sodium_init();
  if (rc < 0) throw std::runtime_error("libsodium failed to initialise");
}

}  // namespace

std::string HashPassword(std::string_view password) {
  EnsureSodium();
  char out[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str_alg(out, password.data(), password.size(),
                            kArgon2idPasses, kArgon2idMemoryBytes,
                            crypto_pwhash_ALG_ARGON2ID13) != 0)
    throw std::runtime_error("argon2id hashing failed (out of memory)");
  return out;
}

bool VerifyPassword(std::string_view password, const std::string& hash) {
  EnsureSodium();
  if (IsBcryptHash(hash)) return VerifyBcrypt(password, hash);
  return crypto_pwhash_str_verify(hash.c_str(), password.data(), password.size()) == 0;
}

bool PasswordNeedsRehash(const std::string& hash) {
  if (IsBcryptHash(hash)) return true;
  EnsureSodium();
  // 1: an argon2id hash with other parameters; 0: current; -1: not argon2id (left alone).
  return hash.rfind("$argon2id$", 0) == 0 &&
         crypto_pwhash_str_needs_rehash(hash.c_str(), kArgon2idPasses, kArgon2idMemoryBytes) == 1;
}

std::string HashScheme(const std::string& hash) {
  if (IsBcryptHash(hash)) return "bcrypt";
  if (!PasswordNeedsRehash(hash)) return "argon2id";
  // "$argon2id$v=19$m=65536,t=2,p=1$salt$hash" -> "argon2id m=65536,t=2,p=1"
  size_t params = hash.find("$m=");
  size_t end = params == std::string::npos ? params : hash.find('$', params + 1);
  if (end == std::string::npos) return "argon2id";
  return "argon2id " + hash.substr(params + 1, end - params - 1);
}

std::optional<std::string> PasswordWeakness(std::string_view pw, std::string_view username) {
  if (pw.size() < 10) return "must be at least 10 characters long";
  if (pw.size() > 256) return "must be at most 256 characters long";
  std::string lower(pw);
  std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
  std::string user(username);
  std::transform(user.begin(), user.end(), user.begin(), [](unsigned char c) { return std::tolower(c); });
  if (!user.empty() && lower.find(user) != std::string::npos) return "must not contain the username";
  static constexpr std::array<std::string_view, 12> kCommon = {
      "password", "123456", "qwerty", "letmein", "welcome", "admin", "corrente", "iloveyou",
      "abc123", "senha", "monkey", "dragon"};
  for (auto c : kCommon)
    if (lower.find(c) != std::string::npos) return "must not contain a common word such as '" + std::string(c) + "'";
  bool lo = false, up = false, dig = false, sym = false;
  for (unsigned char c : pw) {
    lo |= std::islower(c) != 0;
    up |= std::isupper(c) != 0;
    dig |= std::isdigit(c) != 0;
    sym |= !std::isalnum(c);
  }
  int classes = lo + up + dig + sym;
  if (classes < 3 && pw.size() < 16)
    return "needs three of lower case, upper case, digits and symbols (or 16+ characters)";
  return std::nullopt;
}

std::string RandomPassword(size_t len) {
  EnsureSodium();
  static constexpr std::string_view kAlphabet =
      "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
  std::string out;
  for (size_t i = 0; i < len; ++i)
    out.push_back(kAlphabet[randombytes_uniform(static_cast<uint32_t>(kAlphabet.size()))]);
  // Guarantee three classes so generated passwords pass PasswordWeakness.
  out[0] = 'a' + static_cast<char>(randombytes_uniform(26));
  out[1] = 'A' + static_cast<char>(randombytes_uniform(26));
  out[2] = '2' + static_cast<char>(randombytes_uniform(8));
  return out;
}

}  // namespace corrente
