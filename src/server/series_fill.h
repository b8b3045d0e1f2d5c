#pragma once
// A demand series' buckets, zero-filled: PostgreSQL returns only the buckets that have rows
// (an index range scan), and every bucket of the window is written here, as the statement
// with generate_series wrote them. Pure functions.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace corrente::server {

enum class Granularity { kDay, kWeek, kMonth };

std::optional<Granularity> ParseGranularity(std::string_view g);  // "day", "week", "month"

// The bucket holding `day` (days since 1970-01-01), as PostgreSQL's date_trunc: the day itself,
// the Monday of its ISO week, or the first of its month.
int64_t BucketStart(int64_t day, Granularity g);

struct SeriesPoint {
  int64_t bucket;         // BucketStart of the bucket
  std::string_view value; // numeric text ("12.5000", "NaN")
};

// One entry per bucket of the days start..end (start <= end), in order, with the value of the
// point of that bucket or "0.0000". `points` sorted by bucket, one per bucket.
std::vector<SeriesPoint> FillBuckets(int64_t start, int64_t end, Granularity g,
                                     const std::vector<SeriesPoint>& points);

// The filled series as the API's rows: [{"full_date":"YYYY-MM-DD","quantity":N},...] (NaN and
// the infinities as null, as for any numeric), or CSV with its header row.
std::string SeriesJson(const std::vector<SeriesPoint>& filled);
std::string SeriesCsv(const std::vector<SeriesPoint>& filled);

}  // namespace corrente::server
