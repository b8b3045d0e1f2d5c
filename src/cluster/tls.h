#pragma once
// TLS for the managed cluster: a CA made once under $CORRENTE_HOME/pg/tls, a server
// certificate it signs (for localhost, 127.0.0.1 and ::1) in the data directory, ssl = on,
// and a pg_hba.conf that refuses every TCP connection without TLS. Not thread-safe; the
// caller holds the home's lock.
#include <string>

namespace corrente::cluster {

// The CA certificate clients verify the server with ($CORRENTE_HOME/pg/tls/ca.crt).
std::string CaCertPath(const std::string& pg_dir);

// Creates what is missing (CA, server certificate, ssl settings, pg_hba.conf rules) with the
// openssl command. Clusters made before TLS are upgraded in place. Returns true when the
// server's configuration changed, so a running server must reload. Throws on failure.
bool EnsureTls(const std::string& pg_dir, const std::string& data_dir);

}  // namespace corrente::cluster
