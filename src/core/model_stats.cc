#include "core/model_stats.h"

#include <chrono>

namespace mlos::core {
namespace {

constexpr auto kRelaxed = std::memory_order_relaxed;

int64_t UnixMillisNow() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

void ModelStats::RecordSuccess(uint64_t request_us, uint64_t queue_us, uint64_t compute_us) {
  success_count_.fetch_add(1, kRelaxed);
  inference_count_.fetch_add(1, kRelaxed);
  request_duration_us_.fetch_add(request_us, kRelaxed);
  queue_duration_us_.fetch_add(queue_us, kRelaxed);
  compute_duration_us_.fetch_add(compute_us, kRelaxed);
  last_inference_ms_.store(UnixMillisNow(), kRelaxed);
}

void ModelStats::RecordFailure(uint64_t request_us) {
  failure_count_.fetch_add(1, kRelaxed);
  failure_duration_us_.fetch_add(request_us, kRelaxed);
}

void ModelStats::RecordExecution(uint64_t batch_size) { execution_count_.fetch_add(1, kRelaxed); }

void ModelStats::RecordLoad(bool ok) { (ok ? load_count_ : load_failure_count_).fetch_add(1, kRelaxed); }

void ModelStats::RecordUnload() { unload_count_.fetch_add(1, kRelaxed); }

void ModelStats::AddPending(int64_t delta) { pending_.fetch_add(delta, kRelaxed); }

ModelStatsSnapshot ModelStats::Snapshot() const {
  ModelStatsSnapshot s;
  s.success_count = success_count_.load(kRelaxed);
  s.failure_count = failure_count_.load(kRelaxed);
  s.inference_count = inference_count_.load(kRelaxed);
  s.execution_count = execution_count_.load(kRelaxed);
  s.request_duration_us = request_duration_us_.load(kRelaxed);
  s.failure_duration_us = failure_duration_us_.load(kRelaxed);
  s.queue_duration_us = queue_duration_us_.load(kRelaxed);
  s.compute_duration_us = compute_duration_us_.load(kRelaxed);
  s.load_count = load_count_.load(kRelaxed);
  s.load_failure_count = load_failure_count_.load(kRelaxed);
  s.unload_count = unload_count_.load(kRelaxed);
  s.last_inference_ms = last_inference_ms_.load(kRelaxed);
  s.pending = pending_.load(kRelaxed);
  return s;
}

}  // namespace mlos::core
