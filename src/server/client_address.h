#pragma once
// The client address a request is counted under (login throttles and rates, the tarpit, the
// audit log). Without trusted proxies it is the peer's address, and X-Forwarded-For is ignored
// (anyone can send it). Behind a reverse proxy whose address is trusted (serve
// --trusted-proxy), it is the address that proxy saw: the right-most X-Forwarded-For entry
// not itself a trusted proxy. Pure functions, thread-safe.
#include <string>
#include <string_view>
#include <vector>

namespace corrente::server {

// An IPv4 or IPv6 address in its canonical text ("::1", "10.0.0.1"); nullopt-like "" when
// `text` is not one.
std::string CanonicalAddress(std::string_view text);

// The client's address. `peer`: the connection's; `forwarded_for`: every X-Forwarded-For
// header of the request, joined by ','; `trusted`: canonical addresses of the proxies. Past an
// entry that is not an address, the nearest trusted hop is the client (the proxy wrote
// nothing it can vouch for).
std::string ClientAddress(const std::string& peer, std::string_view forwarded_for,
                          const std::vector<std::string>& trusted);

}  // namespace corrente::server
