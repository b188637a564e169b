#include <gtest/gtest.h>

#include "engine/kernels/common/kernel_test_util.h"

namespace mlos::engine::testing {
namespace {

std::vector<float> Iota(int64_t count, float scale, float shift) {
  std::vector<float> values;
  for (int64_t i = 0; i < count; ++i) values.push_back(static_cast<float>(i) * scale + shift);
  return values;
}

TEST(MatMulTest, BatchedTimesMatrixFoldsBatchIntoRows) {
  auto node = NodeBuilder("MatMul").Inputs(2).Outputs(1).Build();
  auto result = RunNode(node, 13,
                        {MakeTensor<float>({2, 3, 4}, Iota(24, 0.5f, -3)),
                         MakeTensor<float>({4, 2}, Iota(8, 1, -2))});
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  ExpectTensorNear<float>((*result)[0], {2, 3, 2}, {-4, -13, 4, 3, 12, 19, 20, 35, 28, 51, 36, 67});
}

TEST(MatMulTest, BroadcastsBatchDimensions) {
  auto node = NodeBuilder("MatMul").Inputs(2).Outputs(1).Build();
  auto result = RunNode(node, 13,
                        {MakeTensor<float>({3, 1, 1, 4}, Iota(12, 0.25f, 0)),
                         MakeTensor<float>({2, 4, 2}, Iota(16, 1, -5))});
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  ExpectTensorNear<float>((*result)[0], {3, 2, 1, 2},
                          {-0.5, 1, 11.5, 13, -8.5, -3, 35.5, 41, -16.5, -7, 59.5, 69});
}

TEST(MatMulTest, PromotesOneDimensionalOperands) {
  auto node = NodeBuilder("MatMul").Inputs(2).Outputs(1).Build();
  auto row = RunNode(node, 13,
                     {MakeTensor<float>({3}, {1, 2, 3}), MakeTensor<float>({3, 2}, Iota(6, 1, 0))});
  ASSERT_TRUE(row.ok()) << row.status().ToString();
  ExpectTensorNear<float>((*row)[0], {2}, {16, 22});
  auto column = RunNode(
      node, 13, {MakeTensor<float>({2, 3}, {0, 2, 4, 1, 3, 5}), MakeTensor<float>({3}, {1, 2, 3})});
  ASSERT_TRUE(column.ok()) << column.status().ToString();
  ExpectTensorNear<float>((*column)[0], {2}, {16, 22});
}

TEST(MatMulTest, DoubleAndInt64) {
  auto node = NodeBuilder("MatMul").Inputs(2).Outputs(1).Build();
  auto doubles = RunNode(
      node, 13, {MakeTensor<double>({1, 2}, {1.5, -2}), MakeTensor<double>({2, 1}, {2, 3})});
  ASSERT_TRUE(doubles.ok()) << doubles.status().ToString();
  ExpectTensorNear<double>((*doubles)[0], {1, 1}, {-3});
  auto ints = RunNode(
      node, 13,
      {MakeTensor<int64_t>({2, 2}, {1, 2, 3, 4}), MakeTensor<int64_t>({2, 2}, {5, 6, 7, 8})});
  ASSERT_TRUE(ints.ok()) << ints.status().ToString();
  ExpectTensorNear<int64_t>((*ints)[0], {2, 2}, {19, 22, 43, 50});
}

TEST(MatMulTest, RejectsInnerDimensionMismatch) {
  auto node = NodeBuilder("MatMul").Inputs(2).Outputs(1).Build();
  auto result =
      RunNode(node, 13,
              {MakeTensor<float>({2, 3}, Iota(6, 1, 0)), MakeTensor<float>({4, 2}, Iota(8, 1, 0))});
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(result.status().message().find("input 1 (B): inner dimension 4 does not match 3"),
            std::string::npos)
      << result.status().message();
}

TEST(MatMulTest, RejectsIncompatibleBatch) {
  auto node = NodeBuilder("MatMul").Inputs(2).Outputs(1).Build();
  auto result = RunNode(
      node, 13, {MakeTensor<float>({2, 1, 1}, {1, 2}), MakeTensor<float>({3, 1, 1}, {1, 2, 3})});
  ASSERT_FALSE(result.ok());
  EXPECT_NE(result.status().message().find("do not broadcast"), std::string::npos)
      << result.status().message();
}

}  // namespace
}  // namespace mlos::engine::testing
