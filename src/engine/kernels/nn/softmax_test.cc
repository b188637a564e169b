#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "engine/kernels/common/kernel_test_util.h"

namespace mlos::engine::testing {
namespace {

// [2, 3, 2] values i * 0.3 - 1.
Tensor Data() {
  std::vector<float> values;
  for (int i = 0; i < 12; ++i) values.push_back(static_cast<float>(i) * 0.3f - 1.0f);
  return MakeTensor<float>({2, 3, 2}, values);
}

TEST(SoftmaxTest, Opset13NormalizesOneAxis) {
  auto node = NodeBuilder("Softmax").Inputs(1).Outputs(1).Int("axis", 1).Build();
  auto result = RunNode(node, 13, {Data()});
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  ExpectTensorNear<float>(
      (*result)[0], {2, 3, 2},
      {0.16280715f, 0.16280715f, 0.29665399f, 0.29665399f, 0.54053885f, 0.54053885f, 0.16280715f,
       0.16280715f, 0.29665399f, 0.29665399f, 0.54053885f, 0.54053885f});
}

TEST(SoftmaxTest, BeforeOpset13CoercesTo2D) {
  auto node = NodeBuilder("Softmax").Inputs(1).Outputs(1).Build();  // axis defaults to 1
  auto result = RunNode(node, 11, {Data()});
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  ExpectTensorNear<float>(
      (*result)[0], {2, 3, 2},
      {0.069283806f, 0.093523353f, 0.12624334f, 0.17041069f, 0.23003034f, 0.31050849f, 0.069283806f,
       0.093523353f, 0.12624334f, 0.17041069f, 0.23003034f, 0.31050849f});
}

TEST(SoftmaxTest, LogSoftmaxDefaultsToLastAxis) {
  auto node = NodeBuilder("LogSoftmax").Inputs(1).Outputs(1).Build();
  auto result = RunNode(node, 13, {Data()});
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  std::vector<float> expected;
  for (int i = 0; i < 6; ++i) expected.insert(expected.end(), {-0.85435528f, -0.55435526f});
  ExpectTensorNear<float>((*result)[0], {2, 3, 2}, expected);
}

TEST(SoftmaxTest, HardmaxMarksFirstMaximum) {
  auto node = NodeBuilder("Hardmax").Inputs(1).Outputs(1).Build();
  auto result = RunNode(node, 13, {MakeTensor<double>({2, 3}, {1, 3, 3, -1, -2, -0.5})});
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  ExpectTensorNear<double>((*result)[0], {2, 3}, {0, 1, 0, 0, 0, 1});
}

// Long rows over the last axis take the vectorised path: check it (body and tail, large values,
// masked -inf entries) against softmax computed in double.
TEST(SoftmaxTest, LastAxisRowsMatchDoublePrecision) {
  const int64_t rows = 5, extent = 37;
  std::vector<float> values;
  for (int64_t i = 0; i < rows * extent; ++i) {
    values.push_back(static_cast<float>((i * 7919) % 200) * 0.37f - 30.0f);
  }
  values[3] = -std::numeric_limits<float>::infinity();
  values[extent + 36] = -3.4e38f;
  auto node = NodeBuilder("Softmax").Inputs(1).Outputs(1).Build();
  auto result = RunNode(node, 13, {MakeTensor<float>({rows, extent}, values)});
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  std::vector<float> expected;
  for (int64_t r = 0; r < rows; ++r) {
    double max = -1e300, sum = 0;
    for (int64_t j = 0; j < extent; ++j) max = std::max(max, double{values[r * extent + j]});
    for (int64_t j = 0; j < extent; ++j) sum += std::exp(values[r * extent + j] - max);
    for (int64_t j = 0; j < extent; ++j) {
      expected.push_back(static_cast<float>(std::exp(values[r * extent + j] - max) / sum));
    }
  }
  ExpectTensorNear<float>((*result)[0], {rows, extent}, expected, 1e-6, 1e-9);
  EXPECT_EQ((*result)[0].data<float>()[3], 0.0f);
}

TEST(SoftmaxTest, RejectsBadAxis) {
  auto node = NodeBuilder("Softmax").Inputs(1).Outputs(1).Int("axis", -4).Build();
  auto result = RunNode(node, 13, {Data()});
  ASSERT_FALSE(result.ok());
  EXPECT_NE(result.status().message().find("axis -4 is out of range [-3, 2]"), std::string::npos)
      << result.status().message();
}

TEST(SoftmaxTest, RejectsIntegerInput) {
  auto node = NodeBuilder("Softmax").Inputs(1).Outputs(1).Build();
  auto result = RunNode(node, 13, {MakeTensor<int64_t>({2}, {1, 2})});
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), StatusCode::kUnimplemented);
}

}  // namespace
}  // namespace mlos::engine::testing
