#pragma once
// Helpers shared by the files of src/cluster (not part of its interface).
#include <sys/types.h>

#include <filesystem>
#include <string>
#include <vector>

namespace corrente::cluster::internal {

std::string ReadFile(const std::filesystem::path& p);
// A password file's first line, without its line ending.
std::string ReadPassword(const std::filesystem::path& file);
// Creates or truncates `p` with mode 0600 and writes `content`. Throws on failure.
void WriteFile0600(const std::filesystem::path& p, const std::string& content);

// The account the server runs as: ourselves, or an unprivileged user when we are root.
struct RunAs {
  bool switch_user = false;
  uid_t uid = 0;
  gid_t gid = 0;
  std::string name;
};
RunAs ServerAccount();

// Runs argv (as the server account when root and `as_server`), output appended to `log`.
// Returns the exit code.
int Run(const std::vector<std::string>& argv, const std::filesystem::path& log,
        bool as_server = true);
// True when the server account can reach `dir` (every ancestor searchable).
bool AccountCanReach(const std::filesystem::path& dir);
// Gives `p` (recursively) to the server account when we run as root.
void ChownTree(const std::filesystem::path& p);

}  // namespace corrente::cluster::internal
