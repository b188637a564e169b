#include <gtest/gtest.h>

#include "engine/kernels/common/kernel_test_util.h"

namespace mlos::engine::testing {
namespace {

TEST(ConvIntegerTest, SubtractsZeroPointsAndPads) {
  auto node = NodeBuilder("ConvInteger").Inputs(4).Outputs(1).Ints("pads", {1, 1}).Build();
  auto result = RunNode(
      node, 10,
      {MakeTensor<uint8_t>({1, 1, 4}, {12, 13, 14, 15}), MakeTensor<uint8_t>({1, 1, 3}, {1, 2, 3}),
       MakeTensor<uint8_t>({}, {10}), MakeTensor<uint8_t>({}, {2})});
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  // x - 10 = [2, 3, 4, 5], w - 2 = [-1, 0, 1]; padded correlation.
  ExpectTensorNear<int32_t>((*result)[0], {1, 1, 4}, {3, 2, 2, -4});
}

TEST(ConvIntegerTest, RejectsPerChannelZeroPoint) {
  auto node = NodeBuilder("ConvInteger").Inputs(4).Outputs(1).Build();
  auto result =
      RunNode(node, 10,
              {MakeTensor<uint8_t>({1, 1, 2}, {1, 2}), MakeTensor<uint8_t>({2, 1, 1}, {1, 2}),
               MakeTensor<uint8_t>({}, {0}), MakeTensor<uint8_t>({2}, {0, 1})});
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), StatusCode::kUnimplemented);
  EXPECT_NE(result.status().message().find("input 3 (w_zero_point)"), std::string::npos)
      << result.status().message();
}

TEST(QLinearConvTest, PerChannelWeightScaleAndBias) {
  auto node = NodeBuilder("QLinearConv").Inputs(9).Outputs(1).Ints("pads", {1, 1}).Build();
  auto result =
      RunNode(node, 10,
              {MakeTensor<uint8_t>({1, 1, 4}, {12, 13, 14, 15}), MakeTensor<float>({}, {0.1f}),
               MakeTensor<uint8_t>({}, {10}), MakeTensor<uint8_t>({2, 1, 3}, {1, 2, 3, 3, 2, 1}),
               MakeTensor<float>({2}, {0.5f, 0.25f}), MakeTensor<uint8_t>({}, {2}),
               MakeTensor<float>({}, {0.05f}), MakeTensor<uint8_t>({}, {128}),
               MakeTensor<int32_t>({2}, {5, -3})});
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  // Accumulators [3, 2, 2, -4] and [-3, -2, -2, 4]; -2.5 rounds to -2 (half to even).
  ExpectTensorNear<uint8_t>((*result)[0], {1, 2, 4}, {136, 135, 135, 129, 125, 126, 126, 128});
}

TEST(QLinearConvTest, RejectsBiasOfWrongType) {
  auto node = NodeBuilder("QLinearConv").Inputs(9).Outputs(1).Build();
  auto result =
      RunNode(node, 10,
              {MakeTensor<uint8_t>({1, 1, 2}, {1, 2}), MakeTensor<float>({}, {1}),
               MakeTensor<uint8_t>({}, {0}), MakeTensor<uint8_t>({1, 1, 1}, {1}),
               MakeTensor<float>({}, {1}), MakeTensor<uint8_t>({}, {0}), MakeTensor<float>({}, {1}),
               MakeTensor<uint8_t>({}, {0}), MakeTensor<float>({1}, {1})});
  ASSERT_FALSE(result.ok());
  EXPECT_NE(result.status().message().find("input 8 (B): expected int32 of shape [1]"),
            std::string::npos)
      << result.status().message();
}

}  // namespace
}  // namespace mlos::engine::testing
