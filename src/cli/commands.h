#pragma once
// Each Register* adds one subcommand tree to the app. Its callbacks set `exit_code` and
// throw only for failures main() reports as one line on stderr (exit 1).
#include <CLI/CLI.hpp>
#include <string>

#include "cluster/cluster.h"
#include "common/config.h"
#include "pg/pg.h"

namespace corrente::cli {

void RegisterDbCommand(CLI::App& app, int& exit_code);
void RegisterSeedCommand(CLI::App& app, int& exit_code);
void RegisterUserCommand(CLI::App& app, int& exit_code);
void RegisterServeCommands(CLI::App& app, int& exit_code);
void RegisterForecastCommand(CLI::App& app, int& exit_code);  // cmd_forecast.cpp
void RegisterPipelineCommand(CLI::App& app, int& exit_code);  // cmd_pipeline.cpp
void RegisterMigrateCommand(CLI::App& app, int& exit_code);   // cmd_migrate.cpp
void RegisterSimulateCommand(CLI::App& app, int& exit_code);  // cmd_simulate.cpp

// Shared helpers (util.cpp).
// The DSN `role` connects with, starting the managed cluster when needed; first upgrades the
// schema as the admin role when `migrate`.
std::string ConnectDsn(const Config& config, bool migrate, cluster::DbRole role);
// Warns, with DATABASE_URL, when V053 could not set up the least-privilege roles here.
void WarnWithoutRoles(pg::Connection& conn, const Config& config);
// Reads one line from stdin (the password), without its newline. Throws when empty.
std::string ReadPasswordFromStdin();
std::string CurrentUnixUser();

}  // namespace corrente::cli
