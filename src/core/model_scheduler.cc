#include "core/model_scheduler.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "core/batch_stacking.h"

namespace mlos::core {
namespace {

using Clock = std::chrono::steady_clock;

uint64_t MicrosecondsBetween(Clock::time_point from, Clock::time_point to) {
  return to > from ? std::chrono::duration_cast<std::chrono::microseconds>(to - from).count() : 0;
}

StatusOr<std::vector<OutputTensor>> ExecuteSafely(const LoadedModel& model,
                                                  const std::vector<NamedTensor>& inputs,
                                                  const std::vector<std::string>& output_names) {
  try {
    return Execute(model, inputs, output_names);
  } catch (const std::exception& e) {
    return Internal(fmt::format("execution failed: {}", e.what()));
  }
}

}  // namespace

ModelScheduler::ModelScheduler(std::string model_id, std::shared_ptr<const LoadedModel> model,
                               const ModelSettings& settings, ModelStats& stats)
    : model_id_(std::move(model_id)),
      model_(std::move(model)),
      settings_(settings),
      stats_(stats),
      batchable_(settings.batching() && SignatureAllowsBatching(model_->signature)) {
  if (settings.batching() && !batchable_) {
    spdlog::warn(
        "model {}: max_batch_size {} ignored: batching needs every input and output to have a "
        "dynamic first dimension",
        model_id_, settings.max_batch_size);
  }
  for (int i = 0; i < settings_.instances; ++i) threads_.emplace_back([this] { RunThread(); });
}

ModelScheduler::~ModelScheduler() { Stop(); }

void ModelScheduler::Submit(InferenceJob job) {
  std::unique_lock lock(mutex_);
  if (stopping_) {
    lock.unlock();
    return Fail(job, Unavailable(fmt::format("model '{}' is being unloaded; retry", model_id_)));
  }
  if (queue_.size() >= static_cast<size_t>(settings_.max_queue) + (settings_.instances - running_)) {
    lock.unlock();
    return Fail(job, ResourceExhausted(fmt::format(
                         "model '{}' is overloaded: {} requests are already queued (max_queue "
                         "{}); retry later",
                         model_id_, queue_.size(), settings_.max_queue)));
  }
  stats_.AddPending(1);
  if (queue_.empty() && running_ < settings_.instances && RunsInline()) {
    // A fast model with an idle instance: run here, sparing two thread handoffs.
    ++running_;
    lock.unlock();
    RunAlone(std::move(job));
    lock.lock();
    --running_;
    const bool more = !queue_.empty();
    lock.unlock();
    if (more) work_.notify_one();
    return;
  }
  queue_.push_back(std::move(job));
  lock.unlock();
  if (batchable_) {
    work_.notify_all();  // a thread holding a partial batch may want this job too
  } else {
    work_.notify_one();
  }
}

bool ModelScheduler::Overdue(const InferenceJob& job, Clock::time_point now) const {
  return settings_.timeout_ms > 0 &&
         now - job.received > std::chrono::milliseconds(settings_.timeout_ms);
}

void ModelScheduler::ExpireOverdue() {
  if (settings_.timeout_ms <= 0) return;
  std::vector<InferenceJob> expired;
  {
    std::lock_guard lock(mutex_);
    const auto now = Clock::now();
    for (auto it = queue_.begin(); it != queue_.end();) {
      if (Overdue(*it, now)) {
        expired.push_back(std::move(*it));
        it = queue_.erase(it);
      } else {
        ++it;
      }
    }
  }
  for (auto& job : expired) FailQueued(job, TimeoutStatus());
}

Status ModelScheduler::TimeoutStatus() const {
  return Unavailable(fmt::format("model '{}': the request waited more than timeout_ms {} in the "
                                 "queue",
                                 model_id_, settings_.timeout_ms));
}

void ModelScheduler::Stop() {
  std::deque<InferenceJob> queued;
  {
    std::lock_guard lock(mutex_);
    if (stopping_ && threads_.empty()) return;
    stopping_ = true;
    queued.swap(queue_);
  }
  work_.notify_all();
  for (auto& job : queued) {
    FailQueued(job, Unavailable(fmt::format("model '{}' was unloaded before the request ran; "
                                            "retry",
                                            model_id_)));
  }
  for (auto& thread : threads_) {
    if (thread.joinable()) thread.join();
  }
  threads_.clear();
}

void ModelScheduler::RunThread() {
  std::unique_lock lock(mutex_);
  for (;;) {
    work_.wait(lock, [&] {
      return stopping_ || (!queue_.empty() && running_ < settings_.instances);
    });
    if (stopping_) return;
    std::vector<InferenceJob> expired;
    std::vector<InferenceJob> batch = TakeBatch(lock, &expired);
    if (!batch.empty()) ++running_;
    lock.unlock();
    for (auto& job : expired) FailQueued(job, TimeoutStatus());
    const bool ran = !batch.empty();
    if (ran) RunBatch(std::move(batch));
    lock.lock();
    if (ran) --running_;
  }
}

std::vector<InferenceJob> ModelScheduler::TakeBatch(std::unique_lock<std::mutex>& lock,
                                                    std::vector<InferenceJob>* expired) {
  const auto now = Clock::now();
  while (!queue_.empty() && Overdue(queue_.front(), now)) {
    expired->push_back(std::move(queue_.front()));
    queue_.pop_front();
  }
  std::vector<InferenceJob> batch;
  if (queue_.empty()) return batch;
  batch.push_back(std::move(queue_.front()));
  queue_.pop_front();
  if (!batchable_) return batch;
  int64_t rows = JobRows(batch[0]);
  TakeCompanions(&batch, &rows);
  if (settings_.max_queue_delay_us <= 0 || running_ == 0) return batch;
  // Other executions are running: a partial batch may wait a little for more requests.
  const auto deadline = now + std::chrono::microseconds(settings_.max_queue_delay_us);
  while (rows < settings_.max_batch_size && !stopping_) {
    if (work_.wait_until(lock, deadline) == std::cv_status::timeout) break;
    TakeCompanions(&batch, &rows);
  }
  TakeCompanions(&batch, &rows);
  return batch;
}

void ModelScheduler::TakeCompanions(std::vector<InferenceJob>* batch, int64_t* rows) {
  for (auto it = queue_.begin(); it != queue_.end() && *rows < settings_.max_batch_size;) {
    const int64_t more = JobRows(*it);
    if (*rows + more <= settings_.max_batch_size && CanStack(batch->front(), *it)) {
      *rows += more;
      batch->push_back(std::move(*it));
      it = queue_.erase(it);
    } else {
      ++it;
    }
  }
}

void ModelScheduler::RunBatch(std::vector<InferenceJob> batch) {
  if (batch.size() == 1) return RunAlone(std::move(batch[0]));
  std::vector<const InferenceJob*> jobs;
  std::vector<int64_t> rows;
  for (const auto& job : batch) {
    jobs.push_back(&job);
    rows.push_back(JobRows(job));
  }
  const auto start = Clock::now();
  auto outputs = ExecuteSafely(*model_, StackInputs(jobs), batch[0].output_names);
  const auto end = Clock::now();
  StatusOr<std::vector<std::vector<OutputTensor>>> split =
      outputs.ok() ? SplitOutputs(std::move(*outputs), rows) : outputs.status();
  if (!split.ok()) {
    if (outputs.ok() && batchable_.exchange(false)) {
      spdlog::warn("model {}: batching turned off: {}", model_id_, split.status().message());
    }
    for (auto& job : batch) RunAlone(std::move(job));
    return;
  }
  stats_.RecordExecution(batch.size());
  for (size_t i = 0; i < batch.size(); ++i) {
    InferenceOutcome outcome;
    outcome.outputs = std::move((*split)[i]);
    outcome.queue_time_us = static_cast<int64_t>(MicrosecondsBetween(batch[i].received, start));
    outcome.compute_time_us = static_cast<int64_t>(MicrosecondsBetween(start, end));
    outcome.batch_size = static_cast<int>(batch.size());
    Finish(batch[i], std::move(outcome));
  }
}

bool ModelScheduler::RunsInline() const {
  return compute_estimate_us_.load(std::memory_order_relaxed) <= kInlineComputeLimitUs;
}

void ModelScheduler::RecordComputeTime(uint64_t micros) {
  // A moving average over about the last eight executions.
  const int64_t previous = compute_estimate_us_.load(std::memory_order_relaxed);
  const int64_t sample = static_cast<int64_t>(micros);
  compute_estimate_us_.store(previous == kUnmeasured ? sample : previous + (sample - previous) / 8,
                             std::memory_order_relaxed);
}

void ModelScheduler::RunAlone(InferenceJob job) {
  const auto start = Clock::now();
  auto outputs = ExecuteSafely(*model_, job.inputs, job.output_names);
  const auto end = Clock::now();
  RecordComputeTime(MicrosecondsBetween(start, end));
  stats_.RecordExecution(1);
  InferenceOutcome outcome;
  outcome.queue_time_us = static_cast<int64_t>(MicrosecondsBetween(job.received, start));
  outcome.compute_time_us = static_cast<int64_t>(MicrosecondsBetween(start, end));
  if (outputs.ok()) {
    outcome.outputs = std::move(*outputs);
  } else {
    outcome.status = outputs.status().WithContext(
        fmt::format("model '{}' (plugin {})", model_id_, model_->plugin->id));
  }
  Finish(job, std::move(outcome));
}

void ModelScheduler::Finish(InferenceJob& job, InferenceOutcome outcome) {
  const uint64_t request_us = MicrosecondsBetween(job.received, Clock::now());
  if (outcome.status.ok()) {
    stats_.RecordSuccess(request_us, outcome.queue_time_us, outcome.compute_time_us);
  } else {
    stats_.RecordFailure(request_us);
  }
  stats_.AddPending(-1);
  job.done(std::move(outcome));
}

void ModelScheduler::FailQueued(InferenceJob& job, Status status) {
  stats_.AddPending(-1);
  Fail(job, std::move(status));
}

void ModelScheduler::Fail(InferenceJob& job, Status status) {
  stats_.RecordFailure(MicrosecondsBetween(job.received, Clock::now()));
  InferenceOutcome outcome;
  outcome.status = std::move(status);
  job.done(std::move(outcome));
}

}  // namespace mlos::core
