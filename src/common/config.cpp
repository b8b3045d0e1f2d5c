#include "common/config.h"

#include <cstdlib>
#include <stdexcept>

namespace corrente {

std::optional<std::string> GetEnv(const char* name) {
  const char* v = std::getenv(name);
  if (v == nullptr || *v == '\0') return std::nullopt;
  return std::string(v);
}

namespace {

std::string Num(double d) {
  std::string s = std::to_string(d);
  s.erase(s.find_last_not_of('0') + 1);
  if (s.back() == '.') s.pop_back();
  return s;
}

// strtod also takes leading spaces, hexadecimal ("0x10": 16), "inf" and "nan": only digits, a
// sign, a point and an exponent pass here (`integer`: digits and a leading sign).
bool PlainNumber(const std::string& v, bool integer) {
  const char* allowed = integer ? "+-0123456789" : "+-.eE0123456789";
  if (v.find_first_not_of(allowed) != std::string::npos) return false;
  return !integer || v.find_first_of("+-", 1) == std::string::npos;
}

std::optional<double> EnvNumber(const char* name, double lo, double hi, bool integer) {
  auto v = GetEnv(name);
  if (!v) return std::nullopt;
  char* end = nullptr;
  double x = std::strtod(v->c_str(), &end);
  if (!PlainNumber(*v, integer) || end == v->c_str() || *end != '\0' || !(x >= lo && x <= hi))
    throw std::invalid_argument(std::string(name) + " must be " +
                                (integer ? "a whole number" : "a number") + " from " + Num(lo) +
                                " to " + Num(hi) + ", got '" + *v + "'");
  return x;
}

}  // namespace

std::optional<double> GetEnvNumber(const char* name, double lo, double hi) {
  return EnvNumber(name, lo, hi, false);
}

std::optional<int64_t> GetEnvInteger(const char* name, int64_t lo, int64_t hi) {
  auto x = EnvNumber(name, static_cast<double>(lo), static_cast<double>(hi), true);
  if (!x) return std::nullopt;
  return static_cast<int64_t>(*x);
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
