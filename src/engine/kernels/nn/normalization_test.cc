#include <gtest/gtest.h>

#include "engine/kernels/common/kernel_test_util.h"

namespace mlos::engine::testing {
namespace {

std::vector<float> Sequence(int count, float scale, float shift, bool squared) {
  std::vector<float> values;
  for (int i = 0; i < count; ++i) {
    const float value = static_cast<float>(i) * scale + shift;
    values.push_back(squared ? value * value : value);
  }
  return values;
}

std::vector<Tensor> BatchNormInputs() {
  return {MakeTensor<float>({2, 2, 3}, Sequence(12, 0.5f, -1, false)),
          MakeTensor<float>({2}, {1, 2}), MakeTensor<float>({2}, {0.5, -0.5}),
          MakeTensor<float>({2}, {0.2, 1}), MakeTensor<float>({2}, {1.5, 0.25})};
}

const std::vector<float> kBatchNormExpected = {-0.4794695f, -0.07135719f, 0.3367551f, -2.496012f,
                                               -0.5f,       1.496012f,    1.969204f,  2.377316f,
                                               2.785429f,   9.48006f,     11.47607f,  13.47208f};

TEST(BatchNormTest, InferenceWithRuntimeParameters) {
  auto node =
      NodeBuilder("BatchNormalization").Inputs(5).Outputs(1).Float("epsilon", 1e-3f).Build();
  auto result = RunNode(node, 15, BatchNormInputs());
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  ExpectTensorNear<float>((*result)[0], {2, 2, 3}, kBatchNormExpected);
}

TEST(BatchNormTest, InferenceWithFoldedConstantParameters) {
  auto node =
      NodeBuilder("BatchNormalization").Inputs(5).Outputs(1).Float("epsilon", 1e-3f).Build();
  auto result = RunNode(node, 9, BatchNormInputs(), /*inputs_are_constant=*/true);
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  ExpectTensorNear<float>((*result)[0], {2, 2, 3}, kBatchNormExpected);
}

TEST(BatchNormTest, RejectsWrongParameterShape) {
  std::vector<Tensor> inputs = BatchNormInputs();
  inputs[3] = MakeTensor<float>({3}, {1, 2, 3});
  auto node = NodeBuilder("BatchNormalization").Inputs(5).Outputs(1).Build();
  auto result = RunNode(node, 15, inputs);
  ASSERT_FALSE(result.ok());
  EXPECT_NE(result.status().message().find("input 3 (input_mean): expected shape [2], got [3]"),
            std::string::npos)
      << result.status().message();
}

TEST(BatchNormTest, TrainingModeUsesBatchStatisticsAndBlendsRunningOnes) {
  auto node = NodeBuilder("BatchNormalization")
                  .Inputs(5)
                  .Outputs(3)
                  .Int("training_mode", 1)
                  .Float("epsilon", 1e-3f)
                  .Float("momentum", 0.8f)
                  .Build();
  auto result = RunNode(node, 15, BatchNormInputs());
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  ExpectTensorNear<float>(
      (*result)[0], {2, 2, 3},
      {-0.7862689f, -0.4647017f, -0.1431345f, -3.072538f, -2.429403f, -1.786269f, 1.143134f,
       1.464702f, 1.786269f, 0.7862689f, 1.429403f, 2.072538f});
  ExpectTensorNear<float>((*result)[1], {2}, {0.36f, 1.3f});
  ExpectTensorNear<float>((*result)[2], {2}, {1.6833333f, 0.6833333f});
}

TEST(BatchNormTest, TrainingOutputsBeforeOpset14AreUnimplemented) {
  auto node = NodeBuilder("BatchNormalization").Inputs(5).Outputs(5).Build();
  auto result = RunNode(node, 9, BatchNormInputs());
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), StatusCode::kUnimplemented);
  EXPECT_NE(
      result.status().message().find("output 1 (training statistics) is not supported at opset 9"),
      std::string::npos)
      << result.status().message();
}

TEST(LayerNormTest, LastAxisWithMeanAndInverseStdDev) {
  auto node = NodeBuilder("LayerNormalization").Inputs(3).Outputs(3).Build();
  auto result = RunNode(node, 17,
                        {MakeTensor<float>({2, 3}, Sequence(6, 0.7f, -1, true)),
                         MakeTensor<float>({3}, {1, 0.5, 2}), MakeTensor<float>({3}, {0, 1, -1})});
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  ExpectTensorNear<float>((*result)[0], {2, 3},
                          {1.41079f, 0.6049787f, -2.241496f, -1.138212f, 0.921114f, 1.591968f},
                          1e-5, 1e-5);
  ExpectTensorNear<float>((*result)[1], {2, 1}, {0.4166667f, 3.566667f});
  ExpectTensorNear<float>((*result)[2], {2, 1}, {2.418498f, 0.4829754f});
}

TEST(LayerNormTest, EarlierAxisWithoutBias) {
  auto node = NodeBuilder("LayerNormalization").Inputs(3, {2}).Outputs(1).Int("axis", 1).Build();
  auto result = RunNode(node, 17,
                        {MakeTensor<float>({2, 2, 2}, Sequence(8, 0.3f, 0, true)),
                         MakeTensor<float>({1}, {1}), Tensor()});
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  ExpectTensorNear<float>((*result)[0], {2, 2, 2},
                          {-0.9999496f, -0.7142497f, 0.1428499f, 1.571349f, -1.256178f, -0.5267844f,
                           0.3646969f, 1.418266f},
                          1e-5, 1e-5);
}

TEST(LayerNormTest, RejectsScaleThatDoesNotBroadcast) {
  auto node = NodeBuilder("LayerNormalization").Inputs(2).Outputs(1).Build();
  auto result = RunNode(
      node, 17,
      {MakeTensor<float>({2, 3}, Sequence(6, 1, 0, false)), MakeTensor<float>({2}, {1, 2})});
  ASSERT_FALSE(result.ok());
  EXPECT_NE(result.status().message().find("input 1 (Scale): shape [2] cannot be broadcast to [3]"),
            std::string::npos)
      << result.status().message();
}

TEST(InstanceNormTest, NormalizesEachPlane) {
  auto node = NodeBuilder("InstanceNormalization").Inputs(3).Outputs(1).Build();
  auto result = RunNode(node, 6,
                        {MakeTensor<float>({1, 2, 2, 2}, Sequence(8, 0.5f, 0, true)),
                         MakeTensor<float>({2}, {1, 2}), MakeTensor<float>({2}, {0, 1})});
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  ExpectTensorNear<float>((*result)[0], {1, 2, 2, 2},
                          {-0.9999935f, -0.714281f, 0.1428562f, 1.571418f, -1.512365f, -0.05357261f,
                           1.729396f, 3.836542f},
                          1e-5, 1e-5);
}

TEST(InstanceNormTest, RejectsWrongScaleShape) {
  auto node = NodeBuilder("InstanceNormalization").Inputs(3).Outputs(1).Build();
  auto result = RunNode(node, 6,
                        {MakeTensor<float>({1, 2, 2}, Sequence(4, 1, 0, false)),
                         MakeTensor<float>({3}, {1, 2, 3}), MakeTensor<float>({2}, {0, 1})});
  ASSERT_FALSE(result.ok());
  EXPECT_NE(result.status().message().find("input 1 (scale): expected shape [2], got [3]"),
            std::string::npos);
}

TEST(MeanVarianceNormalizationTest, DefaultAxesAndLastAxis) {
  const Tensor x = MakeTensor<float>({1, 3, 2, 2}, Sequence(12, 0.5f, -1, true));
  auto channels =
      RunNode(NodeBuilder("MeanVarianceNormalization").Inputs(1).Outputs(1).Build(), 13, {x});
  ASSERT_TRUE(channels.ok()) << channels.status().ToString();
  ExpectTensorNear<float>((*channels)[0], {1, 3, 2, 2},
                          {1.666667f, -0.3333333f, -1, -0.3333333f, -1.204076f, -0.5703518f,
                           0.3168621f, 1.457566f, -1.279739f, -0.5059434f, 0.3868979f, 1.398785f},
                          1e-5, 1e-5);
  auto last = RunNode(
      NodeBuilder("MeanVarianceNormalization").Inputs(1).Outputs(1).Ints("axes", {-1}).Build(), 13,
      {x});
  ASSERT_TRUE(last.ok()) << last.status().ToString();
  ExpectTensorNear<float>((*last)[0], {1, 3, 2, 2}, {1, -1, -1, 1, -1, 1, -1, 1, -1, 1, -1, 1},
                          1e-5, 1e-5);
}

TEST(MeanVarianceNormalizationTest, RejectsAxisBeyondRank) {
  auto result = RunNode(NodeBuilder("MeanVarianceNormalization").Inputs(1).Outputs(1).Build(), 13,
                        {MakeTensor<float>({2, 2}, {1, 2, 3, 4})});
  ASSERT_FALSE(result.ok());
  EXPECT_NE(result.status().message().find("attribute axes: axis 2 is out of range [-2, 1]"),
            std::string::npos)
      << result.status().message();
}

}  // namespace
}  // namespace mlos::engine::testing
