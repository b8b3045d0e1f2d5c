// corrente seed: deterministic demo data.
#include <spdlog/spdlog.h>

#include <chrono>
#include <iostream>

#include <boost/json.hpp>

#include "cli/commands.h"
#include "seed/loader.h"

namespace corrente::cli {

void RegisterSeedCommand(CLI::App& app, int& exit_code) {
  static seed::SeedOptions opt;
  static bool force = false, no_users = false;
  auto* cmd = app.add_subcommand("seed", "Load deterministic demo data (refuses a non-empty database unless --force)");
  cmd->add_option("--seed", opt.seed, "Random seed")->capture_default_str();
  cmd->add_option("--items", opt.items, "Number of items")->capture_default_str()->check(CLI::Range(1, 200000));
  cmd->add_option("--sites", opt.sites, "Number of sites")->capture_default_str()->check(CLI::Range(1, 500));
  cmd->add_option("--suppliers", opt.suppliers, "Number of suppliers")->capture_default_str()->check(CLI::Range(1, 10000));
  cmd->add_option("--days", opt.days, "Days of history, ending yesterday")->capture_default_str()->check(CLI::Range(30, 3650));
  cmd->add_flag("--force", force, "Replace existing data (and clear the analytics derived from it)");
  cmd->add_flag("--no-demo-users", no_users, "Do not create the admin, analyst and viewer demo accounts");
  cmd->callback([&] {
    Config c = LoadConfig();
    if (c.IsProduction() && !no_users)
      throw std::runtime_error("CORRENTE_ENV=production: demo users are not created; pass --no-demo-users");
    std::string dsn = ConnectDsn(c, /*migrate=*/true, cluster::DbRole::kOwner);
    auto conn = pg::Connection::Open(dsn);
    if (seed::HasData(conn) && !force) {
      std::cerr << "corrente: the database already holds data; 'corrente seed --force' replaces it\n";
      exit_code = 1;
      return;
    }
    auto t0 = std::chrono::steady_clock::now();
    seed::Dataset ds = seed::Generate(opt);
    auto t1 = std::chrono::steady_clock::now();
    spdlog::info("generated {} items x {} sites x {} days in {:.1f}s", opt.items, opt.sites, opt.days,
                 std::chrono::duration<double>(t1 - t0).count());
    seed::LoadReport rep = seed::Load(conn, ds, force, !no_users);
    double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    RecordLineage("SEED", "dataset", std::nullopt,
                  boost::json::serialize(boost::json::object{
                      {"seed", opt.seed}, {"replaced", force},
                      {"rows", boost::json::object{{"regions", rep.regions}, {"sites", rep.sites},
                                                   {"suppliers", rep.suppliers}, {"items", rep.items},
                                                   {"calendar", rep.calendar}, {"demand", rep.demand},
                                                   {"inventory", rep.inventory}, {"orders", rep.orders}}}}));
    std::cerr << "seeded in " << secs << " s: " << rep.regions << " regions, " << rep.sites << " sites, "
              << rep.suppliers << " suppliers, " << rep.items << " items, " << rep.calendar << " calendar days, "
              << rep.demand << " demand rows, " << rep.inventory << " inventory rows, " << rep.orders << " orders\n";
    for (const auto& u : rep.users)
      if (!u.password.empty())
        std::cout << "demo login: " << u.username << " / " << u.password << " (" << u.role << ")\n";
  });
}

}  // namespace corrente::cli
