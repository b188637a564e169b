#include "tools/bench-server/latency_summary.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <numeric>

namespace mlos::bench {

int64_t NearestRank(const std::vector<int64_t>& sorted_values, double quantile) {
  if (sorted_values.empty()) return 0;
  const auto rank =
      static_cast<size_t>(std::ceil(quantile * static_cast<double>(sorted_values.size())));
  return sorted_values[std::clamp<size_t>(rank, 1, sorted_values.size()) - 1];
}

LatencySummary Summarize(std::vector<int64_t> latencies_ns, uint64_t errors, double seconds) {
  std::sort(latencies_ns.begin(), latencies_ns.end());
  const auto microseconds = [](int64_t nanoseconds) {
    return static_cast<double>(nanoseconds) / 1e3;
  };
  LatencySummary summary;
  summary.count = latencies_ns.size();
  summary.errors = errors;
  summary.seconds = seconds;
  summary.rps = seconds > 0 ? static_cast<double>(summary.count) / seconds : 0;
  if (!latencies_ns.empty()) {
    const double total = std::accumulate(latencies_ns.begin(), latencies_ns.end(), 0.0);
    summary.mean_us = total / static_cast<double>(latencies_ns.size()) / 1e3;
    summary.p50_us = microseconds(NearestRank(latencies_ns, 0.50));
    summary.p90_us = microseconds(NearestRank(latencies_ns, 0.90));
    summary.p99_us = microseconds(NearestRank(latencies_ns, 0.99));
    summary.max_us = microseconds(latencies_ns.back());
  }
  return summary;
}

std::string ToJsonLine(const LatencySummary& summary, const std::string& extra_json_fields) {
  return fmt::format(
      "{{\"count\":{},\"errors\":{},\"seconds\":{:.6f},\"rps\":{:.3f},\"mean_us\":{:.3f},"
      "\"p50_us\":{:.3f},\"p90_us\":{:.3f},\"p99_us\":{:.3f},\"max_us\":{:.3f}{}{}}}",
      summary.count, summary.errors, summary.seconds, summary.rps, summary.mean_us, summary.p50_us,
      summary.p90_us, summary.p99_us, summary.max_us, extra_json_fields.empty() ? "" : ",",
      extra_json_fields);
}

}  // namespace mlos::bench
