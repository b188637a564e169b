#include "engine/thread_pool.h"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <deque>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

namespace mlos::engine {
namespace {

// Below this many operations in total a job runs inline: waking workers costs more than it saves.
constexpr double kMinParallelCost = 40000.0;
// Each chunk should carry at least this much work, so that chunk hand-out stays cheap.
constexpr double kMinChunkCost = 10000.0;
// Chunks per thread: more than one lets faster threads take over from slower ones.
constexpr int64_t kChunksPerThread = 4;

// One ParallelFor call. Shared with the helper tasks it queued, which may start after the call
// has returned (they then find no chunk left and touch nothing but this object).
struct Job {
  const std::function<void(int64_t, int64_t)>* fn = nullptr;
  int64_t n = 0;
  int64_t chunk_count = 0;
  std::atomic<int64_t> next_chunk{0};
  std::mutex mutex;
  std::condition_variable all_done;
  int64_t chunks_done = 0;         // guarded by mutex
  std::exception_ptr first_error;  // guarded by mutex

  // Runs chunks until none are left.
  void Work() {
    for (;;) {
      const int64_t chunk = next_chunk.fetch_add(1);
      if (chunk >= chunk_count) return;
      const int64_t begin = n * chunk / chunk_count;
      const int64_t end = n * (chunk + 1) / chunk_count;
      std::exception_ptr error;
      try {
        (*fn)(begin, end);
      } catch (...) {
        error = std::current_exception();
      }
      std::lock_guard lock(mutex);
      if (error && !first_error) first_error = error;
      if (++chunks_done == chunk_count) all_done.notify_all();
    }
  }
};

}  // namespace

struct ThreadPool::Impl {
  int thread_count = 1;
  std::vector<std::thread> workers;
  std::mutex mutex;
  std::condition_variable work_available;
  std::deque<std::shared_ptr<Job>> queue;  // guarded by mutex
  bool stopping = false;                   // guarded by mutex

  void WorkerLoop() {
    for (;;) {
      std::shared_ptr<Job> job;
      {
        std::unique_lock lock(mutex);
        work_available.wait(lock, [&] { return stopping || !queue.empty(); });
        if (queue.empty()) return;  // stopping and drained
        job = std::move(queue.front());
        queue.pop_front();
      }
      job->Work();
    }
  }
};

ThreadPool::ThreadPool(int threads) : impl_(std::make_unique<Impl>()) {
  impl_->thread_count = std::max(1, threads);
  for (int i = 1; i < impl_->thread_count; ++i) {
    impl_->workers.emplace_back([impl = impl_.get()] { impl->WorkerLoop(); });
  }
}

ThreadPool::~ThreadPool() {
  {
    std::lock_guard lock(impl_->mutex);
    impl_->stopping = true;
  }
  impl_->work_available.notify_all();
  for (std::thread& worker : impl_->workers) worker.join();
}

int ThreadPool::thread_count() const { return impl_->thread_count; }

void ThreadPool::ParallelFor(int64_t n, double cost_per_item,
                             const std::function<void(int64_t, int64_t)>& fn) {
  if (n <= 0) return;
  const double total_cost = static_cast<double>(n) * std::max(cost_per_item, 1.0);
  const int64_t by_cost = static_cast<int64_t>(total_cost / kMinChunkCost);
  const int64_t chunk_count =
      std::min({n, by_cost, static_cast<int64_t>(impl_->thread_count) * kChunksPerThread});
  if (impl_->thread_count == 1 || total_cost < kMinParallelCost || chunk_count < 2) {
    fn(0, n);
    return;
  }
  auto job = std::make_shared<Job>();
  job->fn = &fn;
  job->n = n;
  job->chunk_count = chunk_count;
  const int64_t helpers = std::min<int64_t>(impl_->thread_count - 1, chunk_count - 1);
  {
    std::lock_guard lock(impl_->mutex);
    for (int64_t i = 0; i < helpers; ++i) impl_->queue.push_back(job);
  }
  if (helpers == 1) {
    impl_->work_available.notify_one();
  } else {
    impl_->work_available.notify_all();
  }
  job->Work();
  std::unique_lock lock(job->mutex);
  job->all_done.wait(lock, [&] { return job->chunks_done == job->chunk_count; });
  if (job->first_error) std::rethrow_exception(job->first_error);
}

void ParallelFor(ThreadPool* pool, int64_t n, double cost_per_item,
                 const std::function<void(int64_t, int64_t)>& fn) {
  if (pool == nullptr) {
    if (n > 0) fn(0, n);
    return;
  }
  pool->ParallelFor(n, cost_per_item, fn);
}

}  // namespace mlos::engine
