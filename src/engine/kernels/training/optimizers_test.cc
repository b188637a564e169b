#include <gtest/gtest.h>

#include "engine/kernels/common/kernel_test_util.h"

namespace mlos::engine::testing {
namespace {

// Goldens from the ONNX reference update rules (onnx/backend/test/case/node/{adagrad,adam,
// momentum}.py) in float64.

constexpr const char* kDomain = "ai.onnx.preview.training";

Tensor Rate() { return MakeTensor<float>({}, {0.5f}); }
Tensor Count(int64_t t) { return MakeTensor<int64_t>({}, {t}); }

TEST(OptimizersTest, AdagradUpdatesTwoTensors) {
  auto node = NodeBuilder("Adagrad", kDomain)
                  .Inputs(8)
                  .Outputs(4)
                  .Float("norm_coefficient", 0.01f)
                  .Float("epsilon", 1e-3f)
                  .Float("decay_factor", 0.2f)
                  .Build();
  auto result = RunNode(
      node, 1,
      {Rate(), Count(3), MakeTensor<double>({2}, {1.0, -2.0}), MakeTensor<double>({1}, {3.0}),
       MakeTensor<double>({2}, {0.5, 0.25}), MakeTensor<double>({1}, {-1.0}),
       MakeTensor<double>({2}, {0.1, 0.0}), MakeTensor<double>({1}, {2.0})});
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  ExpectTensorNear<double>((*result)[0], {2}, {0.73485373, -2.31114719}, 1e-7);
  ExpectTensorNear<double>((*result)[1], {1}, {3.17665603}, 1e-7);
  ExpectTensorNear<double>((*result)[2], {2}, {0.3601, 0.0529}, 1e-7);
  ExpectTensorNear<double>((*result)[3], {1}, {2.9409}, 1e-7);
}

TEST(OptimizersTest, AdamWithAndWithoutBiasCorrection) {
  auto node = NodeBuilder("Adam", kDomain)
                  .Inputs(6)
                  .Outputs(3)
                  .Float("norm_coefficient", 0.01f)
                  .Float("norm_coefficient_post", 0.1f)
                  .Float("alpha", 0.9f)
                  .Float("beta", 0.99f)
                  .Float("epsilon", 1e-4f)
                  .Build();
  auto first = RunNode(
      node, 1,
      {Rate(), Count(0), MakeTensor<float>({2}, {1, -2}), MakeTensor<float>({2}, {0.5f, 0.25f}),
       MakeTensor<float>({2}, {0.2f, 0}), MakeTensor<float>({2}, {0.1f, 0})});
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  ExpectTensorNear<float>((*first)[0], {2}, {0.57398373f, -2.24805195f});
  ExpectTensorNear<float>((*first)[1], {2}, {0.231f, 0.023f});
  ExpectTensorNear<float>((*first)[2], {2}, {0.101601f, 0.000529f});
  auto later = RunNode(node, 1,
                       {Rate(), Count(2), MakeTensor<float>({1}, {3}), MakeTensor<float>({1}, {-1}),
                        MakeTensor<float>({1}, {4}), MakeTensor<float>({1}, {2})});
  ASSERT_TRUE(later.ok()) << later.status().ToString();
  ExpectTensorNear<float>((*later)[0], {1}, {1.87027771f});
  ExpectTensorNear<float>((*later)[1], {1}, {3.503f});
  ExpectTensorNear<float>((*later)[2], {1}, {1.989409f});
}

std::vector<Tensor> MomentumInputs(int64_t t) {
  return {Rate(), Count(t), MakeTensor<float>({2}, {1, -2}), MakeTensor<float>({2}, {0.5f, 0.25f}),
          MakeTensor<float>({2}, {0.1f, 0})};
}

NodeBuilder MomentumNode(const std::string& mode) {
  NodeBuilder node("Momentum", kDomain);
  node.Inputs(5)
      .Outputs(2)
      .Float("norm_coefficient", 0.01f)
      .Float("alpha", 0.9f)
      .Float("beta", 0.5f)
      .String("mode", mode);
  return node;
}

TEST(OptimizersTest, MomentumStandardAndNesterov) {
  auto first = RunNode(MomentumNode("standard").Build(), 1, MomentumInputs(0));
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  ExpectTensorNear<float>((*first)[0], {2}, {0.7f, -2.115f});
  ExpectTensorNear<float>((*first)[1], {2}, {0.6f, 0.23f});
  auto standard = RunNode(MomentumNode("standard").Build(), 1, MomentumInputs(4));
  ASSERT_TRUE(standard.ok()) << standard.status().ToString();
  ExpectTensorNear<float>((*standard)[0], {2}, {0.8275f, -2.0575f});
  ExpectTensorNear<float>((*standard)[1], {2}, {0.345f, 0.115f});
  auto nesterov = RunNode(MomentumNode("nesterov").Build(), 1, MomentumInputs(4));
  ASSERT_TRUE(nesterov.ok()) << nesterov.status().ToString();
  ExpectTensorNear<float>((*nesterov)[0], {2}, {0.58975f, -2.16675f});
  ExpectTensorNear<float>((*nesterov)[1], {2}, {0.345f, 0.115f});
}

TEST(OptimizersTest, RejectsBadModeAndMismatchedGroups) {
  auto bad_mode = RunNode(MomentumNode("heavy-ball").Build(), 1, MomentumInputs(0));
  ASSERT_FALSE(bad_mode.ok());
  EXPECT_NE(bad_mode.status().message().find("attribute 'mode' must be"), std::string::npos);

  std::vector<Tensor> mismatched = MomentumInputs(0);
  mismatched[4] = MakeTensor<float>({3}, {0, 0, 0});
  auto shape = RunNode(MomentumNode("standard").Build(), 1, mismatched);
  ASSERT_FALSE(shape.ok());
  EXPECT_NE(shape.status().message().find("input 4 (float32 [3]) does not match input 2"),
            std::string::npos)
      << shape.status().message();

  auto node = NodeBuilder("Adagrad", kDomain).Inputs(4).Outputs(1).Build();
  auto count = RunNode(
      node, 1, {Rate(), Count(0), MakeTensor<float>({1}, {1}), MakeTensor<float>({1}, {1})});
  ASSERT_FALSE(count.ok());
  EXPECT_NE(count.status().message().find("expected R, T and 3 inputs per updated tensor"),
            std::string::npos)
      << count.status().message();
}

}  // namespace
}  // namespace mlos::engine::testing
