// Tests of gather.cc (Gather, GatherElements, ScatterElements) and concat_split.cc (Concat,
// Split). Goldens from numpy (np.take, np.take_along_axis, np.put_along_axis).
#include "engine/kernels/common/kernel_test_util.h"

namespace mlos::engine::testing {
namespace {

const Tensor kMatrix = MakeTensor<float>({3, 3}, {1, 2, 3, 4, 5, 6, 7, 8, 9});

TEST(GatherKernelTest, RowsWithNegativeIndex) {
  ExpectTensorNear<float>(RunOne(Node("Gather", 2), {kMatrix, MakeTensor<int64_t>({1, 2}, {0, -1})}),
                          {1, 2, 3}, {1, 2, 3, 7, 8, 9});
}

TEST(GatherKernelTest, ColumnsWithInt32IndicesAndScalarIndex) {
  NodeBuilder node = Node("Gather", 2);
  node.Int("axis", 1);
  ExpectTensorNear<float>(RunOne(node, {kMatrix, MakeTensor<int32_t>({3}, {1, 0, 1})}), {3, 3},
                          {2, 1, 2, 5, 4, 5, 8, 7, 8});
  ExpectTensorNear<float>(RunOne(node, {kMatrix, MakeTensor<int64_t>({}, {2})}), {3}, {3, 6, 9});
}

TEST(GatherKernelTest, Errors) {
  EXPECT_EQ(RunError(Node("Gather", 2), {kMatrix, MakeTensor<int64_t>({1}, {3})}),
            "input 1 (indices): index 3 is out of range [-3, 2]");
  NodeBuilder node = Node("Gather", 2);
  node.Int("axis", 2);
  EXPECT_EQ(RunError(node, {kMatrix, MakeTensor<int64_t>({1}, {0})}),
            "attribute axis: axis 2 is out of range [-2, 1]");
}

TEST(GatherElementsKernelTest, AlongEachAxis) {
  Tensor data = MakeTensor<int64_t>({2, 2}, {1, 2, 3, 4});
  Tensor indices = MakeTensor<int64_t>({2, 2}, {0, 0, 1, 0});
  NodeBuilder columns = Node("GatherElements", 2);
  columns.Int("axis", 1);
  ExpectTensorNear<int64_t>(RunOne(columns, {data, indices}), {2, 2}, {1, 1, 4, 3});
  ExpectTensorNear<int64_t>(RunOne(Node("GatherElements", 2), {data, indices}), {2, 2},
                            {1, 2, 3, 2});
  EXPECT_EQ(RunError(Node("GatherElements", 2), {data, MakeTensor<int64_t>({2}, {0, 0})}),
            "input 1 (indices): shape [2] does not fit input 0 (data) shape [2, 2]");
}

TEST(ScatterElementsKernelTest, ReplacesAndReduces) {
  Tensor data = MakeTensor<float>({3, 3}, std::vector<float>(9, 0.0f));
  Tensor indices = MakeTensor<int64_t>({2, 3}, {1, 0, 2, 0, 2, 1});
  Tensor updates = MakeTensor<float>({2, 3}, {1, 1.1f, 1.2f, 2, 2.1f, 2.2f});
  ExpectTensorNear<float>(RunOne(Node("ScatterElements", 3), {data, indices, updates}), {3, 3},
                          {2, 1.1f, 0, 1, 0, 2.2f, 0, 2.1f, 1.2f});
  NodeBuilder add = Node("ScatterElements", 3);
  add.Int("axis", 1).String("reduction", "add");
  Tensor row = MakeTensor<float>({1, 3}, {1, 1, 1});
  ExpectTensorNear<float>(RunOne(add, {row, MakeTensor<int64_t>({1, 2}, {2, 2}),
                                       MakeTensor<float>({1, 2}, {5, 6})}, 16),
                          {1, 3}, {1, 1, 12});
}

TEST(ScatterElementsKernelTest, Errors) {
  NodeBuilder node = Node("ScatterElements", 3);
  node.String("reduction", "mean");
  EXPECT_EQ(RunNode(node.Build(), 16, {kMatrix, kMatrix, kMatrix}).status().message(),
            "attribute reduction: unknown value 'mean'");
  EXPECT_EQ(RunError(Node("ScatterElements", 3),
                     {kMatrix, MakeTensor<int64_t>({1, 1}, {0}), MakeTensor<float>({1}, {0})}),
            "input 2 (updates): expected float32 of shape [1, 1], got float32 of shape [1]");
}

TEST(ConcatKernelTest, JoinsAlongAxis) {
  Tensor a = MakeTensor<int32_t>({2, 1}, {1, 2});
  Tensor b = MakeTensor<int32_t>({2, 2}, {3, 4, 5, 6});
  NodeBuilder node = Node("Concat", 2);
  node.Int("axis", -1);
  ExpectTensorNear<int32_t>(RunOne(node, {a, b}), {2, 3}, {1, 3, 4, 2, 5, 6});
  NodeBuilder rows = Node("Concat", 2);
  rows.Int("axis", 0);
  EXPECT_EQ(RunError(rows, {a, b}),
            "input 1: shape [2, 2] does not match input 0 shape [2, 1] outside axis 0");
  EXPECT_EQ(RunError(rows, {a, MakeTensor<float>({1, 1}, {1})}),
            "input 1: element type float32 does not match input 0 type int32");
}

TEST(SplitKernelTest, SizesFromInputAndEqualPieces) {
  Tensor x = MakeTensor<float>({2, 3}, {1, 2, 3, 4, 5, 6});
  NodeBuilder node = Node("Split", 2, 2);
  node.Int("axis", 1);
  auto result = RunNode(node.Build(), 13, {x, MakeTensor<int64_t>({2}, {1, 2})});
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  ExpectTensorNear<float>((*result)[0], {2, 1}, {1, 4});
  ExpectTensorNear<float>((*result)[1], {2, 2}, {2, 3, 5, 6});
  auto equal = RunNode(Node("Split", 1, 2).Build(), 13, {x});
  ASSERT_TRUE(equal.ok()) << equal.status().ToString();
  ExpectTensorNear<float>((*equal)[0], {1, 3}, {1, 2, 3});
  ExpectTensorNear<float>((*equal)[1], {1, 3}, {4, 5, 6});
}

TEST(SplitKernelTest, AttributeBeforeOpset13AndBadSizes) {
  Tensor x = MakeTensor<float>({4}, {1, 2, 3, 4});
  NodeBuilder node = Node("Split", 1, 2);
  node.Ints("split", {3, 1});
  auto result = RunNode(node.Build(), 11, {x});
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  ExpectTensorNear<float>((*result)[1], {1}, {4});
  EXPECT_EQ(RunNode(Node("Split", 2, 2).Build(), 13, {x, MakeTensor<int64_t>({2}, {1, 2})})
                .status()
                .message(),
            "input 1 (split): 2 sizes summing to 3 for 2 outputs and dimension 4 of axis 0");
}

}  // namespace
}  // namespace mlos::engine::testing
