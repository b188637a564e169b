// LatencySummary: what the bench-server tools print about a run — how many requests, how many
// failed, the rate, and latency percentiles in microseconds — as one JSON line, so that
// tools/bench-server/bench.py (or any script) reads every tool's result the same way.
//
// Percentiles are nearest-rank over the successful requests' latencies (p50 of 1..100 is 50;
// p99 of fewer than 100 samples is the maximum). Pure functions, thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace mlos::bench {

struct LatencySummary {
  uint64_t count = 0;   // successful requests measured
  uint64_t errors = 0;  // failed requests (not in the latencies)
  double seconds = 0;   // wall time of the measured phase
  double rps = 0;       // count / seconds
  double mean_us = 0;
  double p50_us = 0;
  double p90_us = 0;
  double p99_us = 0;
  double max_us = 0;
};

// REQUIRES: seconds >= 0. `latencies_ns` are taken by value and sorted.
LatencySummary Summarize(std::vector<int64_t> latencies_ns, uint64_t errors, double seconds);

// The nearest-rank `quantile` (0 < quantile <= 1) of sorted `values`; 0 when empty.
int64_t NearestRank(const std::vector<int64_t>& sorted_values, double quantile);

// {"count":..,"errors":..,"seconds":..,"rps":..,"mean_us":..,"p50_us":..,...} plus the fields of
// `extra_json_fields` (`"key":value,...`, may be empty), on one line without a newline.
std::string ToJsonLine(const LatencySummary& summary, const std::string& extra_json_fields);

}  // namespace mlos::bench
