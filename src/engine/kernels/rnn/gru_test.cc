// Goldens from an independent numpy implementation of the ONNX equations (see rnn_test.cc).
#include <gtest/gtest.h>

#include "engine/kernels/rnn/recurrent_test_util.h"

namespace mlos::engine::testing {
namespace {

TEST(GruTest, BidirectionalLinearBeforeResetWithSequenceLens) {
  auto node = Node("GRU", 6, 2).String("direction", "bidirectional").Int("linear_before_reset", 1);
  auto result = RunNode(node.Build(), 14,
                        {Sequence({3, 2, 2}, 0.1f, -0.6f), Sequence({2, 6, 2}, 0.05f, -0.6f),
                         Sequence({2, 6, 2}, 0.07f, -0.8f), Sequence({2, 12}, 0.04f, -0.5f),
                         MakeTensor<int32_t>({2}, {3, 2}), Sequence({2, 2, 2}, 0.15f, -0.6f)});
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  ExpectTensorNear<float>((*result)[0], {3, 2, 2, 2},
                          {-0.423796505,
                           -0.357800812,
                           -0.256317466,
                           -0.202084661,
                           0.280902296,
                           0.351734906,
                           0.452150762,
                           0.557787299,
                           -0.337530762,
                           -0.313545913,
                           -0.309048891,
                           -0.265392721,
                           0.346034825,
                           0.436480075,
                           0.445964307,
                           0.56035322,
                           -0.370750695,
                           -0.323154271,
                           0,
                           0,
                           0.255226433,
                           0.359574586,
                           0,
                           0},
                          1e-5, 1e-6);
  // The backward direction ends at step 0; batch entry 1 (length 2) ends forward at step 1.
  ExpectTensorNear<float>((*result)[1], {2, 2, 2},
                          {-0.370750695, -0.323154271, -0.309048891, -0.265392721, 0.280902296,
                           0.351734906, 0.452150762, 0.557787299});
}

TEST(GruTest, ResetBeforeLinearBatchMajorWithClipAndHardSigmoid) {
  // HardSigmoid takes alpha 0.3 and beta 0.4; Softsign takes neither.
  auto node = Node("GRU", 4, 2)
                  .Int("layout", 1)
                  .Float("clip", 0.6f)
                  .Floats("activation_alpha", {0.3f})
                  .Floats("activation_beta", {0.4f});
  auto result = RunNode(WithActivations(node, {"HardSigmoid", "Softsign"}), 14,
                        {Sequence({2, 3, 2}, 0.2f, -1.0f), Sequence({1, 6, 2}, 0.1f, -0.5f),
                         Sequence({1, 6, 2}, 0.12f, -0.7f), Sequence({1, 12}, 0.05f, -0.3f)});
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  ExpectTensorNear<float>(
      (*result)[0], {2, 3, 1, 2},
      {-0.151894748, -0.195749998, -0.184952438, -0.247987017, -0.0866283476, -0.0986711606,
       0.186181813, 0.246155843, 0.333460003, 0.346654296, 0.365861207, 0.368763953});
  ExpectTensorNear<float>((*result)[1], {2, 1, 2},
                          {-0.0866283476, -0.0986711606, 0.365861207, 0.368763953});
}

TEST(GruTest, HiddenSizeMustMatchR) {
  auto node = Node("GRU", 3).Int("hidden_size", 3);
  EXPECT_NE(RunError(node, {Sequence({1, 1, 2}, 0.1f, 0), Sequence({1, 6, 2}, 0.1f, 0),
                            Sequence({1, 6, 2}, 0.1f, 0)})
                .find("input 1 (W): expected shape [1, 9, 2], got [1, 6, 2]"),
            std::string::npos);
}

}  // namespace
}  // namespace mlos::engine::testing
