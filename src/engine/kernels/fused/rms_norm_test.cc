#include <gtest/gtest.h>

#include <cmath>

#include "engine/kernels/common/kernel_test_util.h"

namespace mlos::engine::testing {
namespace {

TEST(RmsNormTest, NormalizesEachLastAxisRowAndScales) {
  Tensor x = Sequence({2, 5}, 0.7f, -2.0f);
  const std::vector<float> scale = {1.0f, 0.5f, 2.0f, -1.0f, 3.0f};
  Tensor y = RunOne(NodeBuilder("RmsNorm", "com.mlos").Inputs(2).Outputs(1).Float("epsilon", 0.01f),
                    {x, MakeTensor<float>({5}, scale)}, 1);
  std::vector<float> expected;
  for (int row = 0; row < 2; ++row) {
    double sum = 0;
    for (int j = 0; j < 5; ++j) sum += std::pow(x.data<float>()[row * 5 + j], 2);
    const double inverse = 1.0 / std::sqrt(sum / 5 + 0.01);
    for (int j = 0; j < 5; ++j) {
      expected.push_back(static_cast<float>(x.data<float>()[row * 5 + j] * inverse * scale[j]));
    }
  }
  ExpectTensorNear<float>(y, {2, 5}, expected);
}

TEST(RmsNormTest, RejectsAScaleOfTheWrongLength) {
  const std::string error = RunError(NodeBuilder("RmsNorm", "com.mlos").Inputs(2).Outputs(1),
                                     {Sequence({2, 5}, 1.0f, 0.0f), Sequence({4}, 1.0f, 0.0f)}, 1);
  EXPECT_NE(error.find("input 1 (scale) has shape [4], expected [5]"), std::string::npos) << error;
}

}  // namespace
}  // namespace mlos::engine::testing
