// HttpLoad: a closed-loop HTTP/1.1 load generator. `concurrency` clients, each one thread with
// one keep-alive TCP connection, send the same request back to back (the next one as soon as the
// previous answer is read) and time each round trip from the first byte written to the last byte
// of the answer read.
//
// Every client first sends `warmup_per_client` untimed requests; then all clients start the
// measured phase together, which ends after `duration` or once `requests` have been sent in all
// (whichever is set; `requests` wins if both are). A failure (connection error, or an answer
// whose status is not 2xx) counts as an error, is not timed, and the client reconnects; the first
// failure's description is kept for the caller to show. Run() is blocking and thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "common/status.h"
#include "tools/bench-server/latency_summary.h"

namespace mlos::bench {

struct HttpRequestSpec {
  std::string host = "127.0.0.1";
  uint16_t port = 8080;
  std::string method = "POST";  // GET or POST
  std::string path = "/";
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
};

struct LoadPlan {
  unsigned concurrency = 1;
  std::chrono::duration<double> duration{5.0};
  uint64_t requests = 0;  // 0: run for `duration`
  unsigned warmup_per_client = 2;
  // When set, the number this top-level JSON field of each answer holds (e.g. the server's own
  // "inference_time_us") is collected, so that the round trip can be split into the server's
  // figure and the rest.
  std::string reported_field;
};

struct LoadResult {
  LatencySummary summary;
  std::string first_error;       // empty when nothing failed
  uint64_t response_bytes = 0;   // body size of the last successful answer
  std::string response;          // one successful answer's body, to check what came back
  std::vector<double> reported;  // LoadPlan::reported_field of each timed answer that had it
};

// Unavailable naming host and port when a client cannot connect before the measured phase; a
// failure during the measured phase is counted in the result instead.
StatusOr<LoadResult> RunHttpLoad(const HttpRequestSpec& request, const LoadPlan& plan);

}  // namespace mlos::bench
