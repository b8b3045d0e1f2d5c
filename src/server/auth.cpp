#include "server/auth.h"

#include <fcntl.h>
#include <jwt.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "common/log.h"

namespace corrente::server {

int64_t NowUnix() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

namespace {

std::string RandomHex(size_t bytes) {
  std::string raw(bytes, '\0');
  randombytes_buf(raw.data(), raw.size());
  std::string hex(bytes * 2 + 1, '\0');
  sodium_bin2hex(hex.data(), hex.size(), reinterpret_cast<const unsigned char*>(raw.data()),
                 raw.size());
  hex.pop_back();
  return hex;
}

std::optional<std::string> Base64UrlDecode(std::string_view in) {
  std::string out(in.size(), '\0');
  size_t len = 0;
  if (sodium_base642bin(reinterpret_cast<unsigned char*>(out.data()), out.size(), in.data(),
                        in.size(), nullptr, &len, nullptr,
                        sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0)
    return std::nullopt;
  out.resize(len);
  return out;
}

struct JwtDeleter {
  void operator()(jwt_t* j) const { jwt_free(j); }
};
using JwtPtr = std::unique_ptr<jwt_t, JwtDeleter>;

}  // namespace

std::string LoadJwtSecret(const Config& config) {
  if (auto s = GetEnv("CORRENTE_JWT_SECRET")) {
    if (s->size() < 32) throw std::runtime_error("CORRENTE_JWT_SECRET must be at least 32 bytes");
    return *s;
  }
  std::filesystem::path file = std::filesystem::path(config.home) / "jwt_secret";
  std::error_code ec;
  for (int attempt = 0; attempt < 2; ++attempt) {
    if (!std::filesystem::exists(file, ec)) break;
    struct stat st {};
    if (::stat(file.c_str(), &st) == 0 && (st.st_mode & 077) != 0)
      throw std::runtime_error(file.string() +
                               " must not be readable by group or others (chmod 600)");
    std::ifstream in(file);
    std::string secret;
    std::getline(in, secret);
    if (secret.size() >= 32) return secret;
    if (attempt == 1)
      throw std::runtime_error(file.string() + " must hold a secret of at least 32 bytes");
    // Another server may be writing it right now (O_EXCL below); give it a moment.
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  if (config.IsProduction())
    throw std::runtime_error(
        "production mode needs an explicit JWT secret: set CORRENTE_JWT_SECRET (32+ random bytes) "
        "or create " +
        file.string() + " (mode 0600)");
  std::filesystem::create_directories(file.parent_path(), ec);
  std::string secret = RandomHex(32);
  int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_EXCL, 0600);
  if (fd < 0 && errno == EEXIST) {  // another server created it first: use theirs
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    std::ifstream in(file);
    std::string theirs;
    std::getline(in, theirs);
    if (theirs.size() >= 32) return theirs;
  }
  if (fd < 0)
    throw std::runtime_error("cannot create " + file.string() + ": " + std::strerror(errno));
  std::string line = secret + "\n";
  bool ok = ::write(fd, line.data(), line.size()) == static_cast<ssize_t>(line.size());
  ::close(fd);
  if (!ok) throw std::runtime_error("cannot write " + file.string());
  spdlog::info("generated a JWT signing secret in {}", file.string());
  return secret;
}

// ---- RevokedTokens ----

bool RevokedTokens::Contains(const std::string& jti) const {
  std::shared_lock l(mu_);
  return jti_.count(jti) > 0;
}

void RevokedTokens::Add(const std::string& jti, int64_t expires_at) {
  std::unique_lock l(mu_);
  jti_[jti] = expires_at;
  if (jti_.size() % 1024 == 0) {  // forget tokens that have expired anyway
    int64_t now = NowUnix();
    std::erase_if(jti_, [&](const auto& kv) { return kv.second < now; });
  }
  changes_++;
}

void RevokedTokens::Reset(std::unordered_map<std::string, int64_t> all) {
  std::unique_lock l(mu_);
  jti_ = std::move(all);
  loaded_ = true;
  changes_++;
}

size_t RevokedTokens::Size() const {
  std::shared_lock l(mu_);
  return jti_.size();
}

// ---- UserStates ----

std::optional<std::string> UserStates::Refuse(const Principal& p) const {
  std::shared_lock l(mu_);
  auto it = users_.find(p.user_id);
  if (it == users_.end()) return std::nullopt;
  if (!it->second.active) return "the account is inactive";
  if (p.token_version < it->second.token_version)
    return "the token predates a change to the account; log in again";
  return std::nullopt;
}

void UserStates::Set(int64_t user_id, State s) {
  std::unique_lock l(mu_);
  auto [it, added] = users_.try_emplace(user_id, s);
  // A late or reordered notice (or a login's older read) never undoes a newer change.
  if (!added && s.token_version >= it->second.token_version) it->second = s;
  changes_++;
}

void UserStates::Reset(const std::unordered_map<int64_t, State>& all) {
  for (const auto& [id, s] : all) Set(id, s);
  loaded_ = true;
  changes_++;
}

std::string AccountNotice(int64_t user_id, const UserStates::State& s) {
  return "account " + std::to_string(user_id) + (s.active ? " 1 " : " 0 ") +
         std::to_string(s.token_version);
}

std::optional<std::pair<int64_t, UserStates::State>> ParseAccountNotice(
    const std::string& payload) {
  long long id = 0, version = 0;
  int active = 1, used = 0;
  if (std::sscanf(payload.c_str(), "account %lld %d %lld%n", &id, &active, &version, &used) != 3 ||
      used != static_cast<int>(payload.size()) || id <= 0 || version < 0)
    return std::nullopt;
  return std::pair<int64_t, UserStates::State>{id, {active != 0, version}};
}

// ---- Jwt ----

std::string Jwt::Issue(Principal& p) const {
  jwt_t* raw = nullptr;
  if (jwt_new(&raw) != 0) throw std::runtime_error("jwt_new failed");
  JwtPtr j(raw);
  int64_t now = NowUnix();
  p.jti = RandomHex(16);
  p.expires_at = now + ttl_.count();
  p.issued_at = now;
  jwt_add_grant(j.get(), "iss", kJwtIssuer);
  jwt_add_grant(j.get(), "aud", kJwtAudience);
  jwt_add_grant(j.get(), "sub", p.username.c_str());
  jwt_add_grant(j.get(), "role", RoleName(p.role));
  jwt_add_grant(j.get(), "jti", p.jti.c_str());
  jwt_add_grant_int(j.get(), "uid", static_cast<long>(p.user_id));
  jwt_add_grant_int(j.get(), "iat", static_cast<long>(now));
  jwt_add_grant_int(j.get(), "ver", static_cast<long>(p.token_version));
  jwt_add_grant_int(j.get(), "exp", static_cast<long>(p.expires_at));
  if (jwt_set_alg(j.get(), JWT_ALG_HS256, reinterpret_cast<const unsigned char*>(secret_.data()),
                  static_cast<int>(secret_.size())) != 0)
    throw std::runtime_error("jwt_set_alg failed");
  char* s = jwt_encode_str(j.get());
  if (!s) throw std::runtime_error("jwt_encode_str failed");
  std::string out(s);
  free(s);
  return out;
}

std::optional<Principal> Jwt::Verify(const std::string& token, std::string* why) const {
  auto fail = [&](const char* w) -> std::optional<Principal> {
    if (why) *why = w;
    return std::nullopt;
  };
  if (token.size() > 4096) return fail("token too long");
  size_t dot = token.find('.');
  if (dot == std::string::npos || token.find('.', dot + 1) == std::string::npos)
    return fail("malformed token");
  // Pin the algorithm before libjwt sees the token: only {"alg":"HS256"} is accepted, so
  // "none" and algorithm switches (HS384/HS512 with the same secret, RS256) are refused.
  auto header = Base64UrlDecode(std::string_view(token).substr(0, dot));
  if (!header) return fail("malformed token header");
  boost::system::error_code ec;
  auto hv = boost::json::parse(*header, ec);
  if (ec || !hv.is_object()) return fail("malformed token header");
  const auto* alg = hv.as_object().if_contains("alg");
  if (!alg || !alg->is_string() || alg->as_string() != "HS256")
    return fail("token algorithm must be HS256");

  jwt_t* raw = nullptr;
  if (jwt_decode(&raw, token.c_str(), reinterpret_cast<const unsigned char*>(secret_.data()),
                 static_cast<int>(secret_.size())) != 0 ||
      !raw)
    return fail("invalid token signature");
  JwtPtr j(raw);
  if (jwt_get_alg(j.get()) != JWT_ALG_HS256) return fail("token algorithm must be HS256");

  errno = 0;
  long exp = jwt_get_grant_int(j.get(), "exp");
  if (errno == ENOENT || exp <= 0) return fail("token has no exp");
  if (exp <= NowUnix()) return fail("token expired");
  const char* iss = jwt_get_grant(j.get(), "iss");
  const char* aud = jwt_get_grant(j.get(), "aud");
  if (!iss || std::string_view(iss) != kJwtIssuer) return fail("wrong token issuer");
  if (!aud || std::string_view(aud) != kJwtAudience) return fail("wrong token audience");
  const char* sub = jwt_get_grant(j.get(), "sub");
  const char* role = jwt_get_grant(j.get(), "role");
  const char* jti = jwt_get_grant(j.get(), "jti");
  errno = 0;
  long uid = jwt_get_grant_int(j.get(), "uid");
  bool no_uid = errno == ENOENT;
  errno = 0;
  long ver = jwt_get_grant_int(j.get(), "ver");
  bool no_ver = errno == ENOENT;
  // Without "ver" a token could not be ended by an account change: refused (this includes
  // tokens issued before versions existed).
  if (!sub || !role || !jti || no_uid || uid <= 0 || no_ver || ver < 0)
    return fail("token lacks required claims");
  auto r = ParseRole(role);
  if (!r) return fail("token has an unknown role");
  Principal p;
  p.user_id = uid;
  p.username = sub;
  p.role = *r;
  p.jti = jti;
  p.expires_at = exp;
  p.token_version = ver;
  errno = 0;
  long iat = jwt_get_grant_int(j.get(), "iat");
  p.issued_at = errno == ENOENT ? 0 : iat;
  return p;
}

// ---- LoginThrottle ----

int64_t LoginThrottle::Reserve(const std::string& key) {
  std::lock_guard l(mu_);
  auto now = std::chrono::steady_clock::now();
  if (entries_.size() > 100000 && now - swept_ >= std::chrono::seconds(1)) {
    swept_ = now;
    std::erase_if(entries_, [&](const auto& kv) {
      return kv.second.pending == 0 && now >= kv.second.first + window_;
    });
  }
  auto [it, added] = entries_.try_emplace(key);
  Entry& e = it->second;
  if (added || now >= e.first + window_) {
    e.failures = 0;
    e.first = now;
  }
  if (e.failures >= max_)
    return std::max<int64_t>(
        1, std::chrono::duration_cast<std::chrono::seconds>(e.first + window_ - now).count());
  if (e.failures + e.pending >= max_) return 1;
  ++e.pending;
  return 0;
}

void LoginThrottle::EndPending(std::unordered_map<std::string, Entry>::iterator it) {
  if (it->second.pending > 0) --it->second.pending;
  if (it->second.pending == 0 && it->second.failures == 0) entries_.erase(it);
}

void LoginThrottle::Fail(const std::string& key) {
  std::lock_guard l(mu_);
  auto it = entries_.find(key);
  if (it == entries_.end()) return;
  ++it->second.failures;
  EndPending(it);
}

void LoginThrottle::Release(const std::string& key) {
  std::lock_guard l(mu_);
  if (auto it = entries_.find(key); it != entries_.end()) EndPending(it);
}

void LoginThrottle::Success(const std::string& key) {
  std::lock_guard l(mu_);
  auto it = entries_.find(key);
  if (it == entries_.end()) return;
  it->second.failures = 0;
  EndPending(it);
}

}  // namespace corrente::server
