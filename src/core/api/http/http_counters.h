// HttpCounters: what the HTTP front end has answered since start-up, for /stats and /metrics.
// The server records every reply; readers take a Snapshot. Lock-free, thread-safe.
#pragma once

#include <atomic>
#include <cstdint>

namespace mlos::core {

struct HttpTotals {
  uint64_t requests = 0;
  uint64_t status_2xx = 0;
  uint64_t status_4xx = 0;
  uint64_t status_5xx = 0;
  uint64_t latency_us = 0;  // summed over every reply
};

class HttpCounters {
 public:
  void Record(unsigned status, uint64_t latency_us) {
    requests_.fetch_add(1, std::memory_order_relaxed);
    latency_us_.fetch_add(latency_us, std::memory_order_relaxed);
    auto& bucket = status >= 500 ? status_5xx_ : status >= 400 ? status_4xx_ : status_2xx_;
    bucket.fetch_add(1, std::memory_order_relaxed);
  }

  HttpTotals Snapshot() const {
    return {requests_.load(std::memory_order_relaxed), status_2xx_.load(std::memory_order_relaxed),
            status_4xx_.load(std::memory_order_relaxed), status_5xx_.load(std::memory_order_relaxed),
            latency_us_.load(std::memory_order_relaxed)};
  }

 private:
  std::atomic<uint64_t> requests_{0}, status_2xx_{0}, status_4xx_{0}, status_5xx_{0},
      latency_us_{0};
};

}  // namespace mlos::core
