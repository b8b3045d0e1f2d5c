#include "common/config.h"

#include <cstdlib>
#include <stdexcept>

namespace corrente {

std::optional<std::string> GetEnv(const char* name) {
  const char* v = std::getenv(name);
  if (v == nullptr || *v == '\0') return std::nullopt;
  return std::string(v);
}

std::optional<double> GetEnvNumber(const char* name, double lo, double hi) {
  auto v = GetEnv(name);
  if (!v) return std::nullopt;
  char* end = nullptr;
  double x = std::strtod(v->c_str(), &end);
  if (end == v->c_str() || *end != '\0' || !(x >= lo && x <= hi)) {
    auto num = [](double d) {
      std::string s = std::to_string(d);
      s.erase(s.find_last_not_of('0') + 1);
      if (s.back() == '.') s.pop_back();
      return s;
    };
    throw std::invalid_argument(std::string(name) + " must be a number from " + num(lo) + " to " +
                                num(hi) + ", got '" + *v + "'");
  }
  return x;
}

Config LoadConfig() {
  Config c;
  if (auto v = GetEnv("CORRENTE_HOME")) c.home = *v;
  c.database_url = GetEnv("DATABASE_URL");
  c.database_url_api = GetEnv("DATABASE_URL_API");
  c.database_url_pipeline = GetEnv("DATABASE_URL_PIPELINE");
  c.database_url_migrate = GetEnv("DATABASE_URL_MIGRATE");
  if (auto v = GetEnv("CORRENTE_ENV")) c.env = *v;
  if (c.env != "development" && c.env != "production" && c.env != "test")
    throw std::invalid_argument("CORRENTE_ENV must be development, production or test, got '" +
                                c.env + "'");
  c.pg_bindir = GetEnv("CORRENTE_PG_BINDIR");
  if (auto v = GetEnv("CORRENTE_PG_PORT")) {
    char* end = nullptr;
    long port = std::strtol(v->c_str(), &end, 10);
    if (*end != '\0' || port < 1 || port > 65535)
      throw std::invalid_argument("CORRENTE_PG_PORT must be a port number, got '" + *v + "'");
    c.pg_port = static_cast<int>(port);
  }
  if (auto v = GetEnv("CORRENTE_LOG_LEVEL")) c.log_level = *v;
  c.metrics_token = GetEnv("CORRENTE_METRICS_TOKEN");
  c.pipeline_schedule = GetEnv("CORRENTE_PIPELINE_SCHEDULE");
  return c;
}

}  // namespace corrente
