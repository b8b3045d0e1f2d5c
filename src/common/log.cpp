#include "common/log.h"

#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <unistd.h>

#include "common/config.h"
#include "common/json.h"

namespace corrente {
namespace {

// %j: the message escaped as a JSON string body, so every log line is valid JSON.
class JsonMessageFlag : public spdlog::custom_flag_formatter {
 public:
  void format(const spdlog::details::log_msg& msg, const std::tm&,
              spdlog::memory_buf_t& dest) override {
    std::string quoted = JsonString(std::string_view(msg.payload.data(), msg.payload.size()));
    dest.append(std::string_view(quoted).substr(1, quoted.size() - 2));
  }
  std::unique_ptr<custom_flag_formatter> clone() const override {
    return std::make_unique<JsonMessageFlag>();
  }
};

}  // namespace

bool StderrIsTty() { return isatty(STDERR_FILENO) == 1; }

void InitLogging(const std::string& level) {
  auto logger = spdlog::get("corrente");
  if (!logger) logger = spdlog::stderr_color_mt("corrente");
  spdlog::set_default_logger(logger);
  auto fmt = GetEnv("CORRENTE_LOG_FORMAT");
  bool json = fmt ? *fmt == "json" : !StderrIsTty();
  if (json) {
    auto f = std::make_unique<spdlog::pattern_formatter>(spdlog::pattern_time_type::utc);
    f->add_flag<JsonMessageFlag>('j').set_pattern(
        R"({"ts":"%Y-%m-%dT%H:%M:%S.%eZ","level":"%l","msg":"%j"})");
    spdlog::set_formatter(std::move(f));
  } else {
    spdlog::set_pattern("%H:%M:%S %^%-5l%$ %v");
  }
  spdlog::set_level(spdlog::level::from_str(level));
}

}  // namespace corrente
