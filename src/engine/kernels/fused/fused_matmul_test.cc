#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "engine/kernels/common/kernel_test_util.h"

namespace mlos::engine::testing {
namespace {

// activation(alpha * a x b + bias) computed the plain way; a is [rows, k], b is [k, n].
std::vector<float> Reference(const Tensor& a, const Tensor& b, const std::vector<float>& bias,
                             float alpha, const std::string& activation) {
  const int64_t k = b.shape()[0], n = b.shape()[1], rows = a.element_count() / k;
  std::vector<float> y;
  for (int64_t r = 0; r < rows; ++r) {
    for (int64_t j = 0; j < n; ++j) {
      double sum = 0;
      for (int64_t i = 0; i < k; ++i) sum += a.data<float>()[r * k + i] * b.data<float>()[i * n + j];
      double v = alpha * sum + (bias.empty() ? 0.0 : bias[j]);
      if (activation == "Relu") v = std::max(v, 0.0);
      if (activation == "Gelu") v = 0.5 * v * (1.0 + std::erf(v / std::sqrt(2.0)));
      y.push_back(static_cast<float>(v));
    }
  }
  return y;
}

TEST(FusedMatMulTest, AppliesAlphaBiasAndRelu) {
  Tensor a = Sequence({2, 3, 5}, 0.1f, -0.7f);
  Tensor b = Sequence({5, 11}, -0.05f, 0.9f);  // 11 columns: a vector body and a scalar tail
  std::vector<float> bias;
  for (int j = 0; j < 11; ++j) bias.push_back(0.3f * static_cast<float>(j) - 1.5f);
  Tensor y = RunOne(NodeBuilder("FusedMatMul", "com.mlos")
                        .Inputs(3)
                        .Outputs(1)
                        .Float("alpha", 0.5f)
                        .String("activation", "Relu"),
                    {a, b, MakeTensor<float>({11}, bias)}, 1);
  ExpectTensorNear<float>(y, {2, 3, 11}, Reference(a, b, bias, 0.5f, "Relu"));
}

TEST(FusedMatMulTest, AppliesBiasAndGelu) {
  Tensor a = Sequence({4, 6}, 0.2f, -2.0f);
  Tensor b = Sequence({6, 9}, 0.03f, -0.8f);
  std::vector<float> bias(9, 0.25f);
  Tensor y = RunOne(
      NodeBuilder("FusedMatMul", "com.mlos").Inputs(3).Outputs(1).String("activation", "Gelu"),
      {a, b, MakeTensor<float>({9}, bias)}, 1);
  ExpectTensorNear<float>(y, {4, 9}, Reference(a, b, bias, 1.0f, "Gelu"));
}

TEST(FusedMatMulTest, ScalesABatchedProductWithoutBias) {
  Tensor a = Sequence({2, 3, 4}, 0.1f, -1.0f);
  Tensor b = Sequence({4, 5}, 0.2f, -1.0f);
  Tensor y = RunOne(NodeBuilder("FusedMatMul", "com.mlos").Inputs(2).Outputs(1).Float("alpha", 0.125f),
                    {a, b}, 1);
  ExpectTensorNear<float>(y, {2, 3, 5}, Reference(a, b, {}, 0.125f, ""));
}

TEST(FusedMatMulTest, RejectsABiasOfTheWrongLength) {
  const std::string error =
      RunError(NodeBuilder("FusedMatMul", "com.mlos").Inputs(3).Outputs(1),
               {Sequence({2, 3}, 1.0f, 0.0f), Sequence({3, 4}, 1.0f, 0.0f), Sequence({3}, 1.0f, 0.0f)},
               1);
  EXPECT_NE(error.find("input 2 (bias) has shape [3], expected [4]"), std::string::npos) << error;
}

TEST(FusedMatMulTest, RejectsAnUnknownActivation) {
  const std::string error = RunError(
      NodeBuilder("FusedMatMul", "com.mlos").Inputs(2).Outputs(1).String("activation", "Tanh"),
      {Sequence({2, 3}, 1.0f, 0.0f), Sequence({3, 4}, 1.0f, 0.0f)}, 1);
  EXPECT_NE(error.find("attribute activation: 'Tanh'"), std::string::npos) << error;
}

}  // namespace
}  // namespace mlos::engine::testing
