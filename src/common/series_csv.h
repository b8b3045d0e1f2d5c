#pragma once
// Series in the M4 layout, the one `corrente forecast` and `corrente simulate --demand` read:
// one series a line, its id first and then its values, oldest first; an optional header line
// of names; empty or NA values are gaps (NaN); RFC 4180 quoting within a line.
#include <string>
#include <vector>

namespace corrente {

struct Series {
  std::string id;
  std::vector<double> values;
};

// Reads every series of `path`. Returns false with a one-line message naming the file, line
// and column of the first bad value.
bool ReadSeries(const std::string& path, std::vector<Series>* series, std::string* error);

}  // namespace corrente
