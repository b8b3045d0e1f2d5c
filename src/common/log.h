#pragma once
// Logging: spdlog to stderr. Human-readable on a TTY, one JSON object per line otherwise
// (or when CORRENTE_LOG_FORMAT=json), so logs stay structured under CI and systemd.
#include <spdlog/spdlog.h>

#include <string>

namespace corrente {

void InitLogging(const std::string& level);
bool StderrIsTty();

}  // namespace corrente
