#include "common/bcrypt.h"

#include <crypt.h>
#include <sodium.h>

#include <cctype>
#include <cstring>
#include <memory>

namespace corrente {

bool IsBcryptHash(std::string_view h) {
  if (h.size() != 60 || h.substr(0, 2) != "$2" || h[3] != '$' || h[6] != '$') return false;
  if (h[2] != 'a' && h[2] != 'b' && h[2] != 'y') return false;
  if (h[4] < '0' || h[4] > '3' || h[5] < '0' || h[5] > '9') return false;  // cost 04..31
  for (char c : h.substr(7))
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '/')) return false;
  return true;
}

bool VerifyBcrypt(std::string_view password, const std::string& hash) {
  if (!IsBcryptHash(hash) || password.find('\0') != std::string_view::npos) return false;
  auto data = std::make_unique<crypt_data>();  // about 32 KiB: not on a pool thread's stack
  std::string pw(password);
  const char* out = crypt_rn(pw.c_str(), hash.c_str(), data.get(), sizeof(crypt_data));
  // crypt_rn returns null (or a "*" failure token) on error; the comparison is constant-time.
  bool ok = out != nullptr && std::strlen(out) == hash.size() &&
            sodium_memcmp(out, hash.data(), hash.size()) == 0;
  sodium_memzero(pw.data(), pw.size());
  sodium_memzero(data.get(), sizeof(crypt_data));
  return ok;
}

}  // namespace corrente
