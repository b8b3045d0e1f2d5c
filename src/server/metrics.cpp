#include "server/metrics.h"

#include <cstdio>
#include <string_view>

namespace corrente::server {
namespace {

// The method is client text: any but the standard ones counts as OTHER, so clients cannot add
// series (and memory) without bound.
std::string_view MethodLabel(std::string_view m) {
  static constexpr std::string_view kKnown[] = {"GET",   "HEAD",   "POST",   "PUT",
                                                "PATCH", "DELETE", "OPTIONS"};
  for (auto k : kKnown)
    if (m == k) return k;
  return "OTHER";
}

}  // namespace

void Metrics::Observe(const std::string& route, const std::string& method, int status,
                      double seconds) {
  std::lock_guard l(mu_);
  auto key =
      std::tuple<std::string_view, std::string_view, int>(route, MethodLabel(method), status);
  auto r = requests_.find(key);
  if (r == requests_.end())
    r = requests_.emplace(std::tuple(route, std::string(std::get<1>(key)), status), 0).first;
  r->second++;
  auto d = durations_.find(std::string_view(route));
  if (d == durations_.end()) d = durations_.emplace(route, Hist{}).first;
  auto& h = d->second;
  for (size_t i = 0; i < kBuckets.size(); ++i)
    if (seconds <= kBuckets[i]) h.buckets[i]++;
  h.count++;
  h.sum += seconds;
}

std::string Metrics::Render(const std::string& extra) const {
  std::string out;
  out += "# HELP http_requests_total HTTP requests by route, method and status.\n";
  out += "# TYPE http_requests_total counter\n";
  std::lock_guard l(mu_);
  for (const auto& [k, n] : requests_) {
    const auto& [route, method, status] = k;
    out += "http_requests_total{route=\"" + route + "\",method=\"" + method + "\",status=\"" +
           std::to_string(status) + "\"} " + std::to_string(n) + "\n";
  }
  out += "# HELP http_request_duration_seconds Time to handle a request, by route.\n";
  out += "# TYPE http_request_duration_seconds histogram\n";
  char buf[64];
  for (const auto& [route, h] : durations_) {
    for (size_t i = 0; i < kBuckets.size(); ++i) {
      std::snprintf(buf, sizeof buf, "%g", kBuckets[i]);
      out += "http_request_duration_seconds_bucket{route=\"" + route + "\",le=\"" + buf + "\"} " +
             std::to_string(h.buckets[i]) + "\n";
    }
    out += "http_request_duration_seconds_bucket{route=\"" + route + "\",le=\"+Inf\"} " +
           std::to_string(h.count) + "\n";
    std::snprintf(buf, sizeof buf, "%.6f", h.sum);
    out += "http_request_duration_seconds_sum{route=\"" + route + "\"} " + buf + "\n";
    out += "http_request_duration_seconds_count{route=\"" + route + "\"} " +
           std::to_string(h.count) + "\n";
  }
  out += extra;
  return out;
}

}  // namespace corrente::server
