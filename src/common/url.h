#pragma once
// URLs as they may be shown or stored: without their credentials.
#include <string>

namespace corrente {

// `scheme://user:password@host/...` as `scheme://***@host/...`; other strings unchanged.
std::string RedactUrl(const std::string& url);
// `text` (a parser's error about `url`, say) with `url` written as RedactUrl writes it and the
// password in it as ***: libpq quotes only the token it could not decode ("invalid
// percent-encoded token: \"pa%ZZss\"").
std::string RedactUrlIn(std::string text, const std::string& url);

}  // namespace corrente
