#include "common/url.h"

namespace corrente {

std::string RedactUrl(const std::string& url) {
  auto scheme = url.find("://");
  if (scheme == std::string::npos) return url;
  auto at = url.rfind('@'), slash = url.find('/', scheme + 3);
  if (at == std::string::npos || at < scheme + 3) return url;
  // The user info ends at the last '@' before the path (a password may hold '@' too).
  if (slash != std::string::npos && slash < at) {
    at = url.rfind('@', slash);
    if (at == std::string::npos || at < scheme + 3) return url;
  }
  return url.substr(0, scheme + 3) + "***@" + url.substr(at + 1);
}

}  // namespace corrente
