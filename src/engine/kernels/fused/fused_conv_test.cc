#include <gtest/gtest.h>

#include <string>

#include "engine/kernels/common/kernel_test_util.h"

namespace mlos::engine::testing {
namespace {

NodeBuilder FusedConv(int inputs) {
  NodeBuilder node("FusedConv", "com.mlos");
  node.Inputs(inputs).Outputs(1);
  return node;
}

// X channels [-3, -2, -1, 0] and [1, 2, 3, 4]; filters x0 + x1 + 0.5 and x0 - x1 - 0.5.
Tensor X() { return Sequence({1, 2, 2, 2}, 1, -3); }
Tensor W() { return MakeTensor<float>({2, 2, 1, 1}, {1, 1, 1, -1}); }
Tensor B() { return MakeTensor<float>({2}, {0.5, -0.5}); }
Tensor Z() { return MakeTensor<float>({1, 2, 2, 2}, {1, 1, 1, 1, 10, 0, -1, 5}); }

TEST(FusedConvTest, AddsTheResidualThenClips) {
  // conv + B = [-1.5, 0.5, 2.5, 4.5], [-4.5 x4]; + Z = [-0.5, 1.5, 3.5, 5.5], [5.5, -4.5, -5.5,
  // 0.5]; clipped to [0, 5].
  const Tensor y =
      RunOne(FusedConv(4).String("activation", "Clip").Floats("activation_params", {0, 5}),
             {X(), W(), B(), Z()}, 1);
  ExpectTensorNear<float>(y, {1, 2, 2, 2}, {0, 1.5, 3.5, 5, 5, 0, 0, 0.5});
}

TEST(FusedConvTest, ActivationWithoutResidualOrBias) {
  // conv = [-2, 0, 2, 4], [-4 x4]; LeakyRelu with alpha 0.5.
  const Tensor y =
      RunOne(FusedConv(2).String("activation", "LeakyRelu").Floats("activation_params", {0.5}),
             {X(), W()}, 1);
  ExpectTensorNear<float>(y, {1, 2, 2, 2}, {-1, 0, 2, 4, -2, -2, -2, -2});
}

TEST(FusedConvTest, ResidualWithoutActivationAndAbsentBias) {
  const Tensor y = RunOne(FusedConv(4), {X(), W(), Tensor(), Z()}, 1);
  ExpectTensorNear<float>(y, {1, 2, 2, 2}, {-1, 1, 3, 5, 6, -4, -5, 1});
}

TEST(FusedConvTest, RejectsAResidualOfAnotherShapeAndUnknownActivations) {
  const Tensor wrong_z = MakeTensor<float>({1, 2, 1, 1}, {1, 2});
  EXPECT_NE(RunError(FusedConv(4), {X(), W(), B(), wrong_z}, 1)
                .find("input 3 (Z): expected the output shape [1, 2, 2, 2], got [1, 2, 1, 1]"),
            std::string::npos);
  EXPECT_NE(RunError(FusedConv(2).String("activation", "Tanh"), {X(), W()}, 1)
                .find("attribute activation: unknown value 'Tanh'"),
            std::string::npos);
  EXPECT_NE(RunError(FusedConv(2).String("activation", "Clip").Floats("activation_params", {0}),
                     {X(), W()}, 1)
                .find("attribute activation_params: Clip takes 2 values, got 1"),
            std::string::npos);
}

}  // namespace
}  // namespace mlos::engine::testing
