// Tests of reshape.cc (Reshape, Flatten, Squeeze, Unsqueeze), shape.cc (Shape, Size) and
// identity.cc (Identity, Dropout).
#include "engine/kernels/common/kernel_test_util.h"

namespace mlos::engine::testing {
namespace {

TEST(ReshapeKernelTest, CopiesZeroAndInfersMinusOne) {
  Tensor out =
      RunOne(Node("Reshape", 2), {Iota<float>({2, 3, 4}), MakeTensor<int64_t>({3}, {0, -1, 2})});
  EXPECT_EQ(out.shape(), (Shape{2, 6, 2}));
  EXPECT_EQ(out.data<float>()[23], 23.0f);
}

TEST(ReshapeKernelTest, AllowZeroKeepsZero) {
  NodeBuilder node = Node("Reshape", 2);
  node.Int("allowzero", 1);
  Tensor out = RunOne(node, {MakeTensor<float>({0, 3}, {}), MakeTensor<int64_t>({2}, {3, 0})}, 14);
  EXPECT_EQ(out.shape(), (Shape{3, 0}));
}

TEST(ReshapeKernelTest, Errors) {
  EXPECT_EQ(RunError(Node("Reshape", 2), {Iota<float>({2, 3}), MakeTensor<int64_t>({2}, {-3, 2})}),
            "input 1 (shape): -3 is not a valid dimension");
  EXPECT_EQ(RunError(Node("Reshape", 2), {Iota<float>({2, 3}), MakeTensor<int64_t>({2}, {-1, -1})}),
            "input 1 (shape): more than one -1");
  EXPECT_EQ(RunError(Node("Reshape", 2), {Iota<float>({2, 3}), MakeTensor<int64_t>({2}, {4, 2})}),
            "input 1 (shape): [4, 2] holds 8 elements, input 0 (data) [2, 3] holds 6");
  EXPECT_EQ(RunError(Node("Reshape", 2), {Iota<float>({2, 3}), MakeTensor<int64_t>({2}, {4, -1})}),
            "input 1 (shape): cannot infer the -1 in [4, -1] for 6 elements");
  EXPECT_EQ(RunError(Node("Reshape", 2), {Iota<float>({2, 3}), MakeTensor<float>({1}, {6})}),
            "input 1 (shape): expected int64 or int32, got float32");
}

TEST(FlattenKernelTest, AxisSplitsTheShape) {
  NodeBuilder node = Node("Flatten", 1);
  node.Int("axis", 2);
  EXPECT_EQ(RunOne(node, {Iota<float>({2, 3, 4})}).shape(), (Shape{6, 4}));
  NodeBuilder negative = Node("Flatten", 1);
  negative.Int("axis", -3);
  EXPECT_EQ(RunOne(negative, {Iota<float>({2, 3, 4})}).shape(), (Shape{1, 24}));
  EXPECT_EQ(RunOne(Node("Flatten", 1), {Iota<float>({2, 3, 4})}).shape(), (Shape{2, 12}));
  NodeBuilder bad = Node("Flatten", 1);
  bad.Int("axis", 4);
  EXPECT_EQ(RunError(bad, {Iota<float>({2, 3, 4})}), "attribute axis: 4 is out of range [-3, 3]");
}

TEST(SqueezeKernelTest, AxesFromInputFromOpset13) {
  Tensor x = Iota<float>({1, 3, 1, 2});
  EXPECT_EQ(RunOne(Node("Squeeze", 2), {x, MakeTensor<int64_t>({1}, {-2})}).shape(),
            (Shape{1, 3, 2}));
  EXPECT_EQ(RunOne(Node("Squeeze", 1), {x}).shape(), (Shape{3, 2}));
  EXPECT_EQ(RunError(Node("Squeeze", 2), {x, MakeTensor<int64_t>({1}, {1})}),
            "input 1 (axes): dimension 1 of input 0 [1, 3, 1, 2] is not 1");
  EXPECT_EQ(RunError(Node("Squeeze", 2), {x, MakeTensor<int64_t>({1}, {4})}),
            "input 1 (axes): axis 4 is out of range [-4, 3]");
}

TEST(SqueezeKernelTest, AxesFromAttributeBeforeOpset13) {
  NodeBuilder node = Node("Squeeze", 1);
  node.Ints("axes", {0, 2});
  EXPECT_EQ(RunOne(node, {Iota<float>({1, 3, 1, 2})}, 11).shape(), (Shape{3, 2}));
}

TEST(UnsqueezeKernelTest, InsertsAxesOfTheOutput) {
  Tensor x = Iota<float>({3, 2});
  EXPECT_EQ(RunOne(Node("Unsqueeze", 2), {x, MakeTensor<int64_t>({2}, {0, -1})}).shape(),
            (Shape{1, 3, 2, 1}));
  NodeBuilder attribute = Node("Unsqueeze", 1);
  attribute.Ints("axes", {1});
  EXPECT_EQ(RunOne(attribute, {x}, 11).shape(), (Shape{3, 1, 2}));
  EXPECT_EQ(RunError(Node("Unsqueeze", 2), {x, MakeTensor<int64_t>({2}, {1, 1})}),
            "input 1 (axes): axis 1 is repeated");
}

TEST(ShapeKernelTest, WholeShapeAndOpset15Slice) {
  Tensor x = Iota<float>({2, 3, 4});
  ExpectTensorNear<int64_t>(RunOne(Node("Shape", 1), {x}), {3}, {2, 3, 4});
  NodeBuilder sliced = Node("Shape", 1);
  sliced.Int("start", -2);
  ExpectTensorNear<int64_t>(RunOne(sliced, {x}, 15), {2}, {3, 4});
  NodeBuilder clamped = Node("Shape", 1);
  clamped.Int("start", 1).Int("end", 10);
  ExpectTensorNear<int64_t>(RunOne(clamped, {x}, 15), {2}, {3, 4});
  NodeBuilder empty = Node("Shape", 1);
  empty.Int("start", 2).Int("end", 1);
  ExpectTensorNear<int64_t>(RunOne(empty, {x}, 15), {0}, {});
}

TEST(SizeKernelTest, CountsElements) {
  ExpectTensorNear<int64_t>(RunOne(Node("Size", 1), {Iota<float>({2, 3, 4})}), {}, {24});
}

TEST(IdentityKernelTest, SharesTheInput) {
  Tensor x = Iota<float>({2});
  Tensor out = RunOne(Node("Identity", 1), {x});
  EXPECT_EQ(out.raw_data(), x.raw_data());
}

TEST(DropoutKernelTest, InferenceIsIdentityWithTrueMask) {
  auto result = RunNode(Node("Dropout", 1, 2).Float("ratio", 0.5f).Build(), 11, {Iota<float>({3})});
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  ExpectTensorNear<float>((*result)[0], {3}, {0, 1, 2});
  ExpectTensorNear<bool>((*result)[1], {3}, {true, true, true});
}

TEST(DropoutKernelTest, TrainingModeWithZeroRatioIsIdentity) {
  auto result =
      RunNode(Node("Dropout", 3, 1).Build(), 13,
              {Iota<float>({2}), MakeTensor<float>({}, {0.0f}), MakeTensor<bool>({}, {true})});
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  ExpectTensorNear<float>((*result)[0], {2}, {0, 1});
}

// Kept elements are scaled by 1 / (1 - ratio), dropped ones are 0, the mask says which; a seed
// repeats the draw.
TEST(DropoutKernelTest, TrainingModeKeepsScaledElementsAndRepeatsWithASeed) {
  const Tensor x = MakeTensor<float>({1000}, std::vector<float>(1000, 2.0f));
  const std::vector<Tensor> inputs = {x, MakeTensor<float>({}, {0.25f}),
                                      MakeTensor<bool>({}, {true})};
  const onnx::NodeProto node = Node("Dropout", 3, 2).Int("seed", 7).Build();
  auto first = RunNode(node, 13, inputs);
  auto second = RunNode(node, 13, inputs);
  ASSERT_TRUE(first.ok() && second.ok());
  int kept = 0;
  for (int64_t i = 0; i < 1000; ++i) {
    const float value = (*first)[0].data<float>()[i];
    const bool keep = (*first)[1].data<bool>()[i];
    EXPECT_EQ(value, keep ? 2.0f / 0.75f : 0.0f) << "at " << i;
    EXPECT_EQ(value, (*second)[0].data<float>()[i]) << "at " << i;
    kept += keep;
  }
  EXPECT_NEAR(kept, 750, 60);
  EXPECT_EQ(
      RunError(Node("Dropout", 3),
               {Iota<float>({2}), MakeTensor<float>({}, {1.0f}), MakeTensor<bool>({}, {true})}, 13),
      "input 1 (ratio): 1.000000 is outside [0, 1)");
}

}  // namespace
}  // namespace mlos::engine::testing
