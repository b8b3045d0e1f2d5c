#include "cluster/backup.h"

#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <vector>
#include <thread>

#include "cluster/cluster.h"
#include "cluster/internal.h"
#include "pg/pg.h"

namespace corrente::cluster {
namespace fs = std::filesystem;
using namespace internal;
namespace {

constexpr const char* kConfMarker = "# corrente managed cluster: archiving (pgBackRest)";

std::string FindPgBackRest() {
  for (const char* p : {"/usr/bin/pgbackrest", "/usr/local/bin/pgbackrest"})
    if (fs::exists(p)) return p;
  return "";
}

std::string RequirePgBackRest() {
  std::string bin = FindPgBackRest();
  if (bin.empty())
    throw std::runtime_error("pgbackrest not found: install it (sudo apt-get install pgbackrest)");
  return bin;
}

fs::path ToolDir(const std::string& pg_dir) { return fs::path(pg_dir) / "pgbackrest"; }
fs::path ConfPath(const std::string& pg_dir) { return ToolDir(pg_dir) / "pgbackrest.conf"; }

int RetentionFull() {
  return static_cast<int>(GetEnvInteger("CORRENTE_BACKUP_RETENTION_FULL", 1, 100).value_or(2));
}

// A directory the server account owns (it writes logs, locks and the repository).
void MakeServerDir(const fs::path& dir) {
  fs::create_directories(dir);
  ::chmod(dir.c_str(), 0750);
  ChownTree(dir);
  if (!AccountCanReach(dir))
    throw std::runtime_error("the PostgreSQL account cannot reach " + dir.string() +
                             ": make its parent directories searchable (chmod o+x)");
}

std::string Utc(long long epoch) {
  char buf[32];
  std::time_t t = static_cast<std::time_t>(epoch);
  std::tm tm{};
  ::gmtime_r(&t, &tm);
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::string StringAt(const boost::json::object& o, const char* key) {
  auto* v = o.if_contains(key);
  return v && v->is_string() ? std::string(v->as_string()) : "";
}

// The output of a command run as the server account, which writes it to a file.
std::string Captured(const fs::path& out) {
  std::string s = ReadFile(out);
  fs::remove(out);
  return s;
}

}  // namespace

std::string BackupRepo(const Config& config) {
  if (auto r = GetEnv("CORRENTE_BACKUP_REPO"); r && !r->empty())
    return fs::absolute(*r).lexically_normal().string();
  return (fs::absolute(config.home).lexically_normal() / "backup").string();
}

bool EnsureArchiving(const Config& config, const ManagedCluster& cluster) {
  std::string pg_dir = cluster.PgDir(), data_dir = cluster.GetStatus().data_dir;
  std::string bin = FindPgBackRest();
  if (bin.empty()) {
    spdlog::warn("pgbackrest is not installed: no WAL archiving, so no backups or point-in-time "
                 "recovery (sudo apt-get install pgbackrest, then restart the cluster)");
    return false;
  }
  fs::path tool = ToolDir(pg_dir), repo = BackupRepo(config);
  MakeServerDir(tool);
  MakeServerDir(tool / "log");
  MakeServerDir(tool / "lock");
  MakeServerDir(repo);
  // Written at every start: the repository or the retention may have been reconfigured.
  std::string conf = "[global]\nrepo1-path=" + repo.string() +
                     "\nrepo1-retention-full=" + std::to_string(RetentionFull()) +
                     "\nlog-path=" + (tool / "log").string() +
                     "\nlock-path=" + (tool / "lock").string() +
                     "\nlog-level-console=warn\nlog-level-file=info\ncompress-type=lz4\n"
                     "start-fast=y\ndelta=y\n\n[" + kStanza + "]\npg1-path=" + data_dir +
                     "\npg1-user=corrente\npg1-socket-path=" + cluster.GetStatus().socket_dir + "\n";
  WriteFile0600(ConfPath(pg_dir), conf);
  ChownTree(ConfPath(pg_dir));
  fs::path pgconf = fs::path(data_dir) / "postgresql.conf";
  if (ReadFile(pgconf).find(kConfMarker) != std::string::npos) return false;
  std::ofstream(pgconf, std::ios::app)
      << "\n" << kConfMarker << "\n"
      << "wal_level = replica\n"
         "max_wal_senders = 10\n"
         "archive_mode = on\n"
         "archive_command = '" << bin << " --config=" << ConfPath(pg_dir).string() << " --stanza="
      << kStanza << " archive-push %p'\n"
      << "# a quiet database still archives its last changes within 5 minutes\n"
         "archive_timeout = 300\n"
         "shared_preload_libraries = 'pg_stat_statements'\n"
         "pg_stat_statements.track = top\n";
  return true;
}

namespace {

// pgBackRest as the server account; `connect` when the command talks to PostgreSQL.
int PgBackRest(const Config& config, const std::vector<std::string>& args, bool connect) {
  ManagedCluster cluster(config);
  std::string pg_dir = cluster.PgDir();
  std::vector<std::string> argv{RequirePgBackRest(), "--config=" + ConfPath(pg_dir).string(),
                                std::string("--stanza=") + kStanza};
  if (connect) {
    auto s = cluster.GetStatus();
    argv.push_back("--pg1-port=" + std::to_string(s.port));
    // libpq (inside pgBackRest) reads the superuser's password from this file.
    fs::path pgpass = ToolDir(pg_dir) / "pgpass";
    WriteFile0600(pgpass, "*:*:*:corrente:" + ReadPassword(fs::path(pg_dir) / "superuser.password") + "\n");
    ChownTree(pgpass);
    ::setenv("PGPASSFILE", pgpass.c_str(), 1);
  }
  argv.insert(argv.end(), args.begin(), args.end());
  return Run(argv, ToolDir(pg_dir) / "command.log");
}

}  // namespace

Backups::Backups(const Config& config) : config_(config) {}

void EnsureStanza(const Config& config, const ManagedCluster& cluster) {
  if (FindPgBackRest().empty()) return;
  fs::path marker = ToolDir(cluster.PgDir()) / "stanza";
  std::string repo = BackupRepo(config);
  if (fs::exists(marker) && ReadFile(marker) == repo) return;
  spdlog::info("creating the pgBackRest stanza '{}' in {}", kStanza, repo);
  if (PgBackRest(config, {"stanza-create"}, true) != 0)
    throw std::runtime_error("pgbackrest stanza-create failed; see " +
                             (ToolDir(cluster.PgDir()) / "command.log").string());
  WriteFile0600(marker, repo);
}

void Backups::Backup(BackupType type) {
  ManagedCluster cluster(config_);
  cluster.Start();
  EnsureStanza(config_, cluster);
  const char* name = type == BackupType::kFull ? "full" : type == BackupType::kDiff ? "diff" : "incr";
  spdlog::info("pgBackRest {} backup into {}", name, BackupRepo(config_));
  if (PgBackRest(config_, {"backup", std::string("--type=") + name}, true) != 0)
    throw std::runtime_error("pgbackrest backup failed; see " +
                             (ToolDir(cluster.PgDir()) / "command.log").string() + " and " +
                             (ToolDir(cluster.PgDir()) / "log").string());
}

BackupList Backups::List() const {
  ManagedCluster cluster(config_);
  fs::path out = ToolDir(cluster.PgDir()) / "info.json";
  fs::remove(out);
  std::vector<std::string> argv{RequirePgBackRest(), "--config=" + ConfPath(cluster.PgDir()).string(),
                                std::string("--stanza=") + kStanza, "--output=json",
                                "--log-level-console=off", "info"};
  int rc = Run(argv, out);
  std::string text = Captured(out);
  if (rc != 0) throw std::runtime_error("pgbackrest info failed: " + text);
  BackupList list;
  auto doc = boost::json::parse(text);
  for (const auto& st : doc.as_array()) {
    const auto& stanza = st.as_object();
    if (auto* status = stanza.if_contains("status"))
      list.status = StringAt(status->as_object(), "message");
    if (auto* archives = stanza.if_contains("archive"))
      for (const auto& a : archives->as_array()) {
        auto mn = StringAt(a.as_object(), "min"), mx = StringAt(a.as_object(), "max");
        if (!mn.empty() && (list.archive_min.empty() || mn < list.archive_min)) list.archive_min = mn;
        if (mx > list.archive_max) list.archive_max = mx;
      }
    if (auto* backups = stanza.if_contains("backup"))
      for (const auto& b : backups->as_array()) {
        const auto& o = b.as_object();
        BackupInfo info;
        info.label = StringAt(o, "label");
        info.type = StringAt(o, "type");
        const auto& ts = o.at("timestamp").as_object();
        info.start = Utc(ts.at("start").to_number<long long>());
        info.stop = Utc(ts.at("stop").to_number<long long>());
        const auto& wal = o.at("archive").as_object();
        info.wal_start = StringAt(wal, "start");
        info.wal_stop = StringAt(wal, "stop");
        const auto& in = o.at("info").as_object();
        info.database_bytes = in.at("size").to_number<long long>();
        info.repo_bytes = in.at("repository").as_object().at("delta").to_number<long long>();
        list.backups.push_back(info);
      }
  }
  return list;
}

void Backups::Restore(const std::optional<std::string>& to) {
  ManagedCluster cluster(config_);
  fs::path log = ToolDir(cluster.PgDir()) / "command.log";
  if (List().backups.empty())
    throw std::runtime_error("no backups yet in " + BackupRepo(config_) +
                             ": nothing to restore (corrente db backup makes one); the cluster "
                             "was not touched");
  if (cluster.GetStatus().running) {
    // `check` switches to a new WAL segment and waits until the last one is archived, so
    // nothing written before the restore is lost.
    EnsureStanza(config_, cluster);
    if (PgBackRest(config_, {"check"}, true) != 0)
      throw std::runtime_error("WAL archiving does not work, so a restore would lose the latest "
                               "changes (pgbackrest check failed; see " + log.string() + ")");
    spdlog::info("stopping PostgreSQL for the restore");
    cluster.Stop();
  }
  std::vector<std::string> args{"restore"};
  if (to) {
    args.push_back("--type=time");
    args.push_back("--target=" + *to);
    args.push_back("--target-action=promote");
  }
  spdlog::info("restoring {} from {}", to ? "to " + *to : std::string("to the end of the archive"),
               BackupRepo(config_));
  if (PgBackRest(config_, args, false) != 0)
    throw std::runtime_error("pgbackrest restore failed; see " + log.string() +
                             " (the cluster is stopped; run it again, or 'corrente db start')");
  cluster.Start();
  // Recovery replays the archive and then promotes; wait until it accepts writes.
  auto conn = pg::Connection::Open(cluster.Url());
  for (int i = 0; conn.Execute("SELECT pg_is_in_recovery()").GetBool(0, 0); ++i) {
    if (i >= 600) throw std::runtime_error("PostgreSQL is still recovering after 10 minutes");
    std::this_thread::sleep_for(std::chrono::seconds(1));
  }
}

namespace {

// pg_dump and pg_restore from the server binaries' directory (same major), else Debian's.
std::string ClientTool(const Config& config, const char* name) {
  try {
    return (fs::path(FindBinDir(config)) / name).string();
  } catch (const std::exception&) {
    return std::string("/usr/bin/") + name;
  }
}

// A directory of our own for a command's temporary files (mkdtemp, 0700), removed with what
// it holds. Fixed names in the shared /tmp ("corrente-restore-<pid>.sql") could be planted
// beforehand by another local user: a symlink there made us write through it, and a file of
// theirs would have been run by psql as the admin role (attack12).
struct PrivateTemp {
  fs::path dir;
  PrivateTemp() {
    std::string tmpl = (fs::temp_directory_path() / "corrente-XXXXXX").string();
    if (!::mkdtemp(tmpl.data()))
      throw std::runtime_error("cannot create a temporary directory in " +
                               fs::temp_directory_path().string() + ": " + std::strerror(errno));
    dir = tmpl;
  }
  ~PrivateTemp() {
    std::error_code ec;
    fs::remove_all(dir, ec);
  }
  PrivateTemp(const PrivateTemp&) = delete;
  PrivateTemp& operator=(const PrivateTemp&) = delete;
};

// PGPASSWORD for the child processes while it lives, so that a DSN's password is not on their
// command lines (world-readable in /proc: `ps` showed the admin's password during a load).
struct PasswordInEnvironment {
  std::optional<std::string> old;
  bool set = false;
  explicit PasswordInEnvironment(const std::string& password) {
    if (password.empty()) return;
    if (const char* o = std::getenv("PGPASSWORD")) old = o;
    ::setenv("PGPASSWORD", password.c_str(), 1);
    set = true;
  }
  ~PasswordInEnvironment() {
    if (!set) return;
    if (old)
      ::setenv("PGPASSWORD", old->c_str(), 1);
    else
      ::unsetenv("PGPASSWORD");
  }
  PasswordInEnvironment(const PasswordInEnvironment&) = delete;
  PasswordInEnvironment& operator=(const PasswordInEnvironment&) = delete;
};

// Runs argv; on failure throws "<what> failed (exit N): <its output>", what defaulting to the
// program's name.
void RunTool(const std::vector<std::string>& argv, std::string what = "") {
  if (what.empty()) what = fs::path(argv[0]).filename().string();
  PrivateTemp tmp;
  fs::path log = tmp.dir / "tool.log";
  int rc = Run(argv, log, /*as_server=*/false);
  std::string text = ReadFile(log);
  if (rc != 0)
    throw std::runtime_error(what + " failed (exit " + std::to_string(rc) + "): " + text);
}

// Copies `file` (a regular file or a pipe) into `dir`, read once from start to end.
fs::path CopyDump(const std::string& file, const fs::path& dir) {
  fs::path copy = dir / "load.dump";
  std::ifstream in(file, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + file + ": " + std::strerror(errno));
  std::ofstream out(copy, std::ios::binary);
  std::vector<char> buf(1 << 20);
  while (in && out) {
    in.read(buf.data(), static_cast<std::streamsize>(buf.size()));
    out.write(buf.data(), in.gcount());
  }
  if (in.bad() || !out.flush())
    throw std::runtime_error("cannot copy " + file + " into " + dir.string() +
                             " (the load reads a private copy; TMPDIR needs room for it): " +
                             std::strerror(errno) + "; nothing was changed");
  return copy;
}

// What a dump holds, from its table of contents (pg_restore --list).
struct DumpContents {
  std::vector<std::string> schemas;  // its SCHEMA entries, public left out
  bool corrente = false;             // holds support.schema_migrations (written by db dump)
};

// `copy` is read; `file` names it in the error.
DumpContents ReadDumpContents(const Config& config, const std::string& copy,
                              const std::string& file, const fs::path& dir) {
  fs::path list = dir / "restore.list", log = dir / "restore.list.log";
  int rc = Run({ClientTool(config, "pg_restore"), "--list", "--file=" + list.string(), "--", copy},
               log, /*as_server=*/false);
  if (rc != 0)
    throw std::runtime_error("cannot read " + file +
                             " as a dump of 'corrente db dump' (pg_restore --list, exit " +
                             std::to_string(rc) + "): " + ReadFile(log) + "nothing was changed");
  DumpContents out;
  std::istringstream in(ReadFile(list));
  for (std::string line; std::getline(in, line);) {
    // "8; 2615 16426 SCHEMA - analytics corrente_owner"
    // "612; 1259 16420 TABLE support schema_migrations corrente_owner"
    std::istringstream f(line);
    std::string id, cls, oid, kind, ns, name;
    if (line.empty() || line[0] == ';' || !(f >> id >> cls >> oid >> kind >> ns >> name)) continue;
    if (kind == "SCHEMA" && ns == "-" && name != "public") out.schemas.push_back(name);
    if (kind == "TABLE" && ns == "support" && name == "schema_migrations") out.corrente = true;
  }
  return out;
}

std::string QuoteIdent(const std::string& name) {
  std::string q = "\"";
  for (char c : name) q += c == '"' ? std::string("\"\"") : std::string(1, c);
  return q + "\"";
}

std::string QuoteLiteral(const std::string& text) {
  std::string q = "'";
  for (char c : text) q += c == '\'' ? std::string("''") : std::string(1, c);
  return q + "'";
}

// Throws when FILE's name (a FIFO, symlink or file planted in /tmp, say), or the regular file
// it leads to, belongs to a user other than this one and root: "FILE belongs to another user
// (uid N): <then>". A pipe reached through /dev/stdin or /dev/stdout passes whoever made it
// (`... | sudo corrente db load /dev/stdin`); so does a symlink's missing target.
void RefuseForeign(const std::string& file, const std::string& then) {
  struct stat name = {};
  struct stat object = {};
  if (::lstat(file.c_str(), &name) != 0)
    throw std::runtime_error("cannot inspect " + file + ": " + std::strerror(errno));
  const bool leads = ::stat(file.c_str(), &object) == 0 && S_ISREG(object.st_mode);
  const uid_t me = ::geteuid();
  for (uid_t owner : {name.st_uid, leads ? object.st_uid : me})
    if (owner != me && owner != 0)
      throw std::runtime_error(file + " belongs to another user (uid " + std::to_string(owner) +
                               "): " + then);
}

}  // namespace

void DumpDatabase(const Config& config, const std::string& dsn, const std::string& file) {
  // The dump holds the password hashes and the audit log: readable by its owner only, like the
  // cluster's password files (pg_dump creates it with the process's umask, 0644 by default).
  pg::SplitDsn split = pg::SplitPassword(dsn);
  PasswordInEnvironment password(split.password);
  std::error_code ec;
  const bool named = fs::exists(fs::symlink_status(file, ec));
  // Nothing of another local user's is written into or replaced: their FIFO or symlink at FILE
  // in a shared directory such as /tmp received the whole dump (attack15; pg_dump's fsync failed
  // after it had been read).
  if (named)
    RefuseForeign(file,
                  "the dump (password hashes, the audit log) is not written there; "
                  "nothing was written");
  // Into a new file beside FILE, renamed over it once whole: a dump that fails (the server
  // unreachable, the disk full) left an empty or cut FILE, over the previous good dump.
  // Through a symlink, the file it leads to is the one replaced: the rename replaced the link
  // itself, and `db dump /dev/stdout >F` run as root turned the system's /dev/stdout into a file
  // holding the dump (attack15).
  const fs::file_status st = fs::status(file, ec);
  const bool direct = fs::exists(st) && !fs::is_regular_file(st);
  fs::path real = file;
  for (int hops = 0; !direct && fs::is_symlink(fs::symlink_status(real, ec)); ++hops) {
    fs::path to = fs::read_symlink(real, ec);
    if (ec || hops == 40) throw std::runtime_error("cannot resolve the symlink " + file);
    real = to.is_absolute() ? to : real.parent_path() / to;
  }
  // /dev/null, a pipe or a FIFO given as FILE is written directly, through a descriptor opened
  // here: pg_dump's own /dev/stdout is its log, so `db dump /dev/stdout | gzip` got nothing.
  int out = -1;
  std::string target = real.string();
  if (direct) {
    // Inherited by pg_dump (no O_CLOEXEC), above 2: the child's stdout and stderr are its log.
    out = ::open(file.c_str(), O_WRONLY);
    if (out >= 0 && out <= 2) {
      int moved = ::fcntl(out, F_DUPFD, 3);
      ::close(out);
      out = moved;
    }
    if (out < 0) throw std::runtime_error("cannot write " + file + ": " + std::strerror(errno));
    target = "/proc/self/fd/" + std::to_string(out);
  }
  mode_t old = ::umask(077);
  if (!direct) {
    target = real.string() + ".partial-XXXXXX";
    int fd = ::mkstemp(target.data());
    if (fd < 0) {
      ::umask(old);
      throw std::runtime_error("cannot write beside " + real.string() + ": " +
                               std::strerror(errno));
    }
    ::close(fd);
  }
  try {
    std::vector<std::string> argv{ClientTool(config, "pg_dump"), "--format=custom",
                                  "--file=" + target, "--dbname=" + split.conninfo};
    // A pipe or a device cannot be fsynced: pg_dump wrote the whole dump into it, then failed
    // with exit 1 ("could not fsync file").
    if (direct) argv.push_back("--no-sync");
    RunTool(argv);
    if (!direct) fs::rename(target, real);
  } catch (...) {
    ::umask(old);
    if (out >= 0) ::close(out);
    if (!direct) fs::remove(target, ec);
    throw;
  }
  ::umask(old);
  if (out >= 0) ::close(out);
}

void LoadDatabase(const Config& config, const std::string& dsn, const std::string& file) {
  if (!fs::exists(file)) throw std::runtime_error("no such dump: " + file);
  // It replaces the schemas, the users and their password hashes included: a file another
  // local user owns (planted in /tmp, say) is not loaded as this one's (attack15).
  RefuseForeign(file,
                "it is not loaded as yours (copy it to a file of your own after checking "
                "it); nothing was changed");
  PrivateTemp tmp;
  // The check and the restore read one private copy: reading `file` twice let a file swapped
  // between the two reads skip the check of what the restore then loads.
  fs::path copy = CopyDump(file, tmp.dir);
  DumpContents dump = ReadDumpContents(config, copy.string(), file, tmp.dir);
  // A dump of another database would replace the schemas it names whole (a lone "core":
  // Corrente's core dropped, the rest broken, and exit 0 on main). One with only public objects
  // is pg_restore --clean's own business: it replaces those objects alone.
  if (!dump.corrente && !dump.schemas.empty()) {
    std::string names;
    for (const auto& schema : dump.schemas) names += (names.empty() ? "" : ", ") + schema;
    throw std::runtime_error(file + " is not a dump of 'corrente db dump' (it has no table "
                             "support.schema_migrations), and loading it would replace the "
                             "schemas it holds (" + names + ") whole; nothing was changed");
  }
  // pg_restore --clean drops a partition's constraints one by one, and fails on those it
  // inherits from its parent ("cannot drop inherited constraint"): a dump of this schema could
  // not be loaded over itself. So the dump's schemas are dropped whole first, in the restore's
  // own transaction: pg_restore writes the SQL (--clean --if-exists, harmless once they are
  // gone), psql runs the drops and then it as one transaction. A pg_restore that fails part-way
  // appends a statement that fails, so psql rolls everything back and nothing is lost.
  // Owners are restored too (no --no-owner): with it every object became the loading admin's,
  // and the owner and pipeline roles lost their tables (user list, pipeline run: "permission
  // denied"). A dump whose owners this server lacks fails as one whose grants name them.
  fs::path prologue = tmp.dir / "prologue.sql";
  {
    std::ofstream out(prologue);
    out << "SET client_min_messages = warning;\n";
    // DROP SCHEMA ... CASCADE would also drop what other schemas build on them (a view of one's
    // own over analytics, a foreign key to core), which the dump does not bring back: refused.
    std::string names = "ARRAY[";
    for (size_t i = 0; i < dump.schemas.size(); ++i)
      names += (i ? ", " : "") + QuoteLiteral(dump.schemas[i]);
    names += "]::text[]";
    // A view's rule and a trigger have no schema of their own: their table's is taken.
    out << "DO $corrente$ DECLARE outside text; BEGIN\n"
           "  SELECT string_agg(DISTINCT\n"
           "    pg_describe_object(d.classid, d.objid, d.objsubid), ', ')\n"
           "    INTO outside FROM pg_depend d,\n"
           "    LATERAL pg_identify_object(d.refclassid, d.refobjid, 0) r,\n"
           "    LATERAL pg_identify_object(d.classid, d.objid, 0) o,\n"
           "    LATERAL (SELECT coalesce(o.schema, (SELECT n.nspname FROM pg_class c\n"
           "      JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = CASE d.classid\n"
           "      WHEN 'pg_rewrite'::regclass\n"
           "        THEN (SELECT ev_class FROM pg_rewrite WHERE oid = d.objid)\n"
           "      WHEN 'pg_trigger'::regclass\n"
           "        THEN (SELECT tgrelid FROM pg_trigger WHERE oid = d.objid)\n"
           "      WHEN 'pg_policy'::regclass\n"
           "        THEN (SELECT polrelid FROM pg_policy WHERE oid = d.objid)\n"
           "      END)) AS schema) os\n"
           "  WHERE d.deptype = 'n' AND r.schema = ANY("
        << names << ")\n    AND os.schema IS NOT NULL AND os.schema <> ALL(" << names
        << ");\n"
           "  IF outside IS NOT NULL THEN RAISE EXCEPTION 'the load would drop objects outside "
           "the dump''s schemas, which depend on them: %; drop or move them first (nothing was "
           "changed)', outside; END IF;\nEND $corrente$;\n";
    for (const auto& schema : dump.schemas)
      out << "DROP SCHEMA IF EXISTS " << QuoteIdent(schema) << " CASCADE;\n";
    if (!out) throw std::runtime_error("cannot write " + prologue.string());
  }
  const char* script =
      "set -o pipefail; { \"$1\" --clean --if-exists --file=- -- \"$2\" ||"
      " echo 'SELECT corrente_pg_restore_failed();'; } |"
      " \"$3\" -X -q --single-transaction -v ON_ERROR_STOP=1 -f \"$4\" -f - -d \"$5\"";
  pg::SplitDsn split = pg::SplitPassword(dsn);
  PasswordInEnvironment password(split.password);
  RunTool({"/bin/bash", "-c", script, "corrente-db-load", ClientTool(config, "pg_restore"), copy.string(),
           ClientTool(config, "psql"), prologue.string(), split.conninfo},
          "loading the dump (pg_restore | psql, one transaction; nothing was changed)");
}

}  // namespace corrente::cluster
