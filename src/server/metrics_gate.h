#pragma once
// Who may read /metrics. Without a token (the default) anyone who can reach the port may: bind
// to loopback or firewall the port. With one (--metrics-token or CORRENTE_METRICS_TOKEN) only a
// request carrying "Authorization: Bearer <token>" may; the others get 401. Immutable after
// construction, so thread-safe.
#include <array>
#include <optional>
#include <string>

#include "server/router.h"

namespace corrente::server {

class MetricsGate {
 public:
  static constexpr size_t kMinTokenBytes = 16;

  // Throws std::invalid_argument when `token` is shorter than kMinTokenBytes. Keeps only the
  // token's BLAKE2b digest.
  explicit MetricsGate(const std::optional<std::string>& token);

  bool Open() const { return !digest_; }
  // nullopt when `req` may read the metrics, else the 401 to answer. The presented token is
  // hashed and the digests compared with sodium_memcmp (constant time, whatever its length).
  std::optional<Response> Refuse(const Request& req) const;

 private:
  using Digest = std::array<unsigned char, 32>;
  static Digest Hash(const std::string& s);
  std::optional<Digest> digest_;
};

}  // namespace corrente::server
