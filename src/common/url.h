#pragma once
// URLs as they may be shown or stored: without their credentials.
#include <string>

namespace corrente {

// `scheme://user:password@host/...` as `scheme://***@host/...`; other strings unchanged.
std::string RedactUrl(const std::string& url);

}  // namespace corrente
