#pragma once
// Where a simulation's data comes from: the database's own history, or any demand CSV in the
// `forecast` command's layout. Both check their input and throw std::invalid_argument with a
// message naming the problem (an empty period, a period longer than the data, a CSV with no
// usable series, a negative lead time).
#include <optional>
#include <string>

#include "pg/pg.h"
#include "simulate/simulate.h"

namespace corrente::simulate {

struct DbSourceOptions {
  std::optional<int64_t> from, to;  // days since 1970; default: the last 365 days of data
  int sample = 0;                   // > 0: at most this many series, chosen by the seed
  uint64_t seed = 1;
  int history_days = 365;           // demand before `from` given to the policies
  bool keep_outliers = false;       // replay relative outliers of demand as recorded
};

// Demand, items, lead times and the stock on the day before `from`, read in one snapshot.
// Both loaders read each series' relative outliers of demand (decide/outliers.h, judged over
// its whole loaded history and replayed days) as zero, as the pipeline does, and count them
// in Dataset::outliers, unless told to keep them.
Dataset LoadFromDatabase(pg::Connection& conn, const DbSourceOptions& opt);

struct CsvSourceOptions {
  std::string demand_path;
  std::optional<double> lead_time;  // one lead time for every series
  std::string lead_times_path;      // or a file of lead times (days), one per line or comma
  int replay_days = 0;              // 0: the last half of each series, at most 365 days
  bool keep_outliers = false;       // replay relative outliers of demand as recorded
};

// Every series of the CSV (class from its revenue share, outliers left out; unit cost 1),
// replayed over its last `replay_days`; series too short to leave 28 days of history are
// skipped (and counted in the error when none is left).
Dataset LoadFromCsv(const CsvSourceOptions& opt);

}  // namespace corrente::simulate
