#include <gtest/gtest.h>

#include "engine/kernels/common/kernel_test_util.h"

namespace mlos::engine::testing {
namespace {

Tensor Data() { return MakeTensor<float>({2, 3}, {1, 2, 3, 4, 5, 6}); }

TEST(CumSumTest, InclusiveAlongLastAxis) {
  auto node = NodeBuilder("CumSum").Inputs(2).Outputs(1).Build();
  auto result = RunNode(node, 14, {Data(), MakeTensor<int64_t>({}, {-1})});
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  ExpectTensorNear<float>((*result)[0], {2, 3}, {1, 3, 6, 4, 9, 15});
}

TEST(CumSumTest, ExclusiveReverseOnIntegers) {
  auto node =
      NodeBuilder("CumSum").Inputs(2).Outputs(1).Int("exclusive", 1).Int("reverse", 1).Build();
  auto result = RunNode(
      node, 14, {MakeTensor<int32_t>({2, 3}, {1, 2, 3, 4, 5, 6}), MakeTensor<int32_t>({1}, {0})});
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  ExpectTensorNear<int32_t>((*result)[0], {2, 3}, {4, 5, 6, 0, 0, 0});
}

TEST(CumSumTest, RejectsBadAxis) {
  auto node = NodeBuilder("CumSum").Inputs(2).Outputs(1).Build();
  auto out_of_range = RunNode(node, 14, {Data(), MakeTensor<int64_t>({}, {2})});
  ASSERT_FALSE(out_of_range.ok());
  EXPECT_NE(
      out_of_range.status().message().find("input 1 (axis): axis 2 is out of range [-2, 1]"),
      std::string::npos)
      << out_of_range.status().message();
  auto two_values = RunNode(node, 14, {Data(), MakeTensor<int64_t>({2}, {0, 1})});
  ASSERT_FALSE(two_values.ok());
  EXPECT_NE(two_values.status().message().find("input 1 (axis): expected one value"),
            std::string::npos);
}

}  // namespace
}  // namespace mlos::engine::testing
