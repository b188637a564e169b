#include "engine/kernels/elementwise/legacy_broadcast.h"

#include <gtest/gtest.h>

#include "engine/kernels/common/kernel_test_util.h"

namespace mlos::engine::testing {
namespace {

constexpr int kOpset6 = 6;

TEST(LegacyBroadcastShapeTest, AlignsAtAxisAndPadsWithTrailingOnes) {
  EXPECT_EQ(*LegacyBroadcastShape({2, 3, 4, 5}, {3, 4}, true, 1), (Shape{3, 4, 1}));
  EXPECT_EQ(*LegacyBroadcastShape({2, 3, 4, 5}, {2}, true, 0), (Shape{2, 1, 1, 1}));
  EXPECT_EQ(*LegacyBroadcastShape({2, 3, 4, 5}, {4, 5}, true, std::nullopt), (Shape{4, 5}));
  EXPECT_EQ(*LegacyBroadcastShape({2, 3}, {2, 1}, true, 0), (Shape{2, 1}));
  EXPECT_EQ(*LegacyBroadcastShape({2, 3}, {1, 1}, true, std::nullopt), (Shape{}));
}

TEST(LegacyBroadcastShapeTest, RejectsShapesThatDoNotFit) {
  EXPECT_EQ(LegacyBroadcastShape({2, 3}, {2}, true, std::nullopt).status().message(),
            "input 1 (B) has shape [2], which does not broadcast to input 0 (A) shape [2, 3] "
            "(dimension 0: 2 vs 3 of A's dimension 1)");
  EXPECT_FALSE(LegacyBroadcastShape({2, 3}, {3}, true, 2).ok());
  EXPECT_FALSE(LegacyBroadcastShape({3}, {2, 3}, true, std::nullopt).ok());
  EXPECT_FALSE(LegacyBroadcastShape({2, 3}, {3, 1}, true, 0).ok());
}

TEST(LegacyBroadcastTest, AddAlignsBAtTheGivenAxis) {
  // A [2, 3, 2] + B [3] at axis 1: B[j] is added to A[i, j, :]. numpy: a + b[None, :, None].
  Tensor a = MakeTensor<float>({2, 3, 2}, {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12});
  Tensor b = MakeTensor<float>({3}, {100, 200, 300});
  NodeBuilder node = Node("Add", 2).Int("broadcast", 1).Int("axis", 1);
  ExpectTensorNear<float>(RunOne(node, {a, b}, kOpset6), {2, 3, 2},
                          {101, 102, 203, 204, 305, 306, 107, 108, 209, 210, 311, 312});
}

TEST(LegacyBroadcastTest, SubWithoutAxisAlignsBAsASuffix) {
  Tensor a = MakeTensor<int64_t>({2, 3}, {10, 20, 30, 40, 50, 60});
  Tensor b = MakeTensor<int64_t>({3}, {1, 2, 3});
  NodeBuilder node = Node("Sub", 2).Int("broadcast", 1);
  ExpectTensorNear<int64_t>(RunOne(node, {a, b}, kOpset6), {2, 3}, {9, 18, 27, 39, 48, 57});
}

TEST(LegacyBroadcastTest, MulStretchesOnesInBAtAxisZero) {
  // Version 1, with consumed_inputs (ignored): B [2, 1] at axis 0 scales the rows of A [2, 3].
  Tensor a = MakeTensor<float>({2, 3}, {1, 2, 3, 4, 5, 6});
  Tensor b = MakeTensor<float>({2, 1}, {10, -1});
  NodeBuilder node =
      Node("Mul", 2).Int("broadcast", 1).Int("axis", 0).Ints("consumed_inputs", {0, 0});
  ExpectTensorNear<float>(RunOne(node, {a, b}, 1), {2, 3}, {10, 20, 30, -4, -5, -6});
}

TEST(LegacyBroadcastTest, PowBroadcastsAOneElementExponent) {
  Tensor a = MakeTensor<float>({2, 2}, {1, 2, 3, 4});
  Tensor b = MakeTensor<float>({1}, {3});
  NodeBuilder node = Node("Pow", 2).Int("broadcast", 1);
  ExpectTensorNear<float>(RunOne(node, {a, b}, kOpset6), {2, 2}, {1, 8, 27, 64});
}

TEST(LegacyBroadcastTest, WithoutBroadcastTheShapesMustBeEqual) {
  Tensor a = MakeTensor<float>({2, 3}, {1, 2, 3, 4, 5, 6});
  Tensor b = MakeTensor<float>({3}, {1, 2, 3});
  EXPECT_EQ(RunError(Node("Div", 2), {a, b}, kOpset6),
            "input 1 (B) has shape [3], which does not broadcast to input 0 (A) shape [2, 3] "
            "(attribute broadcast is 0: the shapes must be equal)");
  ExpectTensorNear<float>(RunOne(Node("Div", 2), {a, a}, kOpset6), {2, 3}, {1, 1, 1, 1, 1, 1});
}

TEST(LegacyBroadcastTest, BroadcastMustBeZeroOrOne) {
  Tensor a = MakeTensor<float>({1}, {1});
  EXPECT_EQ(RunError(Node("Add", 2).Int("broadcast", 2), {a, a}, kOpset6),
            "attribute broadcast must be 0 or 1, got 2");
}

TEST(LegacyBroadcastTest, PReluSlopeOfLowerRankIsPerChannel) {
  // X [1, 2, 2], slope [2]: channel c uses slope[c]. numpy: where(x < 0, x * s[None, :, None], x).
  Tensor x = MakeTensor<float>({1, 2, 2}, {-1, 2, -3, 4});
  Tensor slope = MakeTensor<float>({2}, {0.5f, 0.25f});
  ExpectTensorNear<float>(RunOne(Node("PRelu", 2), {x, slope}, kOpset6), {1, 2, 2},
                          {-0.5f, 2, -0.75f, 4});
  Tensor shared = MakeTensor<float>({1}, {0.1f});
  ExpectTensorNear<float>(RunOne(Node("PRelu", 2), {x, shared}, kOpset6), {1, 2, 2},
                          {-0.1f, 2, -0.3f, 4});
}

TEST(LegacyVariadicTest, InputsMustHaveOneShapeBeforeOpset8) {
  Tensor a = MakeTensor<float>({2}, {1, 5});
  Tensor b = MakeTensor<float>({2}, {3, 2});
  ExpectTensorNear<float>(RunOne(Node("Max", 2), {a, b}, kOpset6), {2}, {3, 5});
  ExpectTensorNear<float>(RunOne(Node("Mean", 2), {a, b}, 1), {2}, {2, 3.5f});
  Tensor row = MakeTensor<float>({1}, {4});
  EXPECT_EQ(RunError(Node("Sum", 2), {a, row}, kOpset6),
            "input 1 has shape [1], which differs from input 0 shape [2] (no broadcasting before "
            "opset 8)");
}

}  // namespace
}  // namespace mlos::engine::testing
