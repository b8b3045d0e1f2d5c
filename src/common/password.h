#pragma once
// Password hashing with argon2id (libsodium crypto_pwhash_str) at OWASP's recommended
// m = 19 MiB, t = 2, p = 1 (docs/security.md), and a strength check for passwords set by people.
// A hash carries its own parameters: older 64 MiB ones keep verifying, and are replaced at login.
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace corrente {

inline constexpr unsigned long long kArgon2idPasses = 2;        // t
inline constexpr size_t kArgon2idMemoryBytes = 19456u * 1024u;  // m = 19 MiB

std::string HashPassword(std::string_view password);  // throws on out-of-memory
// argon2id hashes, and the bcrypt hashes of migrated apps ($2a$, $2b$, $2y$; common/bcrypt.h).
bool VerifyPassword(std::string_view password, const std::string& hash);
// True for a migrated bcrypt hash and for an argon2id hash with other parameters than
// HashPassword's (the earlier 64 MiB ones): after a successful verification the caller stores
// HashPassword() of the same password in its place. Then every account's check costs the
// same as the dummy check of an unknown user.
bool PasswordNeedsRehash(const std::string& hash);
// "bcrypt", "argon2id" (current parameters) or e.g. "argon2id m=65536,t=2,p=1" (older ones),
// for the PASSWORD_REHASH audit row.
std::string HashScheme(const std::string& hash);
// nullopt when acceptable, otherwise the reason it is too weak.
std::optional<std::string> PasswordWeakness(std::string_view password, std::string_view username);
// A random password of `len` characters from an unambiguous alphabet.
std::string RandomPassword(size_t len = 16);

}  // namespace corrente
