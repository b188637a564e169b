// ModelScheduler: runs the requests of one loaded model — its queue, its concurrent executions
// and its dynamic batcher.
//
// `instances` threads take jobs from one FIFO queue. Submit() fails the job at once with
// ResourceExhausted when `max_queue` jobs are already waiting, and with Unavailable once the
// scheduler is stopping. A job still queued `timeout_ms` after it was received fails with
// Unavailable (checked when a thread takes work and by ExpireOverdue(), which the owner calls
// periodically); an execution that has started is never interrupted.
//
// Batching (max_batch_size > 1, and a signature whose inputs and outputs all have a dynamic
// dimension 0): a thread taking work also takes the queued jobs that stack with the first one
// (batch_stacking.h), up to max_batch_size rows, runs them as one execution and splits the
// outputs back. A job arriving at an idle model runs at once: nothing waits for company unless
// other executions of the model are running, in which case a partial batch waits up to
// max_queue_delay_us for more. A batch whose execution fails, or whose outputs do not split, is
// rerun job by job, so every job gets its own outcome (and a model whose outputs do not split
// is not batched again).
//
// Fast models run on the caller's thread: when the queue is empty, an instance is idle and the
// model's recent executions took at most kInlineComputeLimitUs, Submit() executes the job itself
// (the caller is an HTTP I/O or worker thread), sparing the two thread handoffs that dominate a
// microsecond model's latency; slower models always run on the scheduler's threads.
//
// Every job's `done` is called exactly once, never under the scheduler's lock. Stop() fails the
// queued jobs with Unavailable, lets running executions finish and joins the threads; it must not
// be called from a job's `done`. Thread-safe.
#pragma once

#include <atomic>
#include <cstdint>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "core/inference_job.h"
#include "core/loaded_model.h"
#include "core/model_settings.h"
#include "core/model_stats.h"

namespace mlos::core {

class ModelScheduler {
 public:
  // `stats` must outlive the scheduler.
  ModelScheduler(std::string model_id, std::shared_ptr<const LoadedModel> model,
                 const ModelSettings& settings, ModelStats& stats);
  ~ModelScheduler();  // Stop()
  ModelScheduler(const ModelScheduler&) = delete;
  ModelScheduler& operator=(const ModelScheduler&) = delete;

  static constexpr int64_t kInlineComputeLimitUs = 200;

  void Submit(InferenceJob job);
  void ExpireOverdue();
  void Stop();

 private:
  void RunThread();
  // Takes the next batch from the queue (the lock held); overdue jobs go to *expired.
  std::vector<InferenceJob> TakeBatch(std::unique_lock<std::mutex>& lock,
                                      std::vector<InferenceJob>* expired);
  void TakeCompanions(std::vector<InferenceJob>* batch, int64_t* rows);
  bool Overdue(const InferenceJob& job, std::chrono::steady_clock::time_point now) const;
  void RunBatch(std::vector<InferenceJob> batch);
  void RunAlone(InferenceJob job);
  void Finish(InferenceJob& job, InferenceOutcome outcome);
  void Fail(InferenceJob& job, Status status);        // a job never queued
  void FailQueued(InferenceJob& job, Status status);  // a job taken off the queue
  Status TimeoutStatus() const;
  bool RunsInline() const;
  void RecordComputeTime(uint64_t micros);

  static constexpr int64_t kUnmeasured = INT64_MAX;

  const std::string model_id_;
  const std::shared_ptr<const LoadedModel> model_;
  const ModelSettings settings_;
  ModelStats& stats_;
  std::atomic<bool> batchable_;
  std::atomic<int64_t> compute_estimate_us_{kUnmeasured};  // recent execution time

  std::mutex mutex_;
  std::condition_variable work_;
  std::deque<InferenceJob> queue_;
  int running_ = 0;  // executions under way
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace mlos::core
