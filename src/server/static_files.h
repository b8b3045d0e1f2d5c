#pragma once
// Serves the dashboard's built files from a web root, with the single-page-app fallback to
// index.html for paths outside /api/. Paths are resolved inside the root only: "..", NUL and
// symlinks that leave the root are refused.
#include <string>

#include "server/router.h"

namespace corrente::server {

// `root` is used when it is a directory at start-up; otherwise every path is a 404. Files are
// read once and kept with their gzip body (the build's foo.js.gz twin when it is as new as the
// file, else compressed on first use), and read again when their size or mtime changes.
Handler MakeStaticHandler(const std::string& root);

}  // namespace corrente::server
