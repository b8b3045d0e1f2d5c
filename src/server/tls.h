#pragma once
// The server's TLS settings: an OpenSSL context for `serve --tls-cert FILE --tls-key FILE`.
// Only http_server.cpp and tls.cpp see Asio's ssl headers; everyone else sees this forward
// declaration.
#include <memory>
#include <string>

namespace boost::asio::ssl {
class context;
}

namespace corrente::server {

// The cipher list for TLS 1.2: ECDHE key exchange with AEAD ciphers only (Mozilla's
// "intermediate" profile without DHE). TLS 1.3 keeps OpenSSL's suites (all AEAD).
extern const char* const kTls12Ciphers;

// A server context: TLS 1.2 and 1.3 only, kTls12Ciphers, the server's cipher order, no
// compression, no renegotiation. `cert_file` is a PEM chain (the server's certificate first),
// `key_file` its PEM private key. Throws std::runtime_error naming the file and OpenSSL's
// reason when either cannot be read or they do not match.
std::unique_ptr<boost::asio::ssl::context> MakeTlsContext(const std::string& cert_file,
                                                          const std::string& key_file);

}  // namespace corrente::server
