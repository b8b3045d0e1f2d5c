#include "cluster/tls.h"

#include <spdlog/spdlog.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <stdexcept>

#include "cluster/internal.h"

namespace corrente::cluster {
namespace fs = std::filesystem;
using namespace internal;
namespace {

constexpr const char* kConfMarker = "# corrente managed cluster: TLS";
constexpr const char* kHbaMarker = "# corrente managed cluster: TLS required over TCP";

// One openssl configuration for both certificates: the CA's and the server's extensions.
constexpr const char* kOpensslConf = R"(
[req]
distinguished_name = dn
prompt = no
[dn]
CN = Corrente managed PostgreSQL CA
[ca_ext]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
[server_ext]
basicConstraints = CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = DNS:localhost, IP:127.0.0.1, IP:::1
authorityKeyIdentifier = keyid
)";

// Local sockets keep scram; over TCP only TLS is accepted, and plain text is rejected.
constexpr const char* kHba =
    "local     all  all                scram-sha-256\n"
    "hostssl   all  all  127.0.0.1/32  scram-sha-256\n"
    "hostssl   all  all  ::1/128       scram-sha-256\n"
    "hostnossl all  all  0.0.0.0/0     reject\n"
    "hostnossl all  all  ::/0          reject\n";

void Openssl(const fs::path& tls, std::vector<std::string> args) {
  args.insert(args.begin(), "openssl");
  // execv needs a path; Debian's openssl package puts it here.
  for (const char* p : {"/usr/bin/openssl", "/bin/openssl", "/usr/local/bin/openssl"})
    if (fs::exists(p)) {
      args[0] = p;
      break;
    }
  if (args[0] == "openssl")
    throw std::runtime_error("openssl not found: install it (sudo apt-get install openssl)");
  fs::path log = tls / "openssl.log";
  if (Run(args, log, /*as_server=*/false) != 0)
    throw std::runtime_error("openssl " + args[1] + " failed; see " + log.string() + ":\n" +
                             ReadFile(log));
}

void MakeCa(const fs::path& tls, const fs::path& conf) {
  spdlog::info("creating the managed cluster's certificate authority in {}", tls.string());
  Openssl(tls, {"req", "-x509", "-config", conf.string(), "-extensions", "ca_ext", "-newkey", "ec",
                "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout",
                (tls / "ca.key").string(), "-out", (tls / "ca.crt").string(), "-days", "3650"});
  ::chmod((tls / "ca.key").c_str(), 0600);
}

// Signs a fresh server key with the CA and installs both in the data directory.
void MakeServerCert(const fs::path& tls, const fs::path& conf, const fs::path& data) {
  spdlog::info("creating the managed cluster's server certificate (localhost, 127.0.0.1, ::1)");
  fs::path key = tls / "server.key", csr = tls / "server.csr", crt = tls / "server.crt";
  Openssl(tls, {"req", "-new", "-config", conf.string(), "-subj", "/CN=localhost", "-newkey", "ec",
                "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", key.string(),
                "-out", csr.string()});
  Openssl(tls, {"x509", "-req", "-in", csr.string(), "-CA", (tls / "ca.crt").string(), "-CAkey",
                (tls / "ca.key").string(), "-CAcreateserial", "-CAserial",
                (tls / "ca.srl").string(), "-days", "825", "-extfile", conf.string(), "-extensions",
                "server_ext", "-out", crt.string()});
  // The server refuses a key others can read, and wants it owned by its own account.
  WriteFile0600(data / "server.key", ReadFile(key));
  WriteFile0600(data / "server.crt", ReadFile(crt));
  ChownTree(data / "server.key");
  ChownTree(data / "server.crt");
  fs::remove(key);
  fs::remove(csr);
}

bool FileHas(const fs::path& p, const std::string& text) {
  return ReadFile(p).find(text) != std::string::npos;
}

}  // namespace

std::string CaCertPath(const std::string& pg_dir) {
  return (fs::path(pg_dir) / "tls" / "ca.crt").string();
}

bool EnsureTls(const std::string& pg_dir, const std::string& data_dir) {
  fs::path tls = fs::path(pg_dir) / "tls", data = data_dir;
  fs::create_directories(tls);
  ::chmod(tls.c_str(), 0700);
  fs::path conf = tls / "openssl.cnf";
  if (!fs::exists(conf)) WriteFile0600(conf, kOpensslConf);
  bool changed = false;
  if (!fs::exists(tls / "ca.crt") || !fs::exists(tls / "ca.key")) {
    MakeCa(tls, conf);
    fs::remove(data / "server.crt");  // a new CA needs a new server certificate
  }
  if (!fs::exists(data / "server.crt") || !fs::exists(data / "server.key")) {
    MakeServerCert(tls, conf, data);
    changed = true;
  }
  fs::path pgconf = data / "postgresql.conf";
  if (!FileHas(pgconf, kConfMarker)) {
    std::ofstream(pgconf, std::ios::app) << "\n"
                                         << kConfMarker << "\nssl = on\n"
                                         << "ssl_min_protocol_version = 'TLSv1.2'\n";
    changed = true;
  }
  fs::path hba = data / "pg_hba.conf";
  if (!FileHas(hba, kHbaMarker)) {
    if (fs::exists(hba))
      fs::copy_file(hba, data / "pg_hba.conf.before-tls", fs::copy_options::overwrite_existing);
    WriteFile0600(hba, std::string(kHbaMarker) + "\n" + kHba);
    ChownTree(hba);
    if (fs::exists(data / "pg_hba.conf.before-tls")) ChownTree(data / "pg_hba.conf.before-tls");
    changed = true;
  }
  return changed;
}

}  // namespace corrente::cluster
