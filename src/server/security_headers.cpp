#include "server/security_headers.h"

#include <sodium.h>
#include <strings.h>

#include <string_view>
#include <vector>

namespace corrente::server {

const char* const kPageCsp =
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'";
const char* const kDefaultCsp =
    "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

namespace {

// 'sha256-...' for the contents of every <tag>...</tag> block of `html`.
std::vector<std::string> BlockHashes(const std::string& html, const std::string& tag) {
  std::vector<std::string> out;
  const std::string open = "<" + tag + ">", close = "</" + tag + ">";
  for (size_t at = html.find(open); at != std::string::npos; at = html.find(open, at)) {
    size_t begin = at + open.size(), end = html.find(close, begin);
    if (end == std::string::npos) break;
    unsigned char digest[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(digest, reinterpret_cast<const unsigned char*>(html.data() + begin),
                       end - begin);
    char b64[sodium_base64_ENCODED_LEN(crypto_hash_sha256_BYTES, sodium_base64_VARIANT_ORIGINAL)];
    sodium_bin2base64(b64, sizeof b64, digest, sizeof digest, sodium_base64_VARIANT_ORIGINAL);
    out.push_back(std::string("'sha256-") + b64 + "'");
    at = end + close.size();
  }
  return out;
}

std::string Sources(const std::vector<std::string>& hashes) {
  if (hashes.empty()) return "'none'";
  std::string s;
  for (const auto& h : hashes) s += (s.empty() ? "" : " ") + h;
  return s;
}

}  // namespace

void AddPageHeaders(Response& res) {
  res.headers.emplace_back("Content-Security-Policy", kPageCsp);
  res.headers.emplace_back("Permissions-Policy",
                           "accelerometer=(), camera=(), geolocation=(), gyroscope=(), "
                           "magnetometer=(), microphone=(), payment=(), usb=()");
  res.headers.emplace_back("Cross-Origin-Opener-Policy", "same-origin");
}

std::string InlinePageCsp(const std::string& html) {
  return "default-src 'none'; script-src " + Sources(BlockHashes(html, "script")) + "; style-src " +
         Sources(BlockHashes(html, "style")) +
         "; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; "
         "frame-ancestors 'none'";
}

void AddSecurityHeaders(Response& res, bool tls) {
  // One pass over the headers, names compared only at their length (this runs on every
  // response, cache hits included).
  bool csp = false, frame = false, referrer = false, hsts = !tls;
  auto is = [](const std::string& k, std::string_view name) {
    return k.size() == name.size() && strncasecmp(k.data(), name.data(), name.size()) == 0;
  };
  for (const auto& [k, v] : res.headers) {
    csp = csp || is(k, "Content-Security-Policy");
    frame = frame || is(k, "X-Frame-Options");
    referrer = referrer || is(k, "Referrer-Policy");
    hsts = hsts || is(k, "Strict-Transport-Security");
  }
  if (!csp) res.headers.emplace_back("Content-Security-Policy", kDefaultCsp);
  if (!frame) res.headers.emplace_back("X-Frame-Options", "DENY");
  if (!referrer) res.headers.emplace_back("Referrer-Policy", "no-referrer");
  // No includeSubDomains or preload: the server cannot know what else runs under its domain.
  if (!hsts) res.headers.emplace_back("Strict-Transport-Security", "max-age=31536000");
}

}  // namespace corrente::server
