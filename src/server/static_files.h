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

// The dashboard's web root: CORRENTE_WEB_ROOT when set; else web/dist under the working
// directory, or beside the binary (a build in build/<preset>/ of a checkout finds the
// checkout's web/dist from anywhere). Logs the root it serves, or a warning when it has no
// index.html.
std::string WebRoot();

}  // namespace corrente::server
