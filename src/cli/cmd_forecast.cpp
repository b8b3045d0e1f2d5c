// `corrente forecast`: ad-hoc forecasting of every series of a CSV in M4 layout.
//
// Self-contained on purpose: it depends only on corrente_forecast, corrente_decide (the
// outlier rule), CLI11 and the standard library, so it can be linked into the corrente binary
// without the database layers.
#include <CLI/CLI.hpp>

#include "common/series_csv.h"
#include <algorithm>
#include <atomic>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstring>
#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "decide/outliers.h"
#include "forecast/forecast.h"
#include "forecast/global.h"

namespace corrente::cli {
namespace {

using corrente::ReadSeries;
using corrente::Series;

constexpr int kMaxHorizon = 1000;

struct ForecastArgs {
  std::string input;
  std::string output;
  int horizon = 0;
  std::string season = std::to_string(forecast::ForecastOptions{}.season);
  bool intervals = false;
  int jobs = 0;
  bool no_global = false;
  bool keep_outliers = false;
  int backtest_origins = forecast::ForecastOptions{}.backtest_origins;
  int combine_top = forecast::ForecastOptions{}.combine_top;
};

void AppendNumber(std::string& out, double v) {
  char buffer[64];
  const auto [ptr, ec] =
      std::to_chars(buffer, buffer + sizeof(buffer), v, std::chars_format::general, 10);
  out.append(buffer, ec == std::errc() ? ptr : buffer);
}

void AppendField(std::string& out, const std::string& text) {
  if (text.find_first_of(",\"\n") == std::string::npos) {
    out += text;
    return;
  }
  out += '"';
  for (char c : text) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
}

std::string Header(int h, bool intervals) {
  std::string out = "id,model";
  const char* groups[] = {"F", "LO80_", "HI80_", "LO95_", "HI95_"};
  const int group_count = intervals ? 5 : 1;
  for (int g = 0; g < group_count; ++g) {
    for (int i = 1; i <= h; ++i) {
      // Appended piece by piece: g++ 12 -O3 flags `"," + std::string(...)` with a false
      // -Wrestrict.
      out += ',';
      out += groups[g];
      out += std::to_string(i);
    }
  }
  out += '\n';
  return out;
}

std::string Row(const Series& s, const forecast::ForecastResult& r, bool intervals) {
  std::string out;
  AppendField(out, s.id);
  out += ',';
  AppendField(out, r.model);
  const std::vector<double>* groups[] = {&r.mean, &r.lo80, &r.hi80, &r.lo95, &r.hi95};
  const int group_count = intervals ? 5 : 1;
  for (int g = 0; g < group_count; ++g) {
    for (double v : *groups[g]) {
      out += ',';
      AppendNumber(out, v);
    }
  }
  return out + "\n";
}

int Run(const ForecastArgs& args) {
  if (args.horizon <= 0 || args.horizon > kMaxHorizon) {
    std::cerr << "corrente: --horizon must be between 1 and " << kMaxHorizon << " (got "
              << args.horizon << ")\n";
    return 2;
  }
  // One period, or several separated by commas (24,168: daily and weekly in hourly data).
  std::vector<int> seasons;
  {
    std::string_view rest = args.season;
    while (true) {
      size_t comma = rest.find(',');
      std::string_view tok = rest.substr(0, comma);
      while (!tok.empty() && tok.front() == ' ') tok.remove_prefix(1);
      while (!tok.empty() && tok.back() == ' ') tok.remove_suffix(1);
      int v = -1;
      auto [ptr, ec] = std::from_chars(tok.data(), tok.data() + tok.size(), v);
      if (tok.empty() || ec != std::errc() || ptr != tok.data() + tok.size() || v < 0 ||
          v > 10000) {
        std::cerr << "corrente: --season takes periods between 0 and 10000, separated by commas (got '"
                  << args.season << "')\n";
        return 2;
      }
      seasons.push_back(v);
      if (comma == std::string_view::npos) break;
      rest = rest.substr(comma + 1);
    }
  }
  if (args.jobs < 0 || args.backtest_origins < 0 || args.backtest_origins > 100 ||
      args.combine_top < 1) {
    std::cerr << "corrente: --jobs must be >= 0, --backtest-origins in 0..100 and --combine >= 1\n";
    return 2;
  }
  std::vector<Series> series;
  std::string error;
  if (!ReadSeries(args.input, &series, &error)) {
    std::cerr << "corrente: " << error << "\n";
    return 1;
  }

  // Relative outliers (decide/outliers.h), the pipeline's rule for demand: read as missing,
  // i.e. a gap, interpolated as an empty field is. A series with a negative value is not
  // demand and is left as it is.
  if (!args.keep_outliers) {
    decide::OutlierTally outliers;
    for (Series& s : series) {
      if (std::any_of(s.values.begin(), s.values.end(), [](double v) { return v < 0; })) continue;
      const std::vector<decide::OutlierDay> days = decide::FindOutliers(s.values);
      for (const decide::OutlierDay& d : days) s.values[d.index] = NAN;
      outliers.Add(days.size());
    }
    if (outliers.days > 0) std::cerr << decide::OutlierText(outliers) << "; read as missing\n";
  }

  // Opened before the work so a bad path fails fast.
  std::ofstream file;
  std::ostream* out = &std::cout;
  if (!args.output.empty()) {
    file.open(args.output, std::ios::binary | std::ios::trunc);
    if (!file) {
      std::cerr << "corrente: cannot write '" << args.output << "': " << std::strerror(errno) << "\n";
      return 1;
    }
    out = &file;
  }

  forecast::ForecastOptions options;
  options.horizon = args.horizon;
  options.season = *std::min_element(seasons.begin(), seasons.end());
  if (seasons.size() > 1) options.seasons = seasons;
  options.intervals = args.intervals;
  options.backtest_origins = args.backtest_origins;
  options.combine_top = args.combine_top;

  std::vector<std::vector<double>> values;
  values.reserve(series.size());
  for (Series& s : series) values.push_back(std::move(s.values));  // Row needs the ids only
  const unsigned hardware = std::max(1u, std::thread::hardware_concurrency());
  forecast::PanelReport panel;
  const std::vector<forecast::ForecastResult> results = forecast::ForecastPanel(
      values, options, args.jobs > 0 ? args.jobs : static_cast<int>(hardware), !args.no_global,
      &panel);
  if (panel.windows > 0) {
    std::cerr << "global model: " << panel.windows << " training windows; chosen or combined for "
              << panel.used << " of " << series.size() << " series\n";
  }

  *out << Header(args.horizon, args.intervals);
  for (size_t i = 0; i < series.size(); ++i) *out << Row(series[i], results[i], args.intervals);
  out->flush();
  if (!*out) {
    std::cerr << "corrente: writing the forecasts failed\n";
    return 1;
  }
  return 0;
}

}  // namespace

void RegisterForecastCommand(CLI::App& app, int& exit_code) {
  auto args = std::make_shared<ForecastArgs>();
  CLI::App* cmd = app.add_subcommand(
      "forecast", "Forecast every series of a CSV in M4 layout (id, then values in time order)");
  cmd->add_option("file", args->input,
                  "Input CSV: one series per row; first column the id, "
                  "then the values, oldest first; shorter rows end in "
                  "empty fields; a header row is detected and skipped")
      ->required();
  cmd->add_option("--horizon,-H", args->horizon, "Steps to forecast (1..1000)")->required();
  cmd->add_option("--season,-m", args->season,
                  "Seasonal period (default 7 for daily data; 52 for weekly; 1 = none). ETS "
                  "ignores periods above 24, as R's ets(). Several periods, e.g. 24,168 or "
                  "7,365, add a multiple-seasonal decomposition (MSTL) candidate")
      ->capture_default_str();
  cmd->add_option("--output,-o", args->output, "Output CSV (default: standard output)");
  cmd->add_flag("--intervals", args->intervals, "Also write the 80% and 95% interval bounds");
  cmd->add_option("--jobs,-j", args->jobs, "Worker threads (default: all cores)");
  cmd->add_option("--backtest-origins", args->backtest_origins,
                  "Rolling origins for model selection (0 = no backtest)")
      ->capture_default_str();
  cmd->add_option("--combine", args->combine_top,
                  "Combine the best K backtested models by their median (1 = pick the best)")
      ->capture_default_str();
  cmd->add_flag("--keep-outliers", args->keep_outliers,
                "Forecast from relative outliers as recorded (by default a value over 10x its "
                "series' 90% quantile and alone, a typo, is read as missing, as the pipeline "
                "reads demand)");
  cmd->add_flag("--no-global", args->no_global,
                 "Forecast each series alone. By default, with 20 series or more, a global model "
                 "learnt across the file's series competes in each series' backtest as one more "
                 "candidate");
  cmd->footer(
      "Output columns: id,model,F1..FH; with --intervals then LO80_1..LO80_H, HI80_1..HI80_H, "
      "LO95_1..LO95_H, HI95_1..HI95_H. One row per input series, in input order. Values are "
      "never negative. Missing values (empty interior fields, NA) are interpolated, and so are "
      "relative outliers unless --keep-outliers (a series with a negative value keeps them).");
  cmd->callback([args, &exit_code] { exit_code = Run(*args); });
}

}  // namespace corrente::cli
