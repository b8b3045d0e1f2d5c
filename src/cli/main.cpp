// corrente: inventory forecasting and replenishment analytics on PostgreSQL.
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <cstdlib>
#include <filesystem>
#include <iostream>

#include "cli/commands.h"
#include "common/log.h"
#include "pg/pg.h"

int main(int argc, char** argv) {
  using namespace corrente;
  CLI::App app{
      "Corrente " CORRENTE_VERSION
      ": inventory forecasting and replenishment analytics on PostgreSQL.\n\n"
      "Without DATABASE_URL it runs its own PostgreSQL under $CORRENTE_HOME (default ./var).\n"
      "Environment: DATABASE_URL, CORRENTE_HOME, CORRENTE_ENV (development|production),\n"
      "CORRENTE_PG_PORT, CORRENTE_PG_BINDIR, CORRENTE_LOG_LEVEL, CORRENTE_LOG_FORMAT (json|text).",
      "corrente"};
  app.set_version_flag("--version", CORRENTE_VERSION);
  app.require_subcommand(1);
  std::string log_level;
  app.add_option("--log-level", log_level, "trace, debug, info, warn, error (default: $CORRENTE_LOG_LEVEL or info)");

  int exit_code = 0;
  // The command tree, in one readable list.
  cli::RegisterDbCommand(app, exit_code);
  cli::RegisterSeedCommand(app, exit_code);
  cli::RegisterUserCommand(app, exit_code);
  cli::RegisterServeCommands(app, exit_code);
#ifdef CORRENTE_HAVE_FORECAST
  cli::RegisterForecastCommand(app, exit_code);
#endif
#ifdef CORRENTE_HAVE_PIPELINE
  cli::RegisterPipelineCommand(app, exit_code);
#endif
#ifdef CORRENTE_HAVE_SIMULATE
  cli::RegisterSimulateCommand(app, exit_code);
#endif
#ifdef CORRENTE_HAVE_MIGRATE
  cli::RegisterMigrateCommand(app, exit_code);
#endif

  app.parse_complete_callback([&] {
    InitLogging(!log_level.empty() ? log_level : GetEnv("CORRENTE_LOG_LEVEL").value_or("info"));
  });
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    // An unknown word where a subcommand goes (`corrente bogus`, `corrente db bogus`): CLI11
    // alone would only say that a subcommand is required.
    CLI::App* group = &app;
    std::string path = "corrente";
    while (!group->get_subcommands().empty()) {
      group = group->get_subcommands().front();
      path += " " + group->get_name();
    }
    const std::vector<std::string> rest = group->remaining();
    if (!group->get_subcommands(nullptr).empty() && !rest.empty() && rest.front().rfind('-', 0) != 0)
      std::cerr << path << ": unknown subcommand '" << rest.front() << "'\n";
    app.exit(e);
    return 2;
  } catch (const pg::Error& e) {
    std::cerr << "corrente: " << e.what() << "\n";
    return 1;
  } catch (const std::filesystem::filesystem_error& e) {
    // "filesystem error: cannot create directories: Permission denied [/x/pg]" as the operator
    // needs it: what failed on which path, and what to check.
    namespace fs = std::filesystem;
    std::cerr << "corrente: " << e.what();
    const char* home_env = std::getenv("CORRENTE_HOME");
    std::string home = fs::absolute(home_env && *home_env ? home_env : "./var").lexically_normal();
    bool denied = e.code() == std::errc::permission_denied ||
                  e.code() == std::errc::read_only_file_system ||
                  e.code() == std::errc::operation_not_permitted;
    if (denied && e.path1().string().rfind(home, 0) == 0)
      std::cerr << ": CORRENTE_HOME (" << home << ") must be writable by this user";
    std::cerr << "\n";
    return 1;
  } catch (const std::exception& e) {
    std::cerr << "corrente: " << e.what() << "\n";
    return 1;
  }
  return exit_code;
}
