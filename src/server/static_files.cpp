#include "server/static_files.h"

#include <spdlog/spdlog.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <sstream>
#include <vector>

#include "common/config.h"
#include "server/cache.h"
#include "server/encoding.h"
#include "server/security_headers.h"

namespace corrente::server {
namespace {

namespace fs = std::filesystem;

std::string ContentType(const fs::path& p) {
  static const std::pair<const char*, const char*> kTypes[] = {
      {".html", "text/html; charset=utf-8"},
      {".js", "text/javascript; charset=utf-8"},
      {".mjs", "text/javascript; charset=utf-8"},
      {".css", "text/css; charset=utf-8"},
      {".json", "application/json"},
      {".svg", "image/svg+xml"},
      {".png", "image/png"},
      {".jpg", "image/jpeg"},
      {".ico", "image/x-icon"},
      {".woff2", "font/woff2"},
      {".woff", "font/woff"},
      {".txt", "text/plain; charset=utf-8"},
      {".map", "application/json"},
      {".webmanifest", "application/manifest+json"}};
  std::string ext = p.extension().string();
  for (const auto& [e, t] : kTypes)
    if (ext == e) return t;
  return "application/octet-stream";
}

std::optional<std::string> ReadFile(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Files as loaded, with their gzip body and ETag, reloaded when the size or mtime changes.
// Files over kMaxCachedFile are read per request and not compressed.
class FileCache {
 public:
  static constexpr uintmax_t kMaxCachedFile = 8u << 20;

  std::optional<Response> Get(const fs::path& file) {
    std::error_code ec;
    auto size = fs::file_size(file, ec);
    auto mtime = fs::last_write_time(file, ec);
    if (ec) return std::nullopt;
    {
      std::lock_guard l(mu_);
      auto it = files_.find(file.string());
      if (it != files_.end() && it->second.size == size && it->second.mtime == mtime)
        return it->second.res;
    }
    auto body = ReadFile(file);
    if (!body) return std::nullopt;
    Response res{200, ContentType(file), std::move(*body), {}};
    if (size > kMaxCachedFile) return res;
    res.headers.emplace_back("ETag", MakeEtag(res.body));
    // The build's precompressed twin (foo.js.gz, gzip -9) when it is at least as new.
    fs::path twin = file;
    twin += ".gz";
    auto twin_mtime = fs::last_write_time(twin, ec);
    std::optional<std::string> gz;
    if (!ec && twin_mtime >= mtime) gz = ReadFile(twin);
    if (gz && !gz->empty() && gz->size() < res.body.size() && Compressible(res.content_type)) {
      Share(res);
      res.gzip_body = std::make_shared<const std::string>(std::move(*gz));
      res.gzip_checked = true;
    } else {
      Precompress(res);
    }
    std::lock_guard l(mu_);
    files_[file.string()] = {size, mtime, res};
    return res;
  }

 private:
  struct Entry {
    uintmax_t size;
    fs::file_time_type mtime;
    Response res;
  };
  std::mutex mu_;
  std::map<std::string, Entry> files_;
};

}  // namespace

std::string WebRoot() {
  std::error_code ec;
  std::vector<fs::path> tried;
  if (auto env = GetEnv("CORRENTE_WEB_ROOT")) {
    tried.push_back(*env);
  } else {
    tried.push_back(fs::current_path(ec) / "web" / "dist");
    // build/<preset>/corrente of a checkout: the checkout's web/dist, and nowhere else (a
    // folder further up could be anyone's).
    fs::path checkout =
        fs::read_symlink("/proc/self/exe", ec).parent_path().parent_path().parent_path();
    if (!ec && fs::is_regular_file(checkout / "CMakeLists.txt", ec) &&
        fs::is_regular_file(checkout / "web" / "package.json", ec))
      tried.push_back(checkout / "web" / "dist");
  }
  for (const auto& p : tried)
    if (fs::is_regular_file(p / "index.html", ec)) {
      spdlog::info("dashboard files: {}", p.string());
      return p.string();
    }
  spdlog::warn(
      "no dashboard files (index.html) in {}{}; only the API is served. Build them with "
      "`make web`, or set CORRENTE_WEB_ROOT",
      tried.front().string(), tried.size() > 1 ? " or beside the binary" : "");
  return tried.front().string();
}

Handler MakeStaticHandler(const std::string& root_in) {
  std::error_code ec;
  fs::path root = fs::weakly_canonical(fs::absolute(root_in, ec), ec);
  bool have_root = !ec && fs::is_directory(root, ec);
  auto files = std::make_shared<FileCache>();
  return [root, have_root, files](const Request& req) -> Response {
    bool api = req.path.rfind("/api/", 0) == 0 || req.path == "/api";
    if (!have_root || api) return ErrorResponse(404, "not_found", "no route for " + req.path);
    const std::string& path = req.path;
    if (path.find('\0') != std::string::npos || path.find('\\') != std::string::npos ||
        path.empty() || path[0] != '/')
      return ErrorResponse(400, "bad_request", "invalid path");
    fs::path rel = fs::path(path.substr(1)).lexically_normal();
    for (const auto& part : rel)
      if (part == "..") return ErrorResponse(404, "not_found", "no such file");
    std::error_code e2;
    fs::path file = fs::weakly_canonical(root / rel, e2);
    auto inside = [&](const fs::path& p) {
      auto [a, b] = std::mismatch(root.begin(), root.end(), p.begin(), p.end());
      return a == root.end();
    };
    bool spa = false;
    if (e2 || !inside(file) || !fs::is_regular_file(file, e2)) {
      if (!e2 && inside(file) && fs::is_directory(file, e2) &&
          fs::is_regular_file(file / "index.html", e2)) {
        file = file / "index.html";
      } else {
        // Single-page app: client-side routes get index.html; missing assets stay 404.
        if (rel.has_extension() && rel.extension() != ".html")
          return ErrorResponse(404, "not_found", "no such file");
        file = root / "index.html";
        spa = true;
      }
    }
    auto found = files->Get(file);
    if (!found) return ErrorResponse(404, "not_found", "no such file");
    Response res = std::move(*found);
    bool hashed_asset = !spa && path.rfind("/assets/", 0) == 0;
    res.headers.emplace_back("Cache-Control",
                             hashed_asset ? "public, max-age=31536000, immutable" : "no-cache");
    if (res.content_type.rfind("text/html", 0) == 0) AddPageHeaders(res);
    return res;
  };
}

}  // namespace corrente::server
