#include <gtest/gtest.h>

#include "engine/kernels/common/kernel_test_util.h"

namespace mlos::engine::testing {
namespace {

Tensor Data() { return MakeTensor<float>({2, 5}, {3, 1, 4, 1, 5, 9, 2, 6, 5, 3}); }

TEST(TopKTest, LargestAlongLastAxis) {
  auto node = NodeBuilder("TopK").Inputs(2).Outputs(2).Build();
  auto result = RunNode(node, 11, {Data(), MakeTensor<int64_t>({1}, {3})});
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  ExpectTensorNear<float>((*result)[0], {2, 3}, {5, 4, 3, 9, 6, 5});
  ExpectTensorNear<int64_t>((*result)[1], {2, 3}, {4, 2, 0, 0, 2, 3});
}

TEST(TopKTest, SmallestAlongFirstAxisKeepsLowerIndexOnTies) {
  auto node = NodeBuilder("TopK").Inputs(2).Outputs(2).Int("axis", 0).Int("largest", 0).Build();
  auto result =
      RunNode(node, 11, {MakeTensor<int64_t>({2, 2}, {7, 3, 7, 1}), MakeTensor<int64_t>({1}, {2})});
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  ExpectTensorNear<int64_t>((*result)[0], {2, 2}, {7, 1, 7, 3});
  ExpectTensorNear<int64_t>((*result)[1], {2, 2}, {0, 1, 1, 0});
}

TEST(TopKTest, KAsAttributeBeforeOpset10) {
  auto node = NodeBuilder("TopK").Inputs(1).Outputs(2).Int("k", 1).Build();
  auto result = RunNode(node, 1, {Data()});
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  ExpectTensorNear<float>((*result)[0], {2, 1}, {5, 9});
  ExpectTensorNear<int64_t>((*result)[1], {2, 1}, {4, 0});
}

TEST(TopKTest, RejectsKLargerThanAxis) {
  auto node = NodeBuilder("TopK").Inputs(2).Outputs(2).Build();
  auto result = RunNode(node, 11, {Data(), MakeTensor<int64_t>({1}, {6})});
  ASSERT_FALSE(result.ok());
  EXPECT_NE(result.status().message().find("input 1 (K): k = 6 is outside [0, 5]"),
            std::string::npos)
      << result.status().message();
}

}  // namespace
}  // namespace mlos::engine::testing
