// Tests of Transpose, Slice, Tile, Expand and Pad (reindex_kernels.cc over reindex.cc). Goldens
// computed once with numpy (transpose, slicing, np.tile, np.broadcast_to, np.pad).
#include "engine/kernels/common/kernel_test_util.h"

namespace mlos::engine::testing {
namespace {

Tensor Ints(std::vector<int64_t> values) {
  const int64_t size = static_cast<int64_t>(values.size());
  return MakeTensor<int64_t>({size}, values);
}

TEST(TransposeKernelTest, PermutationAndDefaultReverse) {
  NodeBuilder node = Node("Transpose", 1);
  node.Ints("perm", {1, 0, 2});
  ExpectTensorNear<int64_t>(
      RunOne(node, {Iota<int64_t>({2, 3, 4})}), {3, 2, 4},
      {0, 1, 2, 3, 12, 13, 14, 15, 4, 5, 6, 7, 16, 17, 18, 19, 8, 9, 10, 11, 20, 21, 22, 23});
  ExpectTensorNear<int64_t>(
      RunOne(Node("Transpose", 1), {Iota<int64_t>({2, 3, 4})}), {4, 3, 2},
      {0, 12, 4, 16, 8, 20, 1, 13, 5, 17, 9, 21, 2, 14, 6, 18, 10, 22, 3, 15, 7, 19, 11, 23});
}

TEST(TransposeKernelTest, StringsAndBadPermutation) {
  Tensor strings(DataType::kString, {2, 2});
  strings.strings() = {"a", "b", "c", "d"};
  EXPECT_EQ(RunOne(Node("Transpose", 1), {strings}).strings(),
            (std::vector<std::string>{"a", "c", "b", "d"}));
  NodeBuilder bad = Node("Transpose", 1);
  bad.Ints("perm", {0, 0});
  EXPECT_EQ(RunError(bad, {Iota<int64_t>({2, 3})}),
            "attribute perm: [0, 0] is not a permutation of the 2 axes of input 0 [2, 3]");
}

TEST(SliceKernelTest, NegativeStepsAndAxes) {
  // x[:, ::-2, 1:3]
  Tensor out = RunOne(Node("Slice", 5), {Iota<int64_t>({2, 3, 4}), Ints({-1, 1}),
                                         Ints({INT64_MIN, 3}), Ints({1, 2}), Ints({-2, 1})});
  ExpectTensorNear<int64_t>(out, {2, 2, 2}, {9, 10, 1, 2, 21, 22, 13, 14});
}

TEST(SliceKernelTest, ClampsAndCountsFromTheEnd) {
  // x[-1:, 1:100, -3:-1] without axes and steps.
  ExpectTensorNear<int64_t>(RunOne(Node("Slice", 3), {Iota<int64_t>({2, 3, 4}), Ints({-1, 1, -3}),
                                                      Ints({1000, 100, -1})}),
                            {1, 2, 2}, {17, 18, 21, 22});
  // x[:, :, 3:0:-1]
  ExpectTensorNear<int64_t>(
      RunOne(Node("Slice", 5),
             {Iota<int64_t>({2, 3, 4}), Ints({3}), Ints({0}), Ints({-1}), Ints({-1})}),
      {2, 3, 3}, {3, 2, 1, 7, 6, 5, 11, 10, 9, 15, 14, 13, 19, 18, 17, 23, 22, 21});
}

TEST(SliceKernelTest, MissingAxesMeanTheFirstAxes) {
  ExpectTensorNear<int64_t>(
      RunOne(NodeBuilder("Slice").Inputs(5, {3}).Outputs(1),
             {Iota<int64_t>({4}), Ints({3}), Ints({0}), Tensor(), Ints({-1})}),
      {3}, {3, 2, 1});
}

TEST(SliceKernelTest, AttributesBeforeOpset10) {
  NodeBuilder node = Node("Slice", 1);
  node.Ints("starts", {1}).Ints("ends", {3}).Ints("axes", {1});
  ExpectTensorNear<int64_t>(RunOne(node, {Iota<int64_t>({2, 4})}, 9), {2, 2}, {1, 2, 5, 6});
}

TEST(SliceKernelTest, Errors) {
  EXPECT_EQ(
      RunError(Node("Slice", 5), {Iota<int64_t>({4}), Ints({0}), Ints({4}), Ints({0}), Ints({0})}),
      "input 4 (steps): step 0 for axis 0");
  EXPECT_EQ(RunError(Node("Slice", 4), {Iota<int64_t>({4}), Ints({0}), Ints({4}), Ints({1})}),
            "input 3 (axes): axis 1 is out of range [-1, 0]");
  EXPECT_EQ(RunError(Node("Slice", 3), {Iota<int64_t>({4}), Ints({0, 1}), Ints({4})}),
            "starts, ends, axes and steps have different lengths (2, 1, 2, 2)");
}

TEST(TileKernelTest, RepeatsEachAxis) {
  ExpectTensorNear<int64_t>(
      RunOne(Node("Tile", 2), {Iota<int64_t>({2, 3}), Ints({2, 2})}), {4, 6},
      {0, 1, 2, 0, 1, 2, 3, 4, 5, 3, 4, 5, 0, 1, 2, 0, 1, 2, 3, 4, 5, 3, 4, 5});
  EXPECT_EQ(RunError(Node("Tile", 2), {Iota<int64_t>({2, 3}), Ints({2})}),
            "input 1 (repeats): 1 values for input 0 of rank 2");
}

TEST(ExpandKernelTest, BroadcastsBothWays) {
  ExpectTensorNear<int64_t>(RunOne(Node("Expand", 2), {Iota<int64_t>({2, 1}), Ints({2, 1, 3})}),
                            {2, 2, 3}, {0, 0, 0, 1, 1, 1, 0, 0, 0, 1, 1, 1});
  // A 1 in the shape keeps the input's dimension.
  ExpectTensorNear<int64_t>(RunOne(Node("Expand", 2), {Iota<int64_t>({3}), Ints({1})}), {3},
                            {0, 1, 2});
  EXPECT_EQ(RunError(Node("Expand", 2), {Iota<int64_t>({3}), Ints({2})}),
            "input 1 (shape): [2] does not broadcast with input 0 shape [3]");
}

TEST(PadKernelTest, ConstantWithValueInput) {
  ExpectTensorNear<int64_t>(RunOne(Node("Pad", 3), {Iota<int64_t>({2, 3}), Ints({1, 1, 1, 0}),
                                                    MakeTensor<int64_t>({}, {9})}),
                            {4, 4}, {9, 9, 9, 9, 9, 0, 1, 2, 9, 3, 4, 5, 9, 9, 9, 9});
}

TEST(PadKernelTest, ReflectAndEdge) {
  NodeBuilder reflect = Node("Pad", 2);
  reflect.String("mode", "reflect");
  ExpectTensorNear<int64_t>(RunOne(reflect, {Iota<int64_t>({2, 3}), Ints({0, 2, 0, 1})}), {2, 6},
                            {2, 1, 0, 1, 2, 1, 5, 4, 3, 4, 5, 4});
  NodeBuilder edge = Node("Pad", 2);
  edge.String("mode", "edge");
  ExpectTensorNear<int64_t>(RunOne(edge, {Iota<int64_t>({2, 3}), Ints({1, 0, 0, 2})}), {3, 5},
                            {0, 1, 2, 2, 2, 0, 1, 2, 2, 2, 3, 4, 5, 5, 5});
}

TEST(PadKernelTest, NegativePadsCrop) {
  ExpectTensorNear<int64_t>(RunOne(Node("Pad", 2), {Iota<int64_t>({2, 3}), Ints({0, -1, 0, 1})}),
                            {2, 3}, {1, 2, 0, 4, 5, 0});
}

TEST(PadKernelTest, AttributesBeforeOpset11) {
  NodeBuilder node = Node("Pad", 1);
  node.Ints("pads", {0, 1, 0, 1}).Float("value", 1.5f);
  Tensor x = MakeTensor<float>({1, 2}, {3, 4});
  ExpectTensorNear<float>(RunOne(node, {x}, 2), {1, 4}, {1.5f, 3, 4, 1.5f});
}

TEST(PadKernelTest, Errors) {
  EXPECT_EQ(RunError(Node("Pad", 2), {Iota<int64_t>({2, 3}), Ints({1, 1})}),
            "input 1 (pads): expected 4 values, got 2");
  EXPECT_EQ(RunError(Node("Pad", 2), {Iota<int64_t>({2, 3}), Ints({0, -2, 0, -2})}),
            "input 1 (pads): cropping axis 1 of size 3 below zero");
  NodeBuilder wrap = Node("Pad", 2);
  wrap.String("mode", "circular");
  EXPECT_EQ(RunError(wrap, {Iota<int64_t>({2, 3}), Ints({0, 0, 0, 0})}),
            "attribute mode: 'circular' is not supported");
}

}  // namespace
}  // namespace mlos::engine::testing
