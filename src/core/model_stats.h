// ModelStats: what happened to one model's requests since the server started, for /stats,
// /metrics (Prometheus) and the KServe statistics extension. Updated lock-free by the model's
// scheduler; read as a consistent-enough Snapshot. Durations are summed in microseconds.
#pragma once

#include <atomic>
#include <cstdint>

namespace mlos::core {

struct ModelStatsSnapshot {
  uint64_t success_count = 0;    // requests answered with outputs
  uint64_t failure_count = 0;    // requests that failed (bad input at run time, plugin error,
                                 // timeout, queue full)
  uint64_t inference_count = 0;  // requests executed (a batch of 4 counts 4)
  uint64_t execution_count = 0;  // executions (inference_count / execution_count = mean batch)
  uint64_t request_duration_us = 0;  // received -> outcome, successful requests
  uint64_t failure_duration_us = 0;  // received -> outcome, failed requests
  uint64_t queue_duration_us = 0;    // received -> execution start, executed requests
  uint64_t compute_duration_us = 0;  // execution time, summed over executed requests
  uint64_t load_count = 0;           // successful loads
  uint64_t load_failure_count = 0;
  uint64_t unload_count = 0;
  int64_t last_inference_ms = 0;     // Unix ms of the last answered request; 0 if none
  int64_t pending = 0;               // requests queued or executing now
};

class ModelStats {
 public:
  void RecordSuccess(uint64_t request_us, uint64_t queue_us, uint64_t compute_us);
  void RecordFailure(uint64_t request_us);
  void RecordExecution(uint64_t batch_size);
  void RecordLoad(bool ok);
  void RecordUnload();
  void AddPending(int64_t delta);
  ModelStatsSnapshot Snapshot() const;

 private:
  std::atomic<uint64_t> success_count_{0}, failure_count_{0}, inference_count_{0},
      execution_count_{0}, request_duration_us_{0}, failure_duration_us_{0},
      queue_duration_us_{0}, compute_duration_us_{0}, load_count_{0}, load_failure_count_{0},
      unload_count_{0};
  std::atomic<int64_t> last_inference_ms_{0}, pending_{0};
};

}  // namespace mlos::core
