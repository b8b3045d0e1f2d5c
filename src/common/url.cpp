#include "common/url.h"

#include <utility>

namespace corrente {

namespace {

// [begin, end) of the user info of `scheme://user:password@host/...`; begin == end without one.
std::pair<size_t, size_t> UserInfo(const std::string& url) {
  auto scheme = url.find("://");
  if (scheme == std::string::npos) return {0, 0};
  auto at = url.rfind('@'), slash = url.find('/', scheme + 3);
  if (at == std::string::npos || at < scheme + 3) return {0, 0};
  // The user info ends at the last '@' before the path (a password may hold '@' too).
  if (slash != std::string::npos && slash < at) {
    at = url.rfind('@', slash);
    if (at == std::string::npos || at < scheme + 3) return {0, 0};
  }
  return {scheme + 3, at};
}

void ReplaceAll(std::string& text, const std::string& what, const std::string& with) {
  if (what.empty()) return;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + with.size()))
    text.replace(at, what.size(), with);
}

}  // namespace

std::string RedactUrl(const std::string& url) {
  auto [begin, end] = UserInfo(url);
  if (end == 0) return url;
  return url.substr(0, begin) + "***" + url.substr(end);
}

std::string RedactUrlIn(std::string text, const std::string& url) {
  ReplaceAll(text, url, RedactUrl(url));
  auto [begin, end] = UserInfo(url);
  if (end == 0) return text;
  const std::string info = url.substr(begin, end - begin);
  if (const size_t colon = info.find(':'); colon != std::string::npos)
    ReplaceAll(text, info.substr(colon + 1), "***");  // the password, as written in the URL
  return text;
}

}  // namespace corrente
