// ThreadPool: a fixed set of worker threads for intra-op parallelism.
//
// ParallelFor(n, cost, fn) splits [0, n) into contiguous chunks and calls fn(begin, end) on
// them, the calling thread included, returning when all are done. `cost_per_item` is a rough
// count of operations per item: small jobs run inline on the caller, so kernels may call
// ParallelFor unconditionally. A null ThreadPool* anywhere in the engine means "run inline":
// use the free function ParallelFor(pool, ...) which handles that. Safe to call from several
// threads at once (each call waits only for its own chunks).
//
// Kernels run one after another, each a short job, so a worker that runs out of work (and a
// caller waiting for its last chunks) spins for up to 100 microseconds before it sleeps: waking a
// sleeping thread costs about as much as many of those jobs. An idle pool sleeps.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>

namespace mlos::engine {

class ThreadPool {
 public:
  // `threads` counts the caller: ThreadPool(1) runs everything inline.
  explicit ThreadPool(int threads);
  ~ThreadPool();
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  int thread_count() const;
  void ParallelFor(int64_t n, double cost_per_item, const std::function<void(int64_t, int64_t)>& fn);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Runs fn over [0, n) on `pool`, or inline when pool is null.
void ParallelFor(ThreadPool* pool, int64_t n, double cost_per_item,
                 const std::function<void(int64_t, int64_t)>& fn);

}  // namespace mlos::engine
