#include <gtest/gtest.h>

#include <cmath>

#include "engine/kernels/common/kernel_test_util.h"

namespace mlos::engine::testing {
namespace {

TEST(FusedGeluTest, ExactFormMatchesErf) {
  Tensor x = Sequence({3, 7}, 0.37f, -4.0f);
  Tensor y = RunOne(NodeBuilder("Gelu", "com.mlos").Inputs(1).Outputs(1), {x}, 1);
  ASSERT_EQ(y.shape(), x.shape());
  for (int64_t i = 0; i < x.element_count(); ++i) {
    const double v = x.data<float>()[i];
    const double expected = 0.5 * v * (1.0 + std::erf(v / std::sqrt(2.0)));
    EXPECT_NEAR(y.data<float>()[i], expected, 1e-6 * std::max(1.0, std::fabs(expected))) << v;
  }
}

TEST(FusedGeluTest, TanhFormMatchesTanh) {
  Tensor x = Sequence({21}, 0.37f, -4.0f);
  Tensor y = RunOne(
      NodeBuilder("Gelu", "com.mlos").Inputs(1).Outputs(1).String("approximation", "tanh"), {x}, 1);
  for (int64_t i = 0; i < x.element_count(); ++i) {
    const double v = x.data<float>()[i];
    const double expected =
        0.5 * v * (1.0 + std::tanh(std::sqrt(2.0 / M_PI) * (v + 0.044715 * v * v * v)));
    EXPECT_NEAR(y.data<float>()[i], expected, 1e-6 * std::max(1.0, std::fabs(expected))) << v;
  }
}

TEST(FusedGeluTest, RejectsAnUnknownApproximation) {
  EXPECT_NE(RunError(NodeBuilder("Gelu", "com.mlos").Inputs(1).Outputs(1).String("approximation",
                                                                               "sigmoid"),
                     {Sequence({2}, 1.0f, 0.0f)}, 1)
                .find("attribute approximation: 'sigmoid'"),
            std::string::npos);
}

}  // namespace
}  // namespace mlos::engine::testing
