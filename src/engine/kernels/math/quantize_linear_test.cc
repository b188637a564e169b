#include <gtest/gtest.h>

#include "engine/kernels/common/kernel_test_util.h"

namespace mlos::engine::testing {
namespace {

Tensor Values() { return MakeTensor<float>({8}, {-1, 0, 0.25, 0.75, 1.25, 300, -300, 2.5}); }

TEST(QuantizeLinearTest, RoundsHalfToEvenAndSaturates) {
  auto node = NodeBuilder("QuantizeLinear").Inputs(3).Outputs(1).Build();
  auto unsigned_result =
      RunNode(node, 13, {Values(), MakeTensor<float>({}, {0.5}), MakeTensor<uint8_t>({}, {10})});
  ASSERT_TRUE(unsigned_result.ok()) << unsigned_result.status().ToString();
  ExpectTensorNear<uint8_t>((*unsigned_result)[0], {8}, {8, 10, 10, 12, 12, 255, 0, 15});
  auto signed_result =
      RunNode(node, 13, {Values(), MakeTensor<float>({}, {0.5}), MakeTensor<int8_t>({}, {-2})});
  ASSERT_TRUE(signed_result.ok()) << signed_result.status().ToString();
  ExpectTensorNear<int8_t>((*signed_result)[0], {8}, {-4, -2, -2, 0, 0, 127, -128, 3});
}

TEST(QuantizeLinearTest, MissingZeroPointGivesUint8) {
  auto node = NodeBuilder("QuantizeLinear").Inputs(2).Outputs(1).Build();
  auto result = RunNode(node, 10, {MakeTensor<float>({2}, {1, -1}), MakeTensor<float>({}, {0.25})});
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  ExpectTensorNear<uint8_t>((*result)[0], {2}, {4, 0});
}

TEST(DequantizeLinearTest, PerAxis) {
  auto node = NodeBuilder("DequantizeLinear").Inputs(3).Outputs(1).Int("axis", 1).Build();
  auto result =
      RunNode(node, 13,
              {MakeTensor<int8_t>({2, 3}, {-128, 0, 127, 10, 20, 30}),
               MakeTensor<float>({3}, {0.5, 1, 2}), MakeTensor<int8_t>({3}, {0, 10, -10})});
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  ExpectTensorNear<float>((*result)[0], {2, 3}, {-64, -10, 274, 5, 10, 80});
}

TEST(DequantizeLinearTest, RejectsScaleOfWrongLength) {
  auto node = NodeBuilder("DequantizeLinear").Inputs(2).Outputs(1).Build();
  auto result = RunNode(
      node, 13, {MakeTensor<uint8_t>({2, 3}, {1, 2, 3, 4, 5, 6}), MakeTensor<float>({2}, {1, 2})});
  ASSERT_FALSE(result.ok());
  EXPECT_NE(result.status().message().find(
                "input 1 (scale): 2 values do not match the 3 channels on axis 1"),
            std::string::npos)
      << result.status().message();
}

TEST(DynamicQuantizeLinearTest, DerivesScaleAndZeroPointFromTheRange) {
  auto node = NodeBuilder("DynamicQuantizeLinear").Inputs(1).Outputs(3).Build();
  auto result = RunNode(node, 11, {MakeTensor<float>({2, 3}, {0, 2, -3, -2.5, 1.34, 0.5})});
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  ExpectTensorNear<uint8_t>((*result)[0], {2, 3}, {153, 255, 0, 26, 221, 179});
  ExpectTensorNear<float>((*result)[1], {}, {0.019607844f});
  ExpectTensorNear<uint8_t>((*result)[2], {}, {153});
}

TEST(DynamicQuantizeLinearTest, RejectsMissingOutputs) {
  auto node = NodeBuilder("DynamicQuantizeLinear").Inputs(1).Outputs(1).Build();
  auto result = RunNode(node, 11, {MakeTensor<float>({1}, {1})});
  ASSERT_FALSE(result.ok());
  EXPECT_NE(result.status().message().find("needs its 3 outputs"), std::string::npos);
}

}  // namespace
}  // namespace mlos::engine::testing
