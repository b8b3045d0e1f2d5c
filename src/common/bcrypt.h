#pragma once
// bcrypt password hashes as Node and Prisma apps write them ($2a$, $2b$, $2y$), verified with
// the system's libxcrypt (crypt_rn). Only verified, never made: new hashes are argon2id.
#include <string>
#include <string_view>

namespace corrente {

// True for a well-formed "$2a$|$2b$|$2y$" + 2-digit cost + 53 characters of bcrypt base64.
bool IsBcryptHash(std::string_view hash);
// True when `password` hashes to `hash`. False for a malformed hash, and for a password with a
// NUL byte (crypt would stop at it). bcrypt reads at most 72 bytes of the password, as the
// apps that wrote the hash did. Thread-safe.
bool VerifyBcrypt(std::string_view password, const std::string& hash);

}  // namespace corrente
