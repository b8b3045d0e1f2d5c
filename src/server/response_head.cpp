#include "server/response_head.h"

#include <boost/beast/http/status.hpp>
#include <charconv>
#include <cstring>

namespace corrente::server {
namespace {

namespace http = boost::beast::http;

// True when `s` (a std::string's bytes: a NUL follows them) holds one of `bad`. strcspn scans
// 16 bytes an instruction; a NUL stops it, so it goes on past one.
bool Holds(std::string_view s, const char* bad) {
  for (size_t i = 0; i < s.size(); ++i) {
    i += std::strcspn(s.data() + i, bad);
    if (i < s.size() && s[i] != '\0') return true;
  }
  return false;
}

std::string Without(std::string_view s, const char* bad) {
  std::string out;
  for (char c : s)
    if (c == '\0' || !std::strchr(bad, c)) out += c;
  return out;
}

// Calls put() with each piece of a head, in order.
template <class Put>
void HeadPieces(const Response& res, unsigned version, bool keep_alive, std::string_view status,
                std::string_view framing, Put&& put) {
  put(version == 10 ? "HTTP/1.0 " : "HTTP/1.1 ");
  put(status);
  put(" ");
  put(http::obsolete_reason(static_cast<http::status>(res.status)));
  auto field = [&put](std::string_view name, std::string_view value) {
    put("\r\n");
    put(name);
    put(": ");
    put(value);
  };
  put("\r\nServer: corrente");
  if (!res.content_type.empty()) field("Content-Type", res.content_type);
  for (const auto& [k, v] : res.headers) field(k, v);
  put("\r\nX-Content-Type-Options: nosniff");
  if (!keep_alive)
    put("\r\nConnection: close");
  else if (version == 10)
    put("\r\nConnection: keep-alive");
  put("\r\n");
  put(framing);
  put("\r\n");
}

}  // namespace

// The status line and headers, written by hand: Beast's serializer walks every field as a
// chain of small buffers, which cost more than the rest of a cache hit. Sized first, then
// copied in: appending its 40-odd pieces one by one was 10 % of a hit's instructions. CR and
// LF never reach the output from a header value, nor ':' from a name: a response that holds
// one (rare) is written from a copy without them.
std::string ResponseHead(const Response& res, unsigned version, bool keep_alive,
                         const char* framing) {
  bool clean = !Holds(res.content_type, "\r\n");
  for (const auto& [k, v] : res.headers) clean = clean && !Holds(k, "\r\n:") && !Holds(v, "\r\n");
  if (!clean) {
    Response copy(res.status, Without(res.content_type, "\r\n"), "");
    for (const auto& [k, v] : res.headers)
      copy.headers.emplace_back(Without(k, "\r\n:"), Without(v, "\r\n"));
    return ResponseHead(copy, version, keep_alive, framing);
  }
  char status[16];
  auto [end, ec] = std::to_chars(status, status + sizeof status, res.status);
  std::string_view code(status, static_cast<size_t>(end - status));
  size_t size = 0;
  HeadPieces(res, version, keep_alive, code, framing,
             [&size](std::string_view p) { size += p.size(); });
  std::string h(size, '\0');
  char* out = h.data();
  HeadPieces(res, version, keep_alive, code, framing, [&out](std::string_view p) {
    std::memcpy(out, p.data(), p.size());
    out += p.size();
  });
  return h;
}

}  // namespace corrente::server
