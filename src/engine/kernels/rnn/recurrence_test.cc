#include "engine/kernels/rnn/recurrence.h"

#include <gtest/gtest.h>

#include <vector>

namespace mlos::engine {
namespace {

std::vector<double> Apply(ActivationKind kind, float alpha, float beta, float clip = 0.0f) {
  std::vector<double> values = {-2, -0.5, 0, 0.5, 2};
  ApplyActivation<double>({kind, alpha, beta}, clip, values.data(),
                          static_cast<int64_t>(values.size()));
  return values;
}

// alpha and beta are floats, so goldens computed with their decimal values match to ~1e-7.
void ExpectNear(const std::vector<double>& actual, const std::vector<double>& expected) {
  ASSERT_EQ(actual.size(), expected.size());
  for (size_t i = 0; i < expected.size(); ++i) EXPECT_NEAR(actual[i], expected[i], 1e-7) << i;
}

TEST(ActivationTest, EveryActivationOfTheSpec) {
  using enum ActivationKind;
  ExpectNear(Apply(kRelu, 0, 0), {0, 0, 0, 0.5, 2});
  ExpectNear(Apply(kTanh, 0, 0), {-0.96402758, -0.462117157, 0, 0.462117157, 0.96402758});
  ExpectNear(Apply(kSigmoid, 0, 0), {0.119202922, 0.377540669, 0.5, 0.622459331, 0.880797078});
  ExpectNear(Apply(kAffine, 0.5, 0.25), {-0.75, 0, 0.25, 0.5, 1.25});
  ExpectNear(Apply(kLeakyRelu, 0.2f, 0), {-0.4, -0.1, 0, 0.5, 2});
  ExpectNear(Apply(kThresholdedRelu, 0.5, 0), {0, 0, 0, 0, 2});
  ExpectNear(Apply(kScaledTanh, 2, 0.5), {-1.52318831, -0.489837325, 0, 0.489837325, 1.52318831});
  ExpectNear(Apply(kHardSigmoid, 0.3f, 0.4f), {0, 0.25, 0.4, 0.55, 1});
  ExpectNear(Apply(kElu, 0.7f, 0), {-0.605265302, -0.275428538, 0, 0.5, 2});
  ExpectNear(Apply(kSoftsign, 0, 0), {-0.666666667, -0.333333333, 0, 0.333333333, 0.666666667});
  ExpectNear(Apply(kSoftplus, 0, 0),
             {0.126928011, 0.474076984, 0.693147181, 0.974076984, 2.12692801});
}

TEST(ActivationTest, ClipBoundsTheInput) {
  ExpectNear(Apply(ActivationKind::kTanh, 0, 0, 1.0f),
             {-0.761594156, -0.462117157, 0, 0.462117157, 0.761594156});
}

TEST(ActivationTest, SoftplusDoesNotOverflow) {
  std::vector<float> values = {200.0f, -200.0f};
  ApplyActivation<float>({ActivationKind::kSoftplus, 0, 0}, 0.0f, values.data(), 2);
  EXPECT_FLOAT_EQ(values[0], 200.0f);
  EXPECT_NEAR(values[1], 0.0f, 1e-30);
}

}  // namespace
}  // namespace mlos::engine
