#pragma once
// Configuration read from the environment in one place. Plain struct, no globals.
#include <cstdint>
#include <optional>
#include <string>

namespace corrente {

struct Config {
  std::string home = "./var";            // CORRENTE_HOME: managed cluster and state
  std::optional<std::string> database_url;  // DATABASE_URL: use this server, manage nothing
  // DATABASE_URL_API, _PIPELINE, _MIGRATE: the least-privilege roles' URLs on that server
  // (each falls back to DATABASE_URL; docs/security.md)
  std::optional<std::string> database_url_api;
  std::optional<std::string> database_url_pipeline;
  std::optional<std::string> database_url_migrate;
  std::string env = "development";       // CORRENTE_ENV: development | production
  std::optional<std::string> pg_bindir;  // CORRENTE_PG_BINDIR
  std::optional<int> pg_port;            // CORRENTE_PG_PORT: fixed port (no fallback)
  std::string log_level = "info";        // CORRENTE_LOG_LEVEL
  std::optional<std::string> metrics_token;  // CORRENTE_METRICS_TOKEN (or serve --metrics-token)
  // CORRENTE_PIPELINE_SCHEDULE (or serve --schedule): a cron expression; serve runs the pipeline.
  std::optional<std::string> pipeline_schedule;
  bool IsProduction() const { return env == "production"; }
};

// Reads CORRENTE_* and DATABASE_URL. Throws std::invalid_argument on malformed values.
Config LoadConfig();

// Returns the environment variable or nullopt when unset or empty.
std::optional<std::string> GetEnv(const char* name);
// The variable as a number in [lo, hi], or nullopt when unset or empty. Throws
// std::invalid_argument naming it when it is not a plain decimal number (digits, a sign, a
// point, an exponent: "abc", " 5", "0x10" and "inf" are errors) or out of range.
std::optional<double> GetEnvNumber(const char* name, double lo, double hi);
// The same for a whole number (digits and a sign only: "2.5" and "1e3" are errors, not 2 and
// 1000).
std::optional<int64_t> GetEnvInteger(const char* name, int64_t lo, int64_t hi);

}  // namespace corrente
