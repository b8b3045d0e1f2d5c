#include "cluster/cluster.h"

#include <fcntl.h>
#include <grp.h>
#include <netinet/in.h>
#include <pwd.h>
#include <signal.h>
#include <spdlog/spdlog.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cctype>
#include <chrono>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>
#include <stdexcept>
#include <thread>
#include <vector>

#include "cluster/backup.h"
#include "cluster/internal.h"
#include "cluster/tls.h"
#include "common/password.h"
#include "pg/pg.h"

namespace corrente::cluster {
namespace fs = std::filesystem;

namespace internal {

std::string ReadFile(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string ReadPassword(const fs::path& file) {
  std::string pw = ReadFile(file);
  while (!pw.empty() && (pw.back() == '\n' || pw.back() == '\r')) pw.pop_back();
  return pw;
}

void WriteFile0600(const fs::path& p, const std::string& content) {
  int fd = ::open(p.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  if (fd < 0) throw std::runtime_error("cannot write " + p.string() + ": " + std::strerror(errno));
  ::fchmod(fd, 0600);
  if (::write(fd, content.data(), content.size()) != static_cast<ssize_t>(content.size())) {
    ::close(fd);
    throw std::runtime_error("cannot write " + p.string());
  }
  ::close(fd);
}

RunAs ServerAccount() {
  RunAs r;
  if (::geteuid() != 0) return r;
  std::string name = GetEnv("CORRENTE_PG_USER").value_or("postgres");
  passwd* pw = ::getpwnam(name.c_str());
  if (!pw)
    throw std::runtime_error("running as root, PostgreSQL needs an unprivileged user '" + name +
                             "': install postgresql-15 (it creates 'postgres') or set CORRENTE_PG_USER");
  r.switch_user = true;
  r.uid = pw->pw_uid;
  r.gid = pw->pw_gid;
  r.name = name;
  return r;
}

int Run(const std::vector<std::string>& argv, const fs::path& log, bool as_server) {
  RunAs as = as_server ? ServerAccount() : RunAs{};
  pid_t pid = ::fork();
  if (pid < 0) throw std::runtime_error(std::string("fork failed: ") + std::strerror(errno));
  if (pid == 0) {
    int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (fd >= 0) {
      ::dup2(fd, STDOUT_FILENO);
      ::dup2(fd, STDERR_FILENO);
      ::close(fd);
    }
    int devnull = ::open("/dev/null", O_RDONLY);
    if (devnull >= 0) ::dup2(devnull, STDIN_FILENO);
    if (as.switch_user) {
      if (::setgid(as.gid) != 0 || ::initgroups(as.name.c_str(), as.gid) != 0 || ::setuid(as.uid) != 0)
        ::_exit(126);
    }
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    ::execv(args[0], args.data());
    ::_exit(127);
  }
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

bool AccountCanReach(const fs::path& dir) {
  RunAs as = ServerAccount();
  if (!as.switch_user) return true;
  pid_t pid = ::fork();
  if (pid == 0) {
    if (::setgid(as.gid) != 0 || ::setuid(as.uid) != 0) ::_exit(2);
    ::_exit(::access(dir.c_str(), X_OK) == 0 ? 0 : 1);
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

void ChownTree(const fs::path& p) {
  RunAs as = ServerAccount();
  if (!as.switch_user) return;
  if (::chown(p.c_str(), as.uid, as.gid) != 0)
    throw std::runtime_error("cannot chown " + p.string() + ": " + std::strerror(errno));
  if (fs::is_directory(p))
    for (const auto& e : fs::recursive_directory_iterator(p)) ::lchown(e.path().c_str(), as.uid, as.gid);
}

}  // namespace internal

namespace {
using namespace internal;

constexpr int kFirstPort = 54320;
constexpr const char* kSuperuser = "corrente";
constexpr const char* kDatabase = "corrente";

bool PortFree(int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return false;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  int one = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  bool ok = ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  ::close(fd);
  return ok;
}

std::string ShortHash(const std::string& s) {
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016zx", std::hash<std::string>{}(s));
  return std::string(buf, 10);
}

long PidFromFile(const fs::path& pidfile) {
  std::ifstream in(pidfile);
  long pid = 0;
  in >> pid;
  return pid;
}

bool IsPostgresProcess(long pid) {
  if (pid <= 0) return false;
  if (::kill(static_cast<pid_t>(pid), 0) != 0 && errno == ESRCH) return false;
  // A killed postmaster may linger as a zombie when nothing reaps it: not running.
  std::string stat = ReadFile("/proc/" + std::to_string(pid) + "/stat");
  auto close = stat.rfind(')');
  if (close == std::string::npos || close + 2 >= stat.size() || stat[close + 2] == 'Z') return false;
  std::string comm = ReadFile("/proc/" + std::to_string(pid) + "/comm");
  return comm.rfind("postgres", 0) == 0;
}

// Exclusive lock on the home so concurrent `db start` calls serialize.
class HomeLock {
 public:
  explicit HomeLock(const fs::path& p) : fd_(::open(p.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600)) {
    if (fd_ >= 0) ::flock(fd_, LOCK_EX);
  }
  ~HomeLock() {
    if (fd_ >= 0) ::close(fd_);
  }

 private:
  int fd_;
};

constexpr DbRole kLoginRoles[] = {DbRole::kOwner, DbRole::kApi, DbRole::kPipeline, DbRole::kMigrate};

std::string LoginName(DbRole role) { return std::string("corrente_") + RoleName(role) + "_login"; }

// Percent-encodes a value for a URL's query string.
std::string UrlEncode(const std::string& s) {
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '/' || c == '.' || c == '_' || c == '-') {
      out.push_back(static_cast<char>(c));
    } else {
      char buf[4];
      std::snprintf(buf, sizeof buf, "%%%02X", c);
      out += buf;
    }
  }
  return out;
}

}  // namespace

std::string FindBinDir(const Config& config) {
  if (config.pg_bindir) {
    if (fs::exists(fs::path(*config.pg_bindir) / "postgres")) return *config.pg_bindir;
    throw std::runtime_error("CORRENTE_PG_BINDIR=" + *config.pg_bindir + " has no postgres binary: install postgresql-15 (sudo apt-get install postgresql-15) or fix the path");
  }
  std::string best;
  int best_ver = 0;
  if (fs::exists("/usr/lib/postgresql")) {
    for (const auto& e : fs::directory_iterator("/usr/lib/postgresql")) {
      int ver = std::atoi(e.path().filename().c_str());
      if (ver >= 14 && ver > best_ver && fs::exists(e.path() / "bin" / "postgres")) {
        best_ver = ver;
        best = (e.path() / "bin").string();
      }
    }
  }
  if (best.empty())
    throw std::runtime_error(
        "PostgreSQL server binaries not found in /usr/lib/postgresql/*/bin: install them with "
        "'sudo apt-get install postgresql-15' (or set CORRENTE_PG_BINDIR, or DATABASE_URL)");
  return best;
}

ManagedCluster::ManagedCluster(const Config& config) : config_(config) {
  home_ = fs::absolute(config.home).lexically_normal().string();
  pg_dir_ = (fs::path(home_) / "pg").string();
  data_dir_ = (fs::path(pg_dir_) / "data").string();
  // Socket paths are limited to 107 bytes, so the socket lives in a short per-home path.
  socket_dir_ = "/tmp/corrente-" + ShortHash(home_);
}

std::string ManagedCluster::BinDir() const { return FindBinDir(config_); }

std::optional<int> ManagedCluster::StatePort() const {
  fs::path state = fs::path(pg_dir_) / "port";
  if (!fs::exists(state)) return std::nullopt;
  int port = std::atoi(ReadFile(state).c_str());
  return port > 0 ? std::optional<int>(port) : std::nullopt;
}

void ManagedCluster::WriteState(int port) const {
  std::ofstream(fs::path(pg_dir_) / "port") << port << "\n";
}

int ManagedCluster::ChoosePort() const {
  if (config_.pg_port) {
    if (!PortFree(*config_.pg_port))
      throw std::runtime_error("port " + std::to_string(*config_.pg_port) +
                               " (CORRENTE_PG_PORT) is busy; free it or unset CORRENTE_PG_PORT");
    return *config_.pg_port;
  }
  auto previous = StatePort();
  if (previous && PortFree(*previous)) return *previous;
  if (previous) spdlog::warn("port {} is busy; picking another", *previous);
  for (int p = kFirstPort; p < kFirstPort + 500; ++p)
    if (PortFree(p)) return p;
  throw std::runtime_error("no free port in 54320-54819 on 127.0.0.1");
}

void ManagedCluster::InitDb() {
  std::string bin = BinDir();
  fs::create_directories(pg_dir_);
  if (!AccountCanReach(pg_dir_))
    throw std::runtime_error("user '" + ServerAccount().name + "' cannot reach " + pg_dir_ +
                             ": make its parent directories searchable (chmod o+x) or set "
                             "CORRENTE_HOME to a path under /var or /tmp");
  std::string password = RandomPassword(32);
  WriteFile0600(fs::path(pg_dir_) / "superuser.password", password + "\n");
  // initdb reads the password from a file the server account owns; removed right after.
  fs::path pwtmp = fs::path(pg_dir_) / ".initdb-pw";
  WriteFile0600(pwtmp, password + "\n");
  fs::create_directories(data_dir_);
  ::chmod(data_dir_.c_str(), 0700);
  ChownTree(data_dir_);
  ChownTree(pwtmp);
  RunAs as = ServerAccount();
  if (as.switch_user) ::chown(pg_dir_.c_str(), 0, as.gid), ::chmod(pg_dir_.c_str(), 0750);
  fs::path log = fs::path(pg_dir_) / "initdb.log";
  if (as.switch_user) {
    WriteFile0600(log, "");
    ChownTree(log);
  }
  spdlog::info("initdb: creating cluster in {}", data_dir_);
  int rc = Run({bin + "/initdb", "-D", data_dir_, "-U", kSuperuser, "--pwfile=" + pwtmp.string(),
                "--auth=scram-sha-256", "-E", "UTF8", "--no-locale", "--no-sync"},
               log);
  fs::remove(pwtmp);
  if (rc != 0)
    throw std::runtime_error("initdb failed (exit " + std::to_string(rc) + "); see " + log.string() +
                             ":\n" + ReadFile(log));
  std::ofstream conf(fs::path(data_dir_) / "postgresql.conf", std::ios::app);
  conf << "\n# corrente managed cluster\n"
          "listen_addresses = '127.0.0.1'\n"
          "max_connections = 300\n"
          "shared_buffers = 512MB\n"
          "work_mem = 32MB\n"
          "maintenance_work_mem = 512MB\n"
          "max_wal_size = 4GB\n"
          "checkpoint_timeout = 15min\n"
          "max_locks_per_transaction = 256\n"
          "timezone = 'UTC'\n"
          "log_timezone = 'UTC'\n"
          "logging_collector = off\n";
}

void ManagedCluster::RemoveStalePid() const {
  // Socket lock files name their postmaster too; a dead one blocks the next start.
  if (fs::exists(socket_dir_)) {
    for (const auto& e : fs::directory_iterator(socket_dir_)) {
      std::string name = e.path().filename().string();
      if (name.rfind(".s.PGSQL.", 0) != 0 || !name.ends_with(".lock")) continue;
      if (!IsPostgresProcess(PidFromFile(e.path()))) {
        fs::remove(e.path());
        fs::remove(e.path().string().substr(0, e.path().string().size() - 5));
      }
    }
  }
  fs::path pidfile = fs::path(data_dir_) / "postmaster.pid";
  if (!fs::exists(pidfile)) return;
  long pid = PidFromFile(pidfile);
  if (!IsPostgresProcess(pid)) {
    spdlog::warn("removing stale {} (pid {} is not running)", pidfile.string(), pid);
    fs::remove(pidfile);
  }
}

Status ManagedCluster::GetStatus() const {
  Status s;
  s.data_dir = data_dir_;
  s.socket_dir = socket_dir_;
  s.initialized = fs::exists(fs::path(data_dir_) / "PG_VERSION");
  if (auto p = StatePort()) s.port = *p;
  fs::path pidfile = fs::path(data_dir_) / "postmaster.pid";
  if (s.initialized && fs::exists(pidfile)) {
    long pid = PidFromFile(pidfile);
    if (IsPostgresProcess(pid)) {
      s.running = true;
      s.pid = pid;
    }
  }
  return s;
}

void ManagedCluster::Start() {
  fs::create_directories(pg_dir_);
  HomeLock lock(fs::path(pg_dir_) / ".lock");
  if (!fs::exists(fs::path(data_dir_) / "PG_VERSION")) InitDb();
  RemoveStalePid();
  // Also upgrades clusters made before TLS; a running one reloads (ssl is reloadable).
  bool reloaded = false;
  if (EnsureTls(pg_dir_, data_dir_) && GetStatus().running) {
    spdlog::info("TLS settings changed: reloading PostgreSQL");
    reloaded = true;
    if (Run({BinDir() + "/pg_ctl", "-D", data_dir_, "reload"}, fs::path(pg_dir_) / "pg_ctl.log") != 0)
      throw std::runtime_error("pg_ctl reload failed; see " + pg_dir_ + "/pg_ctl.log");
  }
  // WAL archiving and pg_stat_statements (backup.h) take effect at the next start.
  if (EnsureArchiving(config_, *this) && GetStatus().running)
    spdlog::warn("WAL archiving is configured but needs a restart: corrente db stop && corrente db start");
  // Another cluster may take the chosen port between our check and its bind: retry.
  for (int attempt = 0; !GetStatus().running; ++attempt) {
    int port = ChoosePort();
    fs::create_directories(socket_dir_);
    ::chmod(socket_dir_.c_str(), 0755);
    ChownTree(socket_dir_);
    fs::path log = fs::path(pg_dir_) / "postgres.log";
    if (!fs::exists(log)) WriteFile0600(log, "");
    ChownTree(log);
    std::string opts = "-p " + std::to_string(port) + " -k " + socket_dir_;
    // Throwaway test clusters: durability off, speed on, and no WAL archiving (bulk loads
    // skip WAL again under wal_level=minimal); the backup drill runs without it.
    if (GetEnv("CORRENTE_PG_FAST"))
      opts += " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
              " -c archive_mode=off -c wal_level=minimal -c max_wal_senders=0";
    spdlog::info("starting PostgreSQL on 127.0.0.1:{} (log {})", port, log.string());
    int rc = Run({BinDir() + "/pg_ctl", "-D", data_dir_, "-l", log.string(), "-w", "-t", "60", "-o",
                  opts, "start"},
                 fs::path(pg_dir_) / "pg_ctl.log");
    if (rc != 0 && attempt < 5 && !config_.pg_port && !PortFree(port)) {
      spdlog::warn("port {} was taken while PostgreSQL started; trying another", port);
      WriteState(0);
      continue;
    }
    if (rc != 0) {
      std::string tail = ReadFile(log);
      if (tail.size() > 2000) tail = tail.substr(tail.size() - 2000);
      throw std::runtime_error("PostgreSQL failed to start (pg_ctl exit " + std::to_string(rc) +
                               "); last lines of " + log.string() + ":\n" + tail);
    }
    WriteState(port);
    break;
  }
  // The application database; created once.
  std::string admin = UrlFor(kSuperuser, ReadPassword(fs::path(pg_dir_) / "superuser.password"), "postgres");
  std::optional<pg::Connection> conn;
  for (int attempt = 0; !conn; ++attempt) {
    try {
      conn.emplace(pg::Connection::Open(admin));
    } catch (const pg::Error&) {
      // A reload is asynchronous: the server may take TLS a moment later.
      if (!reloaded || attempt >= 50) throw;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  }
  if (conn->Execute("SELECT 1 FROM pg_database WHERE datname = $1", kDatabase).Rows() == 0)
    conn->ExecScript(std::string("CREATE DATABASE ") + kDatabase);
  // Query statistics for /metrics once the library is loaded (old clusters: after a restart),
  // and the backup stanza. Not while recovering (a restore replays WAL read-only).
  auto app = pg::Connection::Open(UrlFor(kSuperuser, ReadPassword(fs::path(pg_dir_) / "superuser.password"), kDatabase));
  auto r = app.Execute(
      "SELECT NOT pg_is_in_recovery(), current_setting('shared_preload_libraries') ~ 'pg_stat_statements',"
      " current_setting('archive_mode') <> 'off'");
  if (!r.GetBool(0, 0)) return;
  if (r.GetBool(0, 1)) app.ExecScript("CREATE EXTENSION IF NOT EXISTS pg_stat_statements");
  if (r.GetBool(0, 2)) EnsureStanza(config_, *this);
}

void ManagedCluster::Stop() {
  HomeLock lock(fs::path(pg_dir_) / ".lock");
  RemoveStalePid();
  if (!GetStatus().running) return;
  int rc = Run({BinDir() + "/pg_ctl", "-D", data_dir_, "-m", "fast", "-w", "-t", "60", "stop"},
               fs::path(pg_dir_) / "pg_ctl.log");
  if (rc != 0) throw std::runtime_error("pg_ctl stop failed; see " + pg_dir_ + "/pg_ctl.log");
}

std::string ManagedCluster::UrlFor(const std::string& user, const std::string& password,
                                   const std::string& db) const {
  auto port = StatePort();
  if (!port) throw std::runtime_error("no managed cluster under " + home_ + ": run 'corrente db start'");
  // TCP with TLS, and the server's certificate checked against our CA and 127.0.0.1.
  return "postgresql://" + user + ":" + password + "@127.0.0.1:" + std::to_string(*port) + "/" + db +
         "?sslmode=verify-full&sslrootcert=" + UrlEncode(CaCertPath(pg_dir_));
}

std::string ManagedCluster::Url(DbRole role) const {
  fs::path pwfile = fs::path(pg_dir_) / "superuser.password";
  if (!fs::exists(pwfile) || !StatePort())
    throw std::runtime_error("no managed cluster under " + home_ + ": run 'corrente db start'");
  if (role == DbRole::kAdmin) return UrlFor(kSuperuser, ReadPassword(pwfile), kDatabase);
  fs::path rolefile = fs::path(pg_dir_) / (std::string(RoleName(role)) + ".password");
  if (!fs::exists(rolefile))
    throw std::runtime_error("no login role for '" + std::string(RoleName(role)) + "' under " + home_ +
                             ": run 'corrente db upgrade'");
  return UrlFor(LoginName(role), ReadPassword(rolefile), kDatabase);
}

void ManagedCluster::EnsureLoginRoles() {
  HomeLock lock(fs::path(pg_dir_) / ".lock");
  auto conn = pg::Connection::Open(Url());
  for (DbRole role : kLoginRoles) {
    std::string group = std::string("corrente_") + RoleName(role), login = LoginName(role);
    fs::path pwfile = fs::path(pg_dir_) / (std::string(RoleName(role)) + ".password");
    auto r = conn.Execute(
        "SELECT to_regrole($1) IS NOT NULL, l.oid IS NOT NULL AND pg_has_role(l.oid, $1, 'MEMBER')"
        " FROM (SELECT to_regrole($2) AS oid) l",
        group, login);
    bool have_group = r.GetBool(0, 0), have_login = r.GetBool(0, 1);
    if (have_group && have_login && fs::exists(pwfile)) continue;
    // Roles are cluster-wide: another process may create them at the same moment.
    auto tolerant = [&](const std::string& sql) {
      try {
        conn.ExecScript(sql);
      } catch (const pg::Error& e) {
        if (e.SqlState() != "42710" && e.SqlState() != "23505") throw;
      }
    };
    if (!have_group) tolerant("CREATE ROLE " + conn.QuoteIdentifier(group) + " NOLOGIN");
    std::string password = RandomPassword(32);
    std::string hash = conn.EncryptPassword(login, password);
    tolerant("CREATE ROLE " + conn.QuoteIdentifier(login) + " LOGIN");
    conn.ExecScript("ALTER ROLE " + conn.QuoteIdentifier(login) + " LOGIN PASSWORD '" + hash + "';" +
                    "GRANT " + conn.QuoteIdentifier(group) + " TO " + conn.QuoteIdentifier(login) + ";" +
                    // Objects it creates belong to the group, whatever login made them.
                    "ALTER ROLE " + conn.QuoteIdentifier(login) + " SET role = " + conn.QuoteIdentifier(group));
    WriteFile0600(pwfile, password + "\n");
    spdlog::info("login role {} ready (password in {})", login, pwfile.string());
  }
}

const char* RoleName(DbRole role) {
  switch (role) {
    case DbRole::kAdmin: return "admin";
    case DbRole::kOwner: return "owner";
    case DbRole::kApi: return "api";
    case DbRole::kPipeline: return "pipeline";
    case DbRole::kMigrate: return "migrate";
  }
  return "admin";
}

DbRole ParseRole(const std::string& name) {
  for (DbRole r : {DbRole::kAdmin, DbRole::kOwner, DbRole::kApi, DbRole::kPipeline, DbRole::kMigrate})
    if (name == RoleName(r)) return r;
  throw std::invalid_argument("unknown role '" + name + "' (admin, owner, api, pipeline or migrate)");
}

std::string ResolveDsn(const Config& config, bool start_if_needed, DbRole role) {
  if (config.database_url) {
    const std::optional<std::string>* own = role == DbRole::kApi        ? &config.database_url_api
                                            : role == DbRole::kPipeline ? &config.database_url_pipeline
                                            : role == DbRole::kMigrate  ? &config.database_url_migrate
                                                                        : nullptr;
    return own && *own ? **own : *config.database_url;
  }
  ManagedCluster c(config);
  if (start_if_needed && !c.GetStatus().running) c.Start();
  if (role != DbRole::kAdmin) c.EnsureLoginRoles();
  return c.Url(role);
}

}  // namespace corrente::cluster
