#pragma once
// Prometheus metrics: request counts by route, method (a standard one, else OTHER) and status,
// and a latency histogram by route. Thread-safe; Observe() takes one short lock.
#include <array>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <tuple>

namespace corrente::server {

class Metrics {
 public:
  static constexpr std::array<double, 12> kBuckets{0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                                   0.05,   0.1,   0.25,   0.5,   1.0,  2.5};
  void Observe(const std::string& route, const std::string& method, int status, double seconds);
  // The text exposition; `extra` appends gauge/counter lines (pool, cache).
  std::string Render(const std::string& extra) const;

 private:
  struct Hist {
    std::array<uint64_t, kBuckets.size()> buckets{};
    uint64_t count = 0;
    double sum = 0;
  };
  mutable std::mutex mu_;
  // Transparent comparators: a lookup with string_views allocates nothing (the hot path).
  std::map<std::tuple<std::string, std::string, int>, uint64_t, std::less<>> requests_;
  std::map<std::string, Hist, std::less<>> durations_;
};

}  // namespace corrente::server
