#include <gtest/gtest.h>

#include <cmath>
#include <tuple>
#include <vector>

#include "engine/kernels/common/kernel_test_util.h"

namespace mlos::engine::testing {
namespace {

Tensor Image() {
  return MakeTensor<float>({1, 1, 4, 4}, {1, 5, 2, 0, 3, -1, 4, 7, 6, 2, 8, 1, 0, 9, 3, 4});
}

TEST(PoolTest, MaxPoolWithIndices) {
  auto node = NodeBuilder("MaxPool")
                  .Inputs(1)
                  .Outputs(2)
                  .Ints("kernel_shape", {2, 2})
                  .Ints("strides", {2, 2})
                  .Build();
  auto result = RunNode(node, 12, {Image()});
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  ExpectTensorNear<float>((*result)[0], {1, 1, 2, 2}, {5, 7, 9, 8});
  ExpectTensorNear<int64_t>((*result)[1], {1, 1, 2, 2}, {1, 7, 13, 10});
}

TEST(PoolTest, MaxPoolColumnMajorIndices) {
  auto node = NodeBuilder("MaxPool")
                  .Inputs(1)
                  .Outputs(2)
                  .Ints("kernel_shape", {2, 2})
                  .Ints("strides", {2, 2})
                  .Int("storage_order", 1)
                  .Build();
  auto result = RunNode(node, 12, {Image()});
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  ExpectTensorNear<int64_t>((*result)[1], {1, 1, 2, 2}, {4, 13, 7, 10});
}

TEST(PoolTest, MaxPoolPaddedCeilAndDilated) {
  auto padded = RunNode(NodeBuilder("MaxPool")
                            .Inputs(1)
                            .Outputs(1)
                            .Ints("kernel_shape", {3, 3})
                            .Ints("strides", {2, 2})
                            .Ints("pads", {1, 1, 1, 1})
                            .Build(),
                        12, {Image()});
  ASSERT_TRUE(padded.ok()) << padded.status().ToString();
  ExpectTensorNear<float>((*padded)[0], {1, 1, 2, 2}, {5, 7, 9, 9});
  auto ceil = RunNode(NodeBuilder("MaxPool")
                          .Inputs(1)
                          .Outputs(1)
                          .Ints("kernel_shape", {2, 2})
                          .Ints("strides", {3, 3})
                          .Int("ceil_mode", 1)
                          .Build(),
                      12, {Image()});
  ASSERT_TRUE(ceil.ok()) << ceil.status().ToString();
  ExpectTensorNear<float>((*ceil)[0], {1, 1, 2, 2}, {5, 7, 9, 4});
  auto dilated = RunNode(NodeBuilder("MaxPool")
                             .Inputs(1)
                             .Outputs(1)
                             .Ints("kernel_shape", {2, 2})
                             .Ints("dilations", {2, 2})
                             .Build(),
                         12, {Image()});
  ASSERT_TRUE(dilated.ok()) << dilated.status().ToString();
  ExpectTensorNear<float>((*dilated)[0], {1, 1, 2, 2}, {8, 5, 4, 9});
}

// Without the Indices output MaxPool takes its row-by-row path; its values must match the
// window-by-window path that computes Indices.
TEST(PoolTest, MaxPoolWithoutIndicesMatchesTheIndexedPath) {
  const Tensor x = Sequence({2, 3, 11, 9}, 0.37f, -20);
  float* values = const_cast<float*>(x.data<float>());
  for (int64_t i = 0; i < x.element_count(); ++i) values[i] = std::sin(values[i] * 3.1f);
  for (const auto& [strides, pads, dilations] :
       {std::tuple{std::vector<int64_t>{2, 2}, std::vector<int64_t>{1, 1, 1, 1},
                   std::vector<int64_t>{1, 1}},
        std::tuple{std::vector<int64_t>{1, 3}, std::vector<int64_t>{0, 2, 1, 0},
                   std::vector<int64_t>{2, 1}}}) {
    const auto node = [&](int outputs) {
      return NodeBuilder("MaxPool")
          .Inputs(1)
          .Outputs(outputs)
          .Ints("kernel_shape", {3, 3})
          .Ints("strides", strides)
          .Ints("pads", pads)
          .Ints("dilations", dilations)
          .Build();
    };
    auto by_rows = RunNode(node(1), 12, {x});
    auto by_windows = RunNode(node(2), 12, {x});
    ASSERT_TRUE(by_rows.ok() && by_windows.ok());
    const Tensor& expected = (*by_windows)[0];
    ExpectTensorNear<float>((*by_rows)[0], expected.shape(),
                            std::vector<float>(expected.data<float>(),
                                               expected.data<float>() + expected.element_count()),
                            0, 0);
  }
}

TEST(PoolTest, MaxPoolOnUint8) {
  auto node = NodeBuilder("MaxPool").Inputs(1).Outputs(1).Ints("kernel_shape", {2}).Build();
  auto result = RunNode(node, 12, {MakeTensor<uint8_t>({1, 1, 4}, {3, 200, 7, 9})});
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  ExpectTensorNear<uint8_t>((*result)[0], {1, 1, 3}, {200, 200, 9});
}

TEST(PoolTest, AveragePoolCountIncludePad) {
  auto exclude = RunNode(NodeBuilder("AveragePool")
                             .Inputs(1)
                             .Outputs(1)
                             .Ints("kernel_shape", {3, 3})
                             .Ints("strides", {2, 2})
                             .Ints("pads", {1, 1, 1, 1})
                             .Build(),
                         11, {Image()});
  ASSERT_TRUE(exclude.ok()) << exclude.status().ToString();
  ExpectTensorNear<float>((*exclude)[0], {1, 1, 2, 2}, {2, 2.8333333f, 3.1666667f, 4.1111111f});
  auto include = RunNode(NodeBuilder("AveragePool")
                             .Inputs(1)
                             .Outputs(1)
                             .Ints("kernel_shape", {3, 3})
                             .Ints("strides", {2, 2})
                             .Ints("pads", {1, 1, 1, 1})
                             .Int("count_include_pad", 1)
                             .Build(),
                         11, {Image()});
  ASSERT_TRUE(include.ok()) << include.status().ToString();
  ExpectTensorNear<float>((*include)[0], {1, 1, 2, 2},
                          {0.8888889f, 1.8888889f, 2.1111111f, 4.1111111f});
}

TEST(PoolTest, AveragePoolCeilModeClipsLastWindow) {
  auto node = NodeBuilder("AveragePool")
                  .Inputs(1)
                  .Outputs(1)
                  .Ints("kernel_shape", {2})
                  .Ints("strides", {2})
                  .Int("ceil_mode", 1)
                  .Int("count_include_pad", 1)
                  .Build();
  auto result = RunNode(node, 11, {MakeTensor<float>({1, 1, 5}, {1, 2, 3, 4, 5})});
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  ExpectTensorNear<float>((*result)[0], {1, 1, 3}, {1.5, 3.5, 5});
}

TEST(PoolTest, GlobalPools) {
  std::vector<float> values;
  for (int i = 0; i < 16; ++i) values.push_back(static_cast<float>(i) * 0.5f - 1);
  const Tensor x = MakeTensor<float>({2, 2, 2, 2}, values);
  auto average = RunNode(NodeBuilder("GlobalAveragePool").Inputs(1).Outputs(1).Build(), 11, {x});
  ASSERT_TRUE(average.ok()) << average.status().ToString();
  ExpectTensorNear<float>((*average)[0], {2, 2, 1, 1}, {-0.25, 1.75, 3.75, 5.75});
  auto max = RunNode(NodeBuilder("GlobalMaxPool").Inputs(1).Outputs(1).Build(), 11, {x});
  ASSERT_TRUE(max.ok()) << max.status().ToString();
  ExpectTensorNear<float>((*max)[0], {2, 2, 1, 1}, {0.5, 2.5, 4.5, 6.5});
}

TEST(PoolTest, RejectsMissingOrMismatchedKernelShape) {
  auto missing = RunNode(NodeBuilder("MaxPool").Inputs(1).Outputs(1).Build(), 12, {Image()});
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find("attribute kernel_shape is required"),
            std::string::npos);
  auto mismatched =
      RunNode(NodeBuilder("AveragePool").Inputs(1).Outputs(1).Ints("kernel_shape", {2}).Build(), 11,
              {Image()});
  ASSERT_FALSE(mismatched.ok());
  EXPECT_NE(mismatched.status().message().find("attribute kernel_shape: expected 2 values, got 1"),
            std::string::npos)
      << mismatched.status().message();
  auto global = RunNode(NodeBuilder("GlobalAveragePool").Inputs(1).Outputs(1).Build(), 11,
                        {MakeTensor<float>({2, 2}, {1, 2, 3, 4})});
  ASSERT_FALSE(global.ok());
  EXPECT_NE(global.status().message().find("input 0 (X): expected [N, C, spatial...]"),
            std::string::npos);
}

}  // namespace
}  // namespace mlos::engine::testing
