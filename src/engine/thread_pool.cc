#include "engine/thread_pool.h"

#include <algorithm>
#include <atomic>
#include <chrono>
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
// How long an idle worker keeps looking for the next job before it sleeps. Kernels come one after
// another, each a short parallel job; waking a sleeping thread costs tens of microseconds, more
// than many of those jobs take. The wait is bounded so that an idle pool gives its cores back.
constexpr auto kSpinBeforeSleep = std::chrono::microseconds(100);

void CpuRelax() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#endif
}

// One ParallelFor call. Shared with the helper tasks it queued, which may start after the call
// has returned (they then find no chunk left and touch nothing but this object).
struct Job {
  const std::function<void(int64_t, int64_t)>* fn = nullptr;
  int64_t n = 0;
  int64_t chunk_count = 0;
  std::atomic<int64_t> next_chunk{0};
  std::atomic<int64_t> chunks_done{0};
  std::mutex mutex;
  std::condition_variable all_done;
  std::exception_ptr first_error;  // guarded by mutex

  // Runs chunks until none are left.
  void Work() {
    for (;;) {
      const int64_t chunk = next_chunk.fetch_add(1);
      if (chunk >= chunk_count) return;
      const int64_t begin = n * chunk / chunk_count;
      const int64_t end = n * (chunk + 1) / chunk_count;
      try {
        (*fn)(begin, end);
      } catch (...) {
        std::lock_guard lock(mutex);
        if (!first_error) first_error = std::current_exception();
      }
      if (chunks_done.fetch_add(1) + 1 == chunk_count) {
        std::lock_guard lock(mutex);  // a waiter checks the count under the lock: no lost wake-up
        all_done.notify_all();
      }
    }
  }

  bool Done() const { return chunks_done.load() == chunk_count; }

  // Returns when every chunk has run, spinning briefly first (the last chunks are usually
  // moments from done), then sleeping.
  void Wait() {
    const auto deadline = std::chrono::steady_clock::now() + kSpinBeforeSleep;
    while (!Done() && std::chrono::steady_clock::now() < deadline) {
      for (int i = 0; i < 64; ++i) CpuRelax();
    }
    std::unique_lock lock(mutex);
    all_done.wait(lock, [&] { return Done(); });
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
  std::atomic<int64_t> queued{0};          // queue.size(), readable without the lock

  // Spins until a job is queued or kSpinBeforeSleep has passed.
  void SpinForWork() const {
    const auto deadline = std::chrono::steady_clock::now() + kSpinBeforeSleep;
    while (queued.load(std::memory_order_relaxed) == 0) {
      for (int i = 0; i < 64; ++i) CpuRelax();
      if (std::chrono::steady_clock::now() >= deadline) return;
    }
  }

  void WorkerLoop() {
    for (;;) {
      SpinForWork();
      std::shared_ptr<Job> job;
      {
        std::unique_lock lock(mutex);
        work_available.wait(lock, [&] { return stopping || !queue.empty(); });
        if (queue.empty()) return;  // stopping and drained
        job = std::move(queue.front());
        queue.pop_front();
        queued.fetch_sub(1, std::memory_order_relaxed);
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
    impl_->queued.fetch_add(helpers, std::memory_order_relaxed);
  }
  if (helpers == 1) {
    impl_->work_available.notify_one();
  } else {
    impl_->work_available.notify_all();
  }
  job->Work();
  job->Wait();
  std::lock_guard lock(job->mutex);
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
