#pragma once
// Password hashing with argon2id (libsodium crypto_pwhash_str, 64 MiB, t=2: above OWASP's
// 19 MiB/t=2 minimum) and a strength check for passwords set by people.
#include <optional>
#include <string>
#include <string_view>

namespace corrente {

std::string HashPassword(std::string_view password);  // throws on out-of-memory
// argon2id hashes, and the bcrypt hashes of migrated apps ($2a$, $2b$, $2y$; common/bcrypt.h).
bool VerifyPassword(std::string_view password, const std::string& hash);
// True for a hash that is not argon2id (a migrated bcrypt one): after a successful
// verification the caller stores HashPassword() of the same password in its place.
bool PasswordNeedsRehash(const std::string& hash);
// nullopt when acceptable, otherwise the reason it is too weak.
std::optional<std::string> PasswordWeakness(std::string_view password, std::string_view username);
// A random password of `len` characters from an unambiguous alphabet.
std::string RandomPassword(size_t len = 16);

}  // namespace corrente
