// corrente serve and corrente demo.
#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "cli/commands.h"
#include "common/cron.h"
#include "pg/pg.h"
#include "seed/loader.h"
#include "server/app.h"
#include "server/client_address.h"
#ifdef CORRENTE_HAVE_PIPELINE
#include "pipeline/pipeline.h"
#endif

namespace corrente::cli {

void RegisterServeCommands(CLI::App& app, int& exit_code) {
  static server::ServerOptions opt;
  auto* serve = app.add_subcommand("serve", "Serve the HTTP API and dashboard");
  serve->add_option("--host", opt.host, "Address to listen on")->capture_default_str();
  auto* port = serve->add_option("--port", opt.port, "Port to listen on")->capture_default_str()->check(CLI::Range(1, 65535));
  serve->add_option("--threads", opt.threads, "I/O threads (0 = one per core)")->capture_default_str();
  serve->add_option("--workers", opt.workers, "Threads that run handlers and their database calls")
      ->capture_default_str()
      ->check(CLI::Range(1, 256));
  serve->add_option("--max-connections", opt.max_connections,
                    "Open client connections at most; past it the one waiting longest on its "
                    "client (for a request or its body) is closed, or 503 when all are busy "
                    "(0 = sized from the open-file limit)")
      ->capture_default_str()
      ->check(CLI::Range(0, 1000000));
  serve->add_option_function<int>(
           "--header-timeout",
           [](int s) { opt.header_timeout = std::chrono::seconds(s); },
           "Seconds a request's headers (or a keep-alive wait) may take [10]")
      ->check(CLI::Range(1, 3600));
  serve->add_option_function<int>(
           "--request-timeout",
           [](int s) { opt.request_timeout = std::chrono::seconds(s); },
           "Seconds a request's body may take [30]")
      ->check(CLI::Range(1, 3600));
  serve->add_option_function<int>(
           "--send-stall",
           [](int s) { opt.send_stall = std::chrono::seconds(s); },
           "Seconds a response may wait for its client to take a byte before the connection "
           "is closed [5]")
      ->check(CLI::Range(1, 3600));
  serve->add_option("--min-send-rate", opt.min_send_rate,
                    "Bytes a second a response write must keep up after a grace of --send-stall; "
                    "a slower client is cut off")
      ->capture_default_str()
      ->check(CLI::Range(1, 1 << 30));
  serve->add_option("--max-in-flight", opt.max_in_flight_per_client,
                    "Requests in flight per account (or, without a valid token, per client "
                    "address); more get 429 with Retry-After (0 = half of --workers)")
      ->capture_default_str()
      ->check(CLI::Range(0, 100000));
  serve->add_option("--max-event-streams", opt.max_event_streams,
                    "Open /api/v1/events streams at most; more get 503 (each also holds a "
                    "connection)")
      ->capture_default_str()
      ->check(CLI::Range(0, 100000));
  serve->add_option_function<int>(
           "--event-heartbeat",
           [](int s) { opt.event_heartbeat = std::chrono::seconds(s); },
           "Seconds between heartbeats on an idle event stream [15]")
      ->check(CLI::Range(1, 3600));
  auto* cert = serve->add_option("--tls-cert", opt.tls_cert,
                                 "Serve HTTPS (TLS 1.2+) with this PEM certificate chain")
                   ->check(CLI::ExistingFile);
  auto* key = serve->add_option("--tls-key", opt.tls_key, "The PEM private key of --tls-cert")
                  ->check(CLI::ExistingFile);
  cert->needs(key);
  key->needs(cert);
  serve->add_option("--login-rate-address", opt.login_rate_address,
                    "Logins per client address, right password or not: BURST/PER_MINUTE, or off; "
                    "past it 429 with Retry-After (also CORRENTE_LOGIN_RATE_ADDRESS) [20/30]");
  serve->add_option("--login-rate-account", opt.login_rate_account,
                    "Logins per account, the same way (also CORRENTE_LOGIN_RATE_ACCOUNT) [10/6]");
  static std::vector<std::string> trusted_proxies;
  serve->add_option("--trusted-proxy", trusted_proxies,
                    "Address of a reverse proxy whose X-Forwarded-For names the client (repeat "
                    "or separate by commas; also CORRENTE_TRUSTED_PROXIES); without one the "
                    "header is ignored")
      ->delimiter(',');
  static std::string metrics_token;
  serve->add_option("--metrics-token", metrics_token,
                    "Require 'Authorization: Bearer TOKEN' on /metrics (16+ bytes; also "
                    "CORRENTE_METRICS_TOKEN, which keeps it out of the process list)");
  static std::string schedule;
  serve->add_option("--schedule", schedule,
                    "Run the pipeline on this cron expression, in the server's time zone, e.g. "
                    "'0 2 * * *' (also CORRENTE_PIPELINE_SCHEDULE); a run missed while no server "
                    "was up runs at start-up; one server runs each")
      ->check([](const std::string& v) {
        try {
          Cron::Parse(v);
          return std::string();
        } catch (const std::invalid_argument& e) {
          return std::string(e.what());
        }
      });
  serve->callback([&, port] {
    Config c = LoadConfig();
    if (!metrics_token.empty()) c.metrics_token = metrics_token;
    if (!schedule.empty()) c.pipeline_schedule = schedule;
    opt.port_fallback = port->count() == 0;  // an explicit --port is never silently changed
    if (trusted_proxies.empty())
      if (auto env = GetEnv("CORRENTE_TRUSTED_PROXIES")) {
        std::stringstream list(*env);
        for (std::string a; std::getline(list, a, ',');)
          if (!a.empty()) trusted_proxies.push_back(a);
      }
    opt.trusted_proxies.clear();
    for (const auto& a : trusted_proxies) {
      std::string canonical = server::CanonicalAddress(a);
      if (canonical.empty())
        throw std::runtime_error("--trusted-proxy '" + a + "' is not an IP address");
      opt.trusted_proxies.push_back(canonical);
      spdlog::info("trusting X-Forwarded-For from {}", canonical);
    }
    std::string dsn;
    try {
      dsn = ConnectDsn(c, /*migrate=*/true, cluster::DbRole::kApi);
    } catch (const pg::Error& e) {
      if (!e.Retryable() || !c.database_url) throw;
      // An external server that is down: serve anyway, answering 503 until it is back.
      spdlog::warn("{}; starting anyway", e.what());
      dsn = cluster::ResolveDsn(c, false, cluster::DbRole::kApi);
    }
    server::Serve(c, dsn, opt);
  });

  static server::ServerOptions demo_opt;
  auto* demo = app.add_subcommand(
      "demo", "Start the managed PostgreSQL, migrate, seed when empty (printing the demo logins), and serve");
  demo->add_option("--port", demo_opt.port, "Port to listen on (the next free one when busy)")->capture_default_str();
  demo->callback([&] {
    Config c = LoadConfig();
    // Each step as its own role: seeding as the owner, the pipeline and the API as theirs.
    std::string dsn = ConnectDsn(c, /*migrate=*/true, cluster::DbRole::kOwner);
    auto conn = pg::Connection::Open(dsn);
    std::filesystem::create_directories(c.home);
    std::filesystem::path logins = std::filesystem::path(c.home) / "demo-logins.txt";
    if (!seed::HasData(conn)) {
      std::cerr << "seeding demo data (500 items x 10 sites x 3 years)...\n";
      seed::LoadReport rep = seed::Load(conn, seed::Generate(seed::SeedOptions{}), false, !c.IsProduction());
      std::string text;
      for (const auto& u : rep.users)
        if (!u.password.empty()) text += u.username + " / " + u.password + " (" + u.role + ")\n";
      if (!text.empty()) {
        int fd = ::open(logins.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
        if (fd >= 0) {
          ::write(fd, text.data(), text.size());
          ::close(fd);
        }
      }
    } else {
      std::cerr << "database already seeded; reusing it\n";
    }
#ifdef CORRENTE_HAVE_PIPELINE
    if (!pipeline::LatestPublishedRun(conn)) {
      std::cerr << "replaying the last year on 500 series (alert precision for the alerts)...\n";
      try {
        StoreDemoReplay();
      } catch (const std::exception& e) {
        std::cerr << "the replay failed (" << e.what() << "); alerts will not quote a precision\n";
      }
      std::cerr << "running the pipeline (forecasts, policy, KPIs, recommendations, alerts)...\n";
      auto report = pipeline::Run(cluster::ResolveDsn(c, true, cluster::DbRole::kPipeline),
                                  pipeline::PipelineOptions{});
      std::cerr << "pipeline run " << report.run_id << " published " << report.series << " series in "
                << report.total_seconds << " s\n";
    } else {
      std::cerr << "a published pipeline run exists; reusing it ('corrente pipeline run' refreshes it)\n";
    }
#endif
    demo_opt.port_fallback = true;
    server::Serve(c, cluster::ResolveDsn(c, true, cluster::DbRole::kApi), demo_opt, [&](int bound) {
      std::ifstream in(logins);
      std::string text, line;
      while (std::getline(in, line)) text += "    " + line + "\n";
      std::cout << "\nCorrente is up: http://" << demo_opt.host << ":" << bound << "/\n"
                << "  health:    http://" << demo_opt.host << ":" << bound << "/health\n"
                << "  API docs:  http://" << demo_opt.host << ":" << bound << "/api/docs\n"
                << "  database:  " << pg::DescribeDsn(dsn) << " (corrente db psql)\n"
                << "  demo logins (also in " << logins.string() << "):\n"
                << (text.empty() ? "    (none recorded; create one with 'corrente user add')\n" : text)
                << "Press Ctrl-C to stop.\n"
                << std::flush;
    });
  });
  (void)exit_code;
}

}  // namespace corrente::cli
