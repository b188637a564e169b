#include "tools/bench-server/latency_summary.h"

#include <gtest/gtest.h>

namespace mlos::bench {
namespace {

TEST(LatencySummaryTest, NearestRankPercentilesOfOneToHundred) {
  std::vector<int64_t> latencies;
  for (int64_t i = 100; i >= 1; --i) latencies.push_back(i * 1000);  // 1..100 µs, unsorted
  const LatencySummary summary = Summarize(latencies, 3, 2.0);
  EXPECT_EQ(summary.count, 100u);
  EXPECT_EQ(summary.errors, 3u);
  EXPECT_DOUBLE_EQ(summary.rps, 50.0);
  EXPECT_DOUBLE_EQ(summary.p50_us, 50.0);
  EXPECT_DOUBLE_EQ(summary.p90_us, 90.0);
  EXPECT_DOUBLE_EQ(summary.p99_us, 99.0);
  EXPECT_DOUBLE_EQ(summary.max_us, 100.0);
  EXPECT_DOUBLE_EQ(summary.mean_us, 50.5);
}

TEST(LatencySummaryTest, FewSamplesGiveTheMaximumAsP99) {
  const LatencySummary summary = Summarize({3000, 1000, 2000}, 0, 1.0);
  EXPECT_DOUBLE_EQ(summary.p50_us, 2.0);
  EXPECT_DOUBLE_EQ(summary.p99_us, 3.0);
}

TEST(LatencySummaryTest, NoSamplesGiveZeros) {
  const LatencySummary summary = Summarize({}, 5, 0.0);
  EXPECT_EQ(summary.count, 0u);
  EXPECT_DOUBLE_EQ(summary.rps, 0.0);
  EXPECT_DOUBLE_EQ(summary.p99_us, 0.0);
}

TEST(LatencySummaryTest, JsonLineCarriesTheExtraFields) {
  const std::string line = ToJsonLine(Summarize({1000}, 0, 1.0), R"("concurrency":8)");
  EXPECT_NE(line.find(R"("count":1,)"), std::string::npos) << line;
  EXPECT_NE(line.find(R"("p50_us":1.000)"), std::string::npos) << line;
  EXPECT_EQ(line.substr(line.size() - 17), R"(,"concurrency":8})") << line;
}

}  // namespace
}  // namespace mlos::bench
