#pragma once
// Serves the dashboard's built files from a web root, with the single-page-app fallback to
// index.html for paths outside /api/. Paths are resolved inside the root only: "..", NUL and
// symlinks that leave the root are refused.
#include <string>

#include "server/router.h"

namespace corrente::server {

// `root` is used when it is a directory at start-up; otherwise every path is a 404.
Handler MakeStaticHandler(const std::string& root);

}  // namespace corrente::server
