// Goldens from an independent numpy implementation of the ONNX equations, itself checked against
// torch.nn.RNN/GRU/LSTM (packed sequences, bidirectional) and the ONNX backend test data.
#include <gtest/gtest.h>

#include <cmath>

#include "engine/kernels/rnn/recurrent_test_util.h"

namespace mlos::engine::testing {
namespace {

TEST(RnnTest, ReverseWalksEachSequenceWithinItsLength) {
  auto node = Node("RNN", 6, 2).String("direction", "reverse").Int("hidden_size", 2);
  auto result = RunNode(node.Build(), 14,
                        {Sequence({3, 3, 2}, 0.1f, -0.8f), Sequence({1, 2, 2}, 0.3f, -0.5f),
                         Sequence({1, 2, 2}, 0.25f, -0.4f), Sequence({1, 4}, 0.1f, -0.2f),
                         MakeTensor<int32_t>({3}, {3, 1, 0}), Sequence({1, 3, 2}, 0.2f, -0.5f)});
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  // Batch entry 1 (length 1) only has step 0; entry 2 (length 0) is zero, final state included.
  ExpectTensorNear<float>(
      (*result)[0], {3, 1, 3, 2},
      {0.332319707, -0.361505568, 0.221278459, -0.230767533, 0, 0, 0.00712567056, -0.055226475, 0,
       0, 0, 0, -0.249612972, 0.0847959444, 0, 0, 0, 0});
  ExpectTensorNear<float>((*result)[1], {1, 3, 2},
                          {0.332319707, -0.361505568, 0.221278459, -0.230767533, 0, 0});
}

TEST(RnnTest, LeakyReluWithAlphaAndClipOnlyYh) {
  auto node = Node("RNN", 3).Floats("activation_alpha", {0.1f}).Float("clip", 0.4f);
  auto result = RunNode(WithOutputs(WithActivations(node, {"LeakyRelu"}), {"", "Y_h"}), 7,
                        {Sequence({2, 1, 2}, 0.5f, -1.0f), Sequence({1, 3, 2}, 0.4f, -1.0f),
                         Sequence({1, 3, 3}, 0.2f, -0.6f)});
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_TRUE((*result)[0].empty());
  // Inputs of the activation clamp to [-0.4, 0.4]: -0.4 * alpha, a value inside, 0.4.
  ExpectTensorNear<float>((*result)[1], {1, 1, 3}, {-0.04, 0.104000017, 0.4});
}

TEST(RnnTest, BidirectionalBatchMajorDouble) {
  auto node = Node("RNN", 3, 2).String("direction", "bidirectional").Int("layout", 1);
  auto result =
      RunNode(node.Build(), 14,
              {MakeTensor<double>({2, 2, 1}, {0.5, -1.0, 1.5, 0.25}),
               MakeTensor<double>({2, 2, 1}, {0.3, -0.7, 0.9, 0.2}),
               MakeTensor<double>({2, 2, 2}, {0.1, -0.2, 0.3, 0.4, -0.5, 0.6, 0.7, -0.8})});
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  ExpectTensorNear<double>(
      (*result)[0], {2, 2, 2, 2},
      {0.148885034, -0.336375544, 0.597804499, -0.238806692, -0.214454916, 0.544208251, -0.71629787,
       -0.19737532, 0.421899005, -0.781806358, 0.853617531, 0.392649154, 0.266926104, -0.346229084,
       0.221278468, 0.049958375},
      1e-7, 1e-8);
  ExpectTensorNear<double>((*result)[1], {2, 2, 2},
                           {-0.214454916, 0.544208251, 0.597804499, -0.238806692, 0.266926104,
                            -0.346229084, 0.853617531, 0.392649154},
                           1e-7, 1e-8);
}

TEST(RnnTest, LayoutIsIgnoredBeforeOpset14) {
  // Opset 7 has no layout attribute: X is read as [seq 2, batch 2, input 1].
  auto node = Node("RNN", 3, 2).Int("layout", 1);
  auto result = RunNode(node.Build(), 13,
                        {MakeTensor<float>({2, 2, 1}, {0.5, -1.0, 1.5, 0.25}),
                         MakeTensor<float>({1, 1, 1}, {1}), MakeTensor<float>({1, 1, 1}, {0})});
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  ExpectTensorNear<float>((*result)[0], {2, 1, 2, 1},
                          {std::tanh(0.5f), std::tanh(-1.0f), std::tanh(1.5f), std::tanh(0.25f)});
}

TEST(RnnTest, RejectsBadAttributesAtLoad) {
  const std::vector<Tensor> inputs = {Sequence({1, 1, 1}, 1, 0), Sequence({1, 1, 1}, 1, 0),
                                      Sequence({1, 1, 1}, 1, 0)};
  EXPECT_NE(RunError(Node("RNN", 3).String("direction", "sideways"), inputs)
                .find("attribute direction must be forward, reverse or bidirectional"),
            std::string::npos);
  auto result = RunNode(WithActivations(Node("RNN", 3), {"Swish"}), 14, inputs);
  ASSERT_FALSE(result.ok());
  EXPECT_NE(result.status().message().find("unknown activation 'Swish'"), std::string::npos)
      << result.status().message();
  result = RunNode(WithActivations(Node("RNN", 3), {"Tanh", "Tanh"}), 14, inputs);
  ASSERT_FALSE(result.ok());
  EXPECT_NE(result.status().message().find("activations lists 2 functions; expected 1"),
            std::string::npos)
      << result.status().message();
  EXPECT_NE(RunError(Node("RNN", 3).Float("clip", -1.0f), inputs).find("clip must be positive"),
            std::string::npos);
}

TEST(RnnTest, RejectsBadInputs) {
  auto node = Node("RNN", 5).Int("hidden_size", 2);
  const Tensor x = Sequence({3, 1, 2}, 0.1f, 0);
  const Tensor r = Sequence({1, 2, 2}, 0.1f, 0);
  EXPECT_NE(RunError(node, {x, Sequence({1, 2, 3}, 0.1f, 0), r, Tensor(), Tensor()})
                .find("input 1 (W): expected shape [1, 2, 2], got [1, 2, 3]"),
            std::string::npos);
  EXPECT_NE(
      RunError(node, {x, Sequence({1, 2, 2}, 0.1f, 0), r, Tensor(), MakeTensor<int32_t>({1}, {4})})
          .find("input 4 (sequence_lens): entry 0 is 4, outside [0, 3]"),
      std::string::npos);
  EXPECT_NE(RunError(node, {x, MakeTensor<double>({1, 2, 2}, {1, 2, 3, 4}), r})
                .find("input 1 (W): element type"),
            std::string::npos);
}

}  // namespace
}  // namespace mlos::engine::testing
