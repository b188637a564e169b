#include "engine/thread_pool.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <set>
#include <stdexcept>
#include <thread>
#include <vector>

namespace mlos::engine {
namespace {

// Runs ParallelFor and checks that every index of [0, n) was visited exactly once.
void ExpectEachIndexOnce(ThreadPool* pool, int64_t n, double cost) {
  std::vector<std::atomic<int>> visits(static_cast<size_t>(n));
  ParallelFor(pool, n, cost, [&](int64_t begin, int64_t end) {
    ASSERT_LE(0, begin);
    ASSERT_LE(begin, end);
    ASSERT_LE(end, n);
    for (int64_t i = begin; i < end; ++i) visits[static_cast<size_t>(i)].fetch_add(1);
  });
  for (int64_t i = 0; i < n; ++i)
    ASSERT_EQ(visits[static_cast<size_t>(i)].load(), 1) << "index " << i;
}

TEST(ThreadPoolTest, CoversEveryIndexExactlyOnce) {
  ThreadPool pool(4);
  EXPECT_EQ(pool.thread_count(), 4);
  for (int64_t n : {0, 1, 2, 3, 7, 64, 1000, 100003}) {
    for (double cost : {1.0, 100.0, 1e6}) ExpectEachIndexOnce(&pool, n, cost);
  }
}

TEST(ThreadPoolTest, NullPoolAndSingleThreadRunInline) {
  ExpectEachIndexOnce(nullptr, 1000, 1e6);
  ThreadPool pool(1);
  const std::thread::id caller = std::this_thread::get_id();
  pool.ParallelFor(1000, 1e6,
                   [&](int64_t, int64_t) { EXPECT_EQ(std::this_thread::get_id(), caller); });
}

TEST(ThreadPoolTest, CheapJobsRunInlineInOneCall) {
  ThreadPool pool(4);
  int calls = 0;
  pool.ParallelFor(100, 1.0, [&](int64_t begin, int64_t end) {
    ++calls;
    EXPECT_EQ(begin, 0);
    EXPECT_EQ(end, 100);
  });
  EXPECT_EQ(calls, 1);
}

TEST(ThreadPoolTest, ExpensiveJobsUseSeveralThreads) {
  ThreadPool pool(3);
  std::mutex mutex;
  std::set<std::thread::id> threads;
  pool.ParallelFor(64, 1e7, [&](int64_t, int64_t) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
    std::lock_guard lock(mutex);
    threads.insert(std::this_thread::get_id());
  });
  EXPECT_GT(threads.size(), 1u);
}

TEST(ThreadPoolTest, ConcurrentCallersEachGetTheirOwnChunks) {
  ThreadPool pool(3);
  std::vector<std::thread> callers;
  for (int c = 0; c < 4; ++c) {
    callers.emplace_back([&] {
      for (int round = 0; round < 20; ++round) ExpectEachIndexOnce(&pool, 5000, 1000.0);
    });
  }
  for (std::thread& caller : callers) caller.join();
}

TEST(ThreadPoolTest, NestedCallsFinish) {
  ThreadPool pool(2);
  std::atomic<int64_t> total{0};
  pool.ParallelFor(8, 1e6, [&](int64_t begin, int64_t end) {
    for (int64_t i = begin; i < end; ++i) {
      pool.ParallelFor(1000, 1e3, [&](int64_t b, int64_t e) { total += e - b; });
    }
  });
  EXPECT_EQ(total.load(), 8000);
}

TEST(ThreadPoolTest, ExceptionReachesTheCaller) {
  ThreadPool pool(3);
  EXPECT_THROW(pool.ParallelFor(100, 1e6,
                                [](int64_t begin, int64_t) {
                                  if (begin > 0) throw std::runtime_error("chunk failed");
                                }),
               std::runtime_error);
  ExpectEachIndexOnce(&pool, 1000, 1e6);  // still usable
}

}  // namespace
}  // namespace mlos::engine
