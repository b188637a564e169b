// Goldens from an independent numpy implementation of the ONNX equations (see rnn_test.cc).
#include <gtest/gtest.h>

#include "engine/kernels/rnn/recurrent_test_util.h"

namespace mlos::engine::testing {
namespace {

TEST(LstmTest, PeepholesAndInitialStatesGiveYYhAndYc) {
  auto node = Node("LSTM", 8, 3);
  auto result = RunNode(WithOutputs(node.Build(), {"Y", "Y_h", "Y_c"}), 14,
                        {Sequence({3, 2, 2}, 0.1f, -0.5f), Sequence({1, 8, 2}, 0.06f, -0.5f),
                         Sequence({1, 8, 2}, 0.05f, -0.4f), Sequence({1, 16}, 0.03f, -0.2f),
                         Tensor(), Sequence({1, 2, 2}, 0.2f, -0.3f),
                         Sequence({1, 2, 2}, 0.3f, -0.4f), Sequence({1, 6}, 0.2f, -0.5f)});
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  ExpectTensorNear<float>(
      (*result)[0], {3, 1, 2, 2},
      {-0.146543041, -0.0858619288, 0.0917550549, 0.195573881, -0.0331394821, -0.00226865266,
       0.101265244, 0.196756795, 0.0471603796, 0.094538562, 0.106809601, 0.214063495});
  ExpectTensorNear<float>((*result)[1], {1, 2, 2},
                          {0.0471603796, 0.094538562, 0.106809601, 0.214063495});
  ExpectTensorNear<float>((*result)[2], {1, 2, 2},
                          {0.105238676, 0.194481283, 0.267070949, 0.476844132});
}

TEST(LstmTest, BidirectionalBatchMajorWithSequenceLens) {
  auto node = Node("LSTM", 5, 3).String("direction", "bidirectional").Int("layout", 1);
  auto result =
      RunNode(node.Build(), 14,
              {Sequence({2, 3, 1}, 0.3f, -0.7f), Sequence({2, 8, 1}, 0.1f, -0.8f),
               Sequence({2, 8, 2}, 0.04f, -0.6f), Tensor(), MakeTensor<int32_t>({2}, {1, 3})});
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  // Y is [batch, seq, directions, hidden]; batch entry 0 has one step, so both its directions
  // see only X[0, 0] and its steps 1 and 2 are zero.
  ExpectTensorNear<float>((*result)[0], {2, 3, 2, 2},
                          {0.0532846786,
                           0.0254061669,
                           -0.0911046192,
                           -0.0965760648,
                           0,
                           0,
                           0,
                           0,
                           0,
                           0,
                           0,
                           0,
                           -0.0086446777,
                           -0.00441752141,
                           0.178585887,
                           0.215303794,
                           -0.0204433762,
                           -0.0109257391,
                           0.175600991,
                           0.213103518,
                           -0.0286822822,
                           -0.0161542781,
                           0.118506722,
                           0.144499242});
  ExpectTensorNear<float>((*result)[1], {2, 2, 2},
                          {0.0532846786, 0.0254061669, -0.0911046192, -0.0965760648, -0.0286822822,
                           -0.0161542781, 0.178585887, 0.215303794});
  ExpectTensorNear<float>((*result)[2], {2, 2, 2},
                          {0.0885257348, 0.0433367006, -0.198465198, -0.219162658, -0.074557431,
                           -0.0400147662, 0.349563241, 0.418440461});
}

TEST(LstmTest, InputForgetClipAndActivationParameters) {
  // alpha goes to ScaledTanh (0.8) then Elu (0.5); beta to ScaledTanh (1.5).
  auto node = Node("LSTM", 3, 3)
                  .Int("input_forget", 1)
                  .Float("clip", 0.5f)
                  .Floats("activation_alpha", {0.8f, 0.5f})
                  .Floats("activation_beta", {1.5f});
  auto result = RunNode(WithActivations(node, {"Sigmoid", "ScaledTanh", "Elu"}), 7,
                        {Sequence({2, 1, 2}, 0.6f, -0.9f), Sequence({1, 8, 2}, 0.09f, -0.7f),
                         Sequence({1, 8, 2}, 0.1f, -0.8f)});
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  ExpectTensorNear<float>((*result)[0], {2, 1, 1, 2},
                          {-0.0788729638, -0.07336656, -0.00192267424, 0.00140811992});
  ExpectTensorNear<float>((*result)[1], {1, 1, 2}, {-0.00192267424, 0.00140811992});
  ExpectTensorNear<float>((*result)[2], {1, 1, 2}, {-0.0089398222, 0.00294559915});
}

TEST(LstmTest, RejectsPeepholesOfTheWrongSize) {
  auto node = Node("LSTM", 8);
  EXPECT_NE(RunError(node, {Sequence({1, 1, 1}, 0.1f, 0), Sequence({1, 4, 1}, 0.1f, 0),
                            Sequence({1, 4, 1}, 0.1f, 0), Tensor(), Tensor(), Tensor(), Tensor(),
                            Sequence({1, 2}, 0.1f, 0)})
                .find("input 7 (P): expected shape [1, 3], got [1, 2]"),
            std::string::npos);
}

}  // namespace
}  // namespace mlos::engine::testing
