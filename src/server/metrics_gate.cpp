#include "server/metrics_gate.h"

#include <sodium.h>
#include <strings.h>

#include <stdexcept>

namespace corrente::server {

MetricsGate::MetricsGate(const std::optional<std::string>& token) {
  if (!token) return;
  if (token->size() < kMinTokenBytes)
    throw std::invalid_argument("the metrics token must be at least " +
                                std::to_string(kMinTokenBytes) + " bytes");
  if (sodium_init() < 0) throw std::runtime_error("libsodium failed to initialize");
  digest_ = Hash(*token);
}

MetricsGate::Digest MetricsGate::Hash(const std::string& s) {
  Digest d;
  crypto_generichash(d.data(), d.size(), reinterpret_cast<const unsigned char*>(s.data()), s.size(),
                     nullptr, 0);
  return d;
}

std::optional<Response> MetricsGate::Refuse(const Request& req) const {
  if (!digest_) return std::nullopt;
  auto h = req.Header("authorization");
  if (h && h->size() > 7 && strncasecmp(h->c_str(), "Bearer ", 7) == 0) {
    // Equal-length digests, so neither the token's length nor where it first differs shows
    // in the time taken.
    Digest presented = Hash(h->substr(7));
    if (sodium_memcmp(presented.data(), digest_->data(), presented.size()) == 0)
      return std::nullopt;
  }
  Response res = ErrorResponse(401, "unauthorized", "/metrics needs its bearer token");
  res.headers.emplace_back("WWW-Authenticate", "Bearer realm=\"metrics\"");
  res.headers.emplace_back("Cache-Control", "no-store");
  return res;
}

}  // namespace corrente::server
