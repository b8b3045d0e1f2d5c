#pragma once
// Relative outliers in one demand series: a day far above anything the series otherwise does,
// and alone at that height (a typo with extra zeros, a pallet keyed as units). Such a day is
// read as missing (zero demand), like the absurd values of data_quality.h: a cap at the
// threshold would still put ten times the series' high days into the forecast's last level and
// into the demand's spread, while one day read as zero moves the levels by a day's demand.
// Pure functions, thread-safe.
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace corrente::decide {

struct OutlierRule {
  // A day is a candidate above max(multiple x the `quantile` of the series' positive days,
  // floor) ...
  double multiple = 10;
  double quantile = 0.9;
  double floor = 50;  // units: small counts (1 unit a day, then an order of 40) are no evidence
  // ... and when it is also `multiple` times above the second-highest day within `window`
  // days either side: a run of three high days in a fortnight is a level (a new customer, a
  // promotion, a season), not a typo.
  int window = 7;
  // Fewer positive days than this: too little history to call any day abnormal.
  size_t min_positive_days = 12;
};

struct OutlierDay {
  size_t index;      // position in the series
  double value;      // what was recorded
  double threshold;  // the series' threshold it exceeded
};

// The outlier days of `y` (non-negative, finite: the absurd values already read as missing),
// in index order. Empty for a series without one, which is then left as it is.
std::vector<OutlierDay> FindOutliers(std::span<const double> y, const OutlierRule& rule = {});

// The series' candidate threshold, max(multiple x quantile of positive days, floor), or
// +infinity when it has fewer than min_positive_days positive days.
double OutlierThreshold(std::span<const double> y, const OutlierRule& rule = {});

// Sets the days FindOutliers finds to zero (missing); returns them.
std::vector<OutlierDay> DropOutliers(std::span<double> y, const OutlierRule& rule = {});

// What a scan of many series found.
struct OutlierTally {
  int64_t days = 0;    // days read as missing
  int64_t series = 0;  // series with at least one
  void Add(size_t found) {
    days += static_cast<int64_t>(found);
    series += found > 0 ? 1 : 0;
  }
};

// The words the pipeline's data-quality line, `simulate` and `forecast` print: "demand
// outliers 2 (over 10x their series' 90% quantile, alone) in 1 series". Empty for no day.
std::string OutlierText(const OutlierTally& tally, const OutlierRule& rule = {});

}  // namespace corrente::decide
