#pragma once
// Each Register* adds one subcommand tree to the app. Its callbacks set `exit_code` and
// throw only for failures main() reports as one line on stderr (exit 1).
#include <CLI/CLI.hpp>
#include <cstdint>
#include <optional>
#include <string>

#include "cluster/cluster.h"
#include "common/config.h"
#include "common/url.h"  // RedactUrl
#include "pg/pg.h"

namespace corrente::cli {

void RegisterDbCommand(CLI::App& app, int& exit_code);
void RegisterBackupCommands(CLI::App& db, int& exit_code);  // cmd_backup.cpp: under `db`
void RegisterSeedCommand(CLI::App& app, int& exit_code);
void RegisterUserCommand(CLI::App& app, int& exit_code);
void RegisterServeCommands(CLI::App& app, int& exit_code);
void RegisterForecastCommand(CLI::App& app, int& exit_code);  // cmd_forecast.cpp
void RegisterPipelineCommand(CLI::App& app, int& exit_code);  // cmd_pipeline.cpp
void RegisterMigrateCommand(CLI::App& app, int& exit_code);   // cmd_migrate.cpp
void RegisterSimulateCommand(CLI::App& app, int& exit_code);  // cmd_simulate.cpp
// `demo`: a replay of the published policy on 500 sampled series, stored, so that the first
// pipeline run's STOCKOUT_IMMINENT alerts quote how often such alerts came true.
void StoreDemoReplay();

// Shared helpers (util.cpp).
// The DSN `role` connects with, starting the managed cluster when needed; first upgrades the
// schema as the admin role when `migrate`.
std::string ConnectDsn(const Config& config, bool migrate, cluster::DbRole role);
// Warns, with DATABASE_URL, when V053 could not set up the least-privilege roles here.
void WarnWithoutRoles(pg::Connection& conn, const Config& config);
// Reads one line from stdin (the password), without its newline. Throws when empty.
std::string ReadPasswordFromStdin();
std::string CurrentUnixUser();
// An audit record of a command-line action: actor "cli:<unix user>" ($CORRENTE_ACTOR when set,
// "scheduler" for scheduled runs), user agent "corrente-cli".
void AuditCli(pg::Connection& c, const std::string& action, const std::string& entity_type,
              std::optional<int64_t> entity_id, const std::string& details_json);
// Lineage (specification §2.2): the same record for a data load (pipeline run, seed, migrate),
// with its row counts in `details_json`, written as the admin role. A failure to record is a
// warning, never an error.
void RecordLineage(const std::string& action, const std::string& entity_type,
                   std::optional<int64_t> entity_id, const std::string& details_json);

}  // namespace corrente::cli
