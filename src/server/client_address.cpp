#include "server/client_address.h"

#include <arpa/inet.h>

#include <algorithm>

namespace corrente::server {

std::string CanonicalAddress(std::string_view text) {
  if (text.find('\0') != std::string_view::npos) return "";
  std::string s(text);
  char out[INET6_ADDRSTRLEN] = {};
  unsigned char raw[sizeof(in6_addr)];
  if (inet_pton(AF_INET, s.c_str(), raw) == 1) return inet_ntop(AF_INET, raw, out, sizeof out);
  if (inet_pton(AF_INET6, s.c_str(), raw) == 1) return inet_ntop(AF_INET6, raw, out, sizeof out);
  return "";
}

std::string ClientAddress(const std::string& peer, std::string_view forwarded_for,
                          const std::vector<std::string>& trusted) {
  auto is_trusted = [&](const std::string& a) {
    return std::find(trusted.begin(), trusted.end(), a) != trusted.end();
  };
  std::string client = CanonicalAddress(peer);
  if (client.empty() || !is_trusted(client)) return peer;
  // Right to left: each trusted hop vouches for the entry it appended.
  std::string_view rest = forwarded_for;
  while (!rest.empty()) {
    size_t comma = rest.rfind(',');
    std::string_view entry = comma == std::string_view::npos ? rest : rest.substr(comma + 1);
    rest = comma == std::string_view::npos ? std::string_view() : rest.substr(0, comma);
    while (!entry.empty() && (entry.front() == ' ' || entry.front() == '\t'))
      entry.remove_prefix(1);
    while (!entry.empty() && (entry.back() == ' ' || entry.back() == '\t')) entry.remove_suffix(1);
    std::string hop = CanonicalAddress(entry);
    if (hop.empty()) return client;
    client = hop;
    if (!is_trusted(hop)) return client;
  }
  return client;
}

}  // namespace corrente::server
