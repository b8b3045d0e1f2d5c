#pragma once
// A response's status line and header fields, as written before its body.
#include <string>

#include "server/router.h"

namespace corrente::server {

// "HTTP/1.1 200 OK\r\nServer: corrente\r\n...\r\n" + framing + "\r\n": the fields of `res`,
// X-Content-Type-Options, and Connection when not kept alive (or kept alive on HTTP/1.0).
// `framing` is ours (a Content-Length or Transfer-Encoding line, or ""). CR and LF never
// reach the output from a header value, nor ':' from a name.
std::string ResponseHead(const Response& res, unsigned version, bool keep_alive,
                         const char* framing);

}  // namespace corrente::server
