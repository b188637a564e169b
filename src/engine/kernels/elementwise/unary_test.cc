// Tests of the one-input kernels of unary_math.cc and activations.cc. Goldens computed once with
// numpy on float32 inputs.
#include <cmath>
#include <limits>

#include "engine/kernels/common/element_types.h"
#include "engine/kernels/common/kernel_test_util.h"

namespace mlos::engine::testing {
namespace {

const std::vector<float> kInputs = {-2.0f, -0.5f, 0.0f, 0.5f, 2.0f};

Tensor RunUnary(const std::string& op, const Tensor& input) {
  NodeBuilder node(op);
  node.Inputs(1).Outputs(1);
  return RunOne(node, {input});
}

void ExpectUnary(const std::string& op, const std::vector<float>& expected) {
  SCOPED_TRACE(op);
  ExpectTensorNear<float>(RunUnary(op, MakeTensor<float>({5}, kInputs)), {5}, expected);
}

TEST(UnaryKernelsTest, TranscendentalFunctions) {
  ExpectUnary("Sigmoid", {0.11920293f, 0.37754068f, 0.5f, 0.62245935f, 0.88079703f});
  ExpectUnary("Tanh", {-0.96402758f, -0.46211720f, 0.0f, 0.46211720f, 0.96402758f});
  ExpectUnary("Exp", {0.13533528f, 0.60653066f, 1.0f, 1.64872122f, 7.38905573f});
  ExpectUnary("Erf", {-0.99532227f, -0.52049988f, 0.0f, 0.52049988f, 0.99532227f});
  ExpectUnary("Sin", {-0.90929741f, -0.47942555f, 0.0f, 0.47942555f, 0.90929741f});
  ExpectUnary("Cos", {-0.41614682f, 0.87758255f, 1.0f, 0.87758255f, -0.41614682f});
  ExpectTensorNear<float>(RunUnary("Log", MakeTensor<float>({4}, {0.5f, 1, 2, 10})), {4},
                          {-0.69314718f, 0.0f, 0.69314718f, 2.30258512f});
  ExpectTensorNear<float>(RunUnary("Sqrt", MakeTensor<float>({4}, {0.25f, 1, 2, 9})), {4},
                          {0.5f, 1.0f, 1.41421354f, 3.0f});
}

TEST(UnaryKernelsTest, Activations) {
  ExpectUnary("Relu", {0, 0, 0, 0.5f, 2});
  ExpectUnary("Elu", {-0.86466473f, -0.39346933f, 0.0f, 0.5f, 2.0f});
  ExpectUnary("Selu", {-1.52016652f, -0.69175822f, 0.0f, 0.52535051f, 2.10140204f});
  ExpectUnary("Softplus", {0.12692800f, 0.47407699f, 0.69314718f, 0.97407699f, 2.12692785f});
  ExpectUnary("Softsign", {-0.66666669f, -0.33333334f, 0.0f, 0.33333334f, 0.66666669f});
  ExpectUnary("HardSwish", {-0.33333331f, -0.20833333f, 0.0f, 0.29166666f, 1.66666675f});
  ExpectUnary("HardSigmoid", {0.1f, 0.4f, 0.5f, 0.6f, 0.9f});
  ExpectUnary("LeakyRelu", {-0.02f, -0.005f, 0, 0.5f, 2});
}

TEST(UnaryKernelsTest, ActivationAttributes) {
  NodeBuilder leaky("LeakyRelu");
  leaky.Inputs(1).Outputs(1).Float("alpha", 0.5f);
  ExpectTensorNear<float>(RunOne(leaky, {MakeTensor<float>({5}, kInputs)}), {5},
                          {-1, -0.25f, 0, 0.5f, 2});
  NodeBuilder thresholded("ThresholdedRelu");
  thresholded.Inputs(1).Outputs(1).Float("alpha", 0.5f);
  ExpectTensorNear<float>(RunOne(thresholded, {MakeTensor<float>({5}, kInputs)}), {5},
                          {0, 0, 0, 0, 2});
  NodeBuilder hard("HardSigmoid");
  hard.Inputs(1).Outputs(1).Float("alpha", 1.0f).Float("beta", 0.0f);
  ExpectTensorNear<float>(RunOne(hard, {MakeTensor<float>({5}, kInputs)}), {5},
                          {0, 0, 0, 0.5f, 1});
}

TEST(UnaryKernelsTest, Shrink) {
  NodeBuilder node("Shrink");
  node.Inputs(1).Outputs(1).Float("lambd", 1.0f).Float("bias", 0.5f);
  ExpectTensorNear<float>(RunOne(node, {MakeTensor<float>({5}, kInputs)}), {5},
                          {-1.5f, 0, 0, 0, 1.5f});
}

TEST(UnaryKernelsTest, IntegerAndSignFunctions) {
  ExpectTensorNear<int32_t>(RunUnary("Abs", MakeTensor<int32_t>({3}, {-3, 0, 4})), {3},
                            {3, 0, 4});
  ExpectTensorNear<int64_t>(RunUnary("Neg", MakeTensor<int64_t>({2}, {-3, 4})), {2}, {3, -4});
  ExpectTensorNear<float>(RunUnary("Sign", MakeTensor<float>({3}, {-0.1f, 0, 7})), {3},
                          {-1, 0, 1});
  ExpectTensorNear<uint8_t>(RunUnary("Abs", MakeTensor<uint8_t>({2}, {0, 200})), {2}, {0, 200});
  ExpectTensorNear<int32_t>(RunUnary("Relu", MakeTensor<int32_t>({2}, {-5, 5})), {2}, {0, 5});
}

TEST(UnaryKernelsTest, RoundingFunctions) {
  Tensor x = MakeTensor<float>({6}, {-1.5f, -0.5f, 0.5f, 1.5f, 2.5f, 2.7f});
  ExpectTensorNear<float>(RunUnary("Round", x), {6}, {-2, -0, 0, 2, 2, 3});
  ExpectTensorNear<float>(RunUnary("Floor", x), {6}, {-2, -1, 0, 1, 2, 2});
  ExpectTensorNear<float>(RunUnary("Ceil", x), {6}, {-1, -0, 1, 2, 3, 3});
  ExpectTensorNear<float>(RunUnary("Reciprocal", MakeTensor<float>({2}, {4, -0.5f})), {2},
                          {0.25f, -2});
}

TEST(UnaryKernelsTest, PredicatesAndNot) {
  const float inf = std::numeric_limits<float>::infinity();
  Tensor x = MakeTensor<float>({4}, {1, std::nanf(""), inf, -inf});
  ExpectTensorNear<bool>(RunUnary("IsNaN", x), {4}, {false, true, false, false});
  ExpectTensorNear<bool>(RunUnary("IsInf", x), {4}, {false, false, true, true});
  NodeBuilder negative_only("IsInf");
  negative_only.Inputs(1).Outputs(1).Int("detect_positive", 0);
  ExpectTensorNear<bool>(RunOne(negative_only, {x}), {4}, {false, false, false, true});
  ExpectTensorNear<bool>(RunUnary("Not", MakeTensor<bool>({2}, {true, false})), {2},
                         {false, true});
}

TEST(UnaryKernelsTest, Float16ComputesInFloat) {
  Tensor x(DataType::kFloat16, {2});
  x.data<Float16>()[0] = Float16(-1.0f);
  x.data<Float16>()[1] = Float16(0.5f);
  Tensor y = RunUnary("Exp", x);
  ASSERT_EQ(y.dtype(), DataType::kFloat16);
  EXPECT_NEAR(static_cast<float>(y.data<Float16>()[0]), 0.36787944f, 1e-3);
  EXPECT_NEAR(static_cast<float>(y.data<Float16>()[1]), 1.64872122f, 1e-3);
}

TEST(UnaryKernelsTest, UnsupportedTypeIsAnError) {
  NodeBuilder node("Exp");
  node.Inputs(1).Outputs(1);
  // The registry already refuses int64 for Exp, naming the type.
  auto result = RunNode(node.Build(), 13, {MakeTensor<int64_t>({1}, {1})});
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), StatusCode::kUnimplemented);
  EXPECT_NE(result.status().message().find("int64"), std::string::npos);
}

TEST(ClipKernelTest, BoundsFromInputsFromOpset11) {
  NodeBuilder node("Clip");
  node.Inputs(3).Outputs(1);
  ExpectTensorNear<float>(RunOne(node, {MakeTensor<float>({5}, kInputs), MakeTensor<float>({}, {-1}),
                                     MakeTensor<float>({}, {1})}),
                          {5}, {-1, -0.5f, 0, 0.5f, 1});
  NodeBuilder only_max("Clip");
  only_max.Inputs(3, {1}).Outputs(1);
  ExpectTensorNear<int64_t>(
      RunOne(only_max, {MakeTensor<int64_t>({3}, {-9, 3, 9}), Tensor(), MakeTensor<int64_t>({}, {4})}),
      {3}, {-9, 3, 4});
}

TEST(ClipKernelTest, BoundsFromAttributesBeforeOpset11) {
  NodeBuilder node("Clip");
  node.Inputs(1).Outputs(1).Float("min", -0.5f).Float("max", 0.5f);
  ExpectTensorNear<float>(RunOne(node, {MakeTensor<float>({5}, kInputs)}, 6), {5},
                          {-0.5f, -0.5f, 0, 0.5f, 0.5f});
}

TEST(ClipKernelTest, NonScalarBoundIsAnError) {
  NodeBuilder node("Clip");
  node.Inputs(2).Outputs(1);
  auto result = RunNode(node.Build(), 13,
                        {MakeTensor<float>({2}, {1, 2}), MakeTensor<float>({2}, {0, 0})});
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().message(),
            "input 1 (min): expected a single float32 value, got float32 of shape [2]");
}

}  // namespace
}  // namespace mlos::engine::testing
