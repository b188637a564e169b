#include <gtest/gtest.h>

#include "engine/kernels/common/kernel_test_util.h"

namespace mlos::engine::testing {
namespace {

TEST(ConvTransposeTest, StridedWithBias) {
  auto node = NodeBuilder("ConvTranspose").Inputs(3).Outputs(1).Ints("strides", {2, 2}).Build();
  auto result = RunNode(node, 11,
                        {Sequence({1, 2, 2, 2}, 0.5f, -0.5f), Sequence({2, 3, 2, 2}, 0.1f, -0.4f),
                         MakeTensor<float>({3}, {0.5, 0, -0.5})});
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  ExpectTensorNear<float>(
      (*result)[0], {1, 3, 4, 4},
      {1.9, 2,   2.1, 2.3, 2.1, 2.2, 2.5, 2.7, 2.3, 2.6, 2.5, 2.9, 2.9, 3.2, 3.3, 3.7,
       1.8, 1.9, 2.4, 2.6, 2,   2.1, 2.8, 3,   3,   3.3, 3.6, 4,   3.6, 3.9, 4.4, 4.8,
       1.7, 1.8, 2.7, 2.9, 1.9, 2,   3.1, 3.3, 3.7, 4,   4.7, 5.1, 4.3, 4.6, 5.5, 5.9},
      1e-5, 1e-5);
}

TEST(ConvTransposeTest, PadsShrinkTheOutput) {
  auto node = NodeBuilder("ConvTranspose").Inputs(2).Outputs(1).Ints("pads", {1, 1, 1, 1}).Build();
  auto result =
      RunNode(node, 11, {Sequence({1, 2, 2, 2}, 0.5f, -0.5f), Sequence({2, 3, 2, 2}, 0.1f, -0.4f)});
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  ExpectTensorNear<float>((*result)[0], {1, 3, 1, 1}, {7.8, 11.8, 15.8}, 1e-5, 1e-5);
}

TEST(ConvTransposeTest, OutputPaddingAndOutputShapeAgree) {
  const Tensor x = MakeTensor<float>({1, 1, 3}, {1, 2, 3});
  const Tensor w = MakeTensor<float>({1, 2, 3}, {1, 1, 1, 0, 1, 2});
  const std::vector<float> expected = {1, 1, 3, 2, 5, 3, 3, 0, 0, 1, 2, 2, 4, 3, 6, 0};
  auto padded = RunNode(NodeBuilder("ConvTranspose")
                            .Inputs(2)
                            .Outputs(1)
                            .Ints("strides", {2})
                            .Ints("output_padding", {1})
                            .Build(),
                        11, {x, w});
  ASSERT_TRUE(padded.ok()) << padded.status().ToString();
  ExpectTensorNear<float>((*padded)[0], {1, 2, 8}, expected);
  auto wrong_count = RunNode(
      NodeBuilder("ConvTranspose").Inputs(2).Outputs(1).Ints("output_shape", {8, 8}).Build(), 11,
      {x, w});
  ASSERT_FALSE(wrong_count.ok());
  EXPECT_NE(wrong_count.status().message().find("attribute output_shape: expected 1 values, got 2"),
            std::string::npos)
      << wrong_count.status().message();
  auto shaped_ok = RunNode(NodeBuilder("ConvTranspose")
                               .Inputs(2)
                               .Outputs(1)
                               .Ints("strides", {2})
                               .Ints("output_shape", {8})
                               .Build(),
                           11, {x, w});
  ASSERT_TRUE(shaped_ok.ok()) << shaped_ok.status().ToString();
  ExpectTensorNear<float>((*shaped_ok)[0], {1, 2, 8}, expected);
}

TEST(ConvTransposeTest, Groups) {
  auto node = NodeBuilder("ConvTranspose").Inputs(2).Outputs(1).Int("group", 2).Build();
  auto result = RunNode(node, 11, {Sequence({1, 2, 2}, 1, 1), Sequence({2, 1, 2}, 1, -1)});
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  ExpectTensorNear<float>((*result)[0], {1, 2, 3}, {-1, -2, 0, 3, 10, 8});
}

TEST(ConvTransposeTest, RejectsChannelMismatch) {
  auto node = NodeBuilder("ConvTranspose").Inputs(2).Outputs(1).Build();
  auto result = RunNode(node, 11, {Sequence({1, 3, 2, 2}, 1, 0), Sequence({2, 3, 2, 2}, 1, 0)});
  ASSERT_FALSE(result.ok());
  EXPECT_NE(result.status().message().find(
                "input 1 (W): 2 input channels with group 1 do not match the 3 channels"),
            std::string::npos)
      << result.status().message();
}

}  // namespace
}  // namespace mlos::engine::testing
