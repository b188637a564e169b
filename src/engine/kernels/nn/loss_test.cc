#include <gtest/gtest.h>

#include "engine/kernels/common/kernel_test_util.h"

namespace mlos::engine::testing {
namespace {

// [N = 2, C = 3, D = 2].
Tensor Input() { return MakeTensor<float>({2, 3, 2}, {1, 2, 0.5, -1, 3, 0, -2, 1, 0, 0, 1, 1}); }

TEST(LossTest, NegativeLogLikelihoodWeightedWithIgnoreIndex) {
  const Tensor target = MakeTensor<int64_t>({2, 2}, {2, 0, 1, -1});
  const Tensor weight = MakeTensor<float>({3}, {0.5, 1, 2});
  auto none = RunNode(NodeBuilder("NegativeLogLikelihoodLoss")
                          .Inputs(3)
                          .Outputs(1)
                          .String("reduction", "none")
                          .Int("ignore_index", -1)
                          .Build(),
                      13, {Input(), target, weight});
  ASSERT_TRUE(none.ok()) << none.status().ToString();
  ExpectTensorNear<float>((*none)[0], {2, 2}, {-6, -1, 0, 0});
  auto mean = RunNode(
      NodeBuilder("NegativeLogLikelihoodLoss").Inputs(3).Outputs(1).Int("ignore_index", -1).Build(),
      13, {Input(), target, weight});
  ASSERT_TRUE(mean.ok()) << mean.status().ToString();
  ExpectTensorNear<float>((*mean)[0], {}, {-2});
}

TEST(LossTest, NegativeLogLikelihoodUnweightedMeanAndSum) {
  const Tensor target = MakeTensor<int32_t>({2, 2}, {2, 0, 1, 1});
  auto mean = RunNode(NodeBuilder("NegativeLogLikelihoodLoss").Inputs(2).Outputs(1).Build(), 13,
                      {Input(), target});
  ASSERT_TRUE(mean.ok()) << mean.status().ToString();
  ExpectTensorNear<float>((*mean)[0], {}, {-1.25});
  auto sum = RunNode(NodeBuilder("NegativeLogLikelihoodLoss")
                         .Inputs(2)
                         .Outputs(1)
                         .String("reduction", "sum")
                         .Build(),
                     13, {Input(), target});
  ASSERT_TRUE(sum.ok()) << sum.status().ToString();
  ExpectTensorNear<float>((*sum)[0], {}, {-5});
}

TEST(LossTest, SoftmaxCrossEntropyWithLogProbabilities) {
  auto node = NodeBuilder("SoftmaxCrossEntropyLoss").Inputs(2).Outputs(2).Build();
  auto result = RunNode(node, 13, {Input(), MakeTensor<int64_t>({2, 2}, {2, 0, 1, 1})});
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  ExpectTensorNear<float>((*result)[0], {}, {0.8943968f});
  ExpectTensorNear<float>(
      (*result)[1], {2, 3, 2},
      {-2.196734f, -0.169846f, -2.696734f, -3.169846f, -0.1967341f, -2.169846f, -3.349012f,
       -0.8619948f, -1.349012f, -1.861995f, -0.3490122f, -0.8619948f});
}

TEST(LossTest, RejectsOutOfRangeTargetAndBadReduction) {
  auto node = NodeBuilder("NegativeLogLikelihoodLoss").Inputs(2).Outputs(1).Build();
  auto result = RunNode(node, 13, {Input(), MakeTensor<int64_t>({2, 2}, {3, 0, 1, 1})});
  ASSERT_FALSE(result.ok());
  EXPECT_NE(
      result.status().message().find("input 1 (target): class 3 at element 0 is outside [0, 3)"),
      std::string::npos)
      << result.status().message();
  auto reduction = RunNode(NodeBuilder("SoftmaxCrossEntropyLoss")
                               .Inputs(2)
                               .Outputs(1)
                               .String("reduction", "avg")
                               .Build(),
                           13, {Input(), MakeTensor<int64_t>({2, 2}, {0, 0, 0, 0})});
  ASSERT_FALSE(reduction.ok());
  EXPECT_NE(reduction.status().message().find(
                "attribute reduction: expected none, sum or mean, got 'avg'"),
            std::string::npos);
}

}  // namespace
}  // namespace mlos::engine::testing
