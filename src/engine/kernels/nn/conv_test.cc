#include "engine/kernels/nn/conv.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

#include "engine/kernels/common/kernel_test_util.h"

namespace mlos::engine::testing {
namespace {

// Runs RunConv on the whole batch (which may take the stacked-GEMM path) and on each image alone
// (batch 1: the per-image path) and expects the same output.
template <typename T>
void ExpectBatchMatchesSingleImages(const Shape& x_shape, const Shape& w_shape,
                                    const WindowAttributes& window, int64_t group, bool bias) {
  std::mt19937 random(7);
  std::uniform_real_distribution<double> uniform(-1, 1);
  const auto values = [&](int64_t count) {
    std::vector<T> out(static_cast<size_t>(count));
    for (T& value : out) value = static_cast<T>(uniform(random));
    return out;
  };
  const Shape bias_shape{w_shape[0]};
  auto plan = PlanConv(x_shape, w_shape, bias ? &bias_shape : nullptr, window, group);
  ASSERT_TRUE(plan.ok()) << plan.status().ToString();
  Shape image_shape = x_shape;
  image_shape[0] = 1;
  auto image_plan = PlanConv(image_shape, w_shape, bias ? &bias_shape : nullptr, window, group);
  ASSERT_TRUE(image_plan.ok()) << image_plan.status().ToString();
  const std::vector<T> x = values(ElementCount(x_shape)), w = values(ElementCount(w_shape)),
                       b = values(w_shape[0]);
  std::vector<T> batched(static_cast<size_t>(ElementCount(plan->output_shape)));
  RunConv<T>(*plan, x.data(), w.data(), bias ? b.data() : nullptr, batched.data(), nullptr);
  const int64_t image_in = ElementCount(image_shape);
  const int64_t image_out = ElementCount(image_plan->output_shape);
  for (int64_t n = 0; n < x_shape[0]; ++n) {
    std::vector<T> single(static_cast<size_t>(image_out));
    RunConv<T>(*image_plan, x.data() + n * image_in, w.data(), bias ? b.data() : nullptr,
               single.data(), nullptr);
    for (int64_t i = 0; i < image_out; ++i) {
      ASSERT_NEAR(batched[n * image_out + i], single[i], 1e-4) << "image " << n << " element " << i;
    }
  }
}

TEST(ConvTest, BatchOfSmallImagesMatchesSingleImages) {
  // 10x10 outputs: the batch of 7 runs as GEMMs of 4 and 3 images side by side.
  WindowAttributes padded;
  padded.pads = {1, 1, 1, 1};
  ExpectBatchMatchesSingleImages<float>({7, 4, 10, 10}, {6, 2, 3, 3}, padded, 2, true);
  WindowAttributes strided;
  strided.strides = {2, 2};
  strided.dilations = {2, 1};
  ExpectBatchMatchesSingleImages<double>({3, 3, 9, 8}, {5, 3, 3, 2}, strided, 1, false);
  WindowAttributes padded_1d;
  padded_1d.pads = {1, 1};
  ExpectBatchMatchesSingleImages<float>({5, 2, 7}, {3, 2, 3}, padded_1d, 1, true);
}

TEST(ConvTest, BatchOfPointwiseImagesMatchesSingleImages) {
  ExpectBatchMatchesSingleImages<float>({7, 6, 7, 7}, {9, 2, 1, 1}, {}, 3, true);
  ExpectBatchMatchesSingleImages<double>({4, 5, 3, 3}, {4, 5, 1, 1}, {}, 1, false);
  WindowAttributes strided;
  strided.strides = {2, 2};
  ExpectBatchMatchesSingleImages<float>({6, 8, 14, 14}, {16, 8, 1, 1}, strided, 1, true);
}

TEST(ConvTest, BatchOfLargeImagesMatchesSingleImages) {
  // 32x32 = 1024 outputs per image: one GEMM per image, as for batch 1.
  ExpectBatchMatchesSingleImages<float>({2, 3, 32, 32}, {4, 3, 1, 1}, {}, 1, true);
}

TEST(ConvTest, StridedPaddedWithBias) {
  auto node = NodeBuilder("Conv")
                  .Inputs(3)
                  .Outputs(1)
                  .Ints("strides", {2, 2})
                  .Ints("pads", {1, 1, 1, 1})
                  .Build();
  auto result = RunNode(node, 11,
                        {Sequence({1, 2, 4, 4}, 0.1f, -0.5f), Sequence({3, 2, 3, 3}, 0.05f, -0.4f),
                         MakeTensor<float>({3}, {0.5, -1, 2})});
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  ExpectTensorNear<float>(
      (*result)[0], {1, 3, 2, 2},
      {2.62, 3.72, 3.845, 5.105, 5.08, 9.78, 14.765, 24.665, 12.04, 20.34, 30.185, 48.725}, 1e-5,
      1e-5);
}

TEST(ConvTest, AsymmetricPadsAndKernelShapeAttribute) {
  auto node = NodeBuilder("Conv")
                  .Inputs(2)
                  .Outputs(1)
                  .Ints("pads", {1, 0, 0, 1})
                  .Ints("kernel_shape", {3, 3})
                  .Build();
  auto result = RunNode(
      node, 11, {Sequence({1, 2, 4, 4}, 0.1f, -0.5f), Sequence({3, 2, 3, 3}, 0.05f, -0.4f)});
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  ExpectTensorNear<float>((*result)[0], {1, 3, 3, 3},
                          {3.1,   3.22,  2.02,  4.38,  4.425,  2.655,  4.56,  4.605,  2.655,
                           9.58,  10.78, 7.42,  17.34, 19.005, 12.915, 24,    25.665, 17.235,
                           16.06, 18.34, 12.82, 30.3,  33.585, 23.175, 43.44, 46.725, 31.815},
                          1e-5, 1e-5);
}

TEST(ConvTest, Groups) {
  auto node = NodeBuilder("Conv").Inputs(2).Outputs(1).Int("group", 2).Build();
  auto result =
      RunNode(node, 11, {Sequence({1, 4, 3, 3}, 0.1f, -1), Sequence({2, 2, 2, 2}, 0.1f, -0.3f)});
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  ExpectTensorNear<float>((*result)[0], {1, 2, 2, 2},
                          {0.72, 0.76, 0.84, 0.88, 10.72, 11.4, 12.76, 13.44}, 1e-5, 1e-5);
}

TEST(ConvTest, DepthwiseWithDilationAndBias) {
  auto node = NodeBuilder("Conv")
                  .Inputs(3)
                  .Outputs(1)
                  .Int("group", 2)
                  .Ints("dilations", {2, 2})
                  .Ints("pads", {1, 1, 1, 1})
                  .Build();
  auto result = RunNode(node, 11,
                        {Sequence({1, 2, 4, 4}, 0.02f, -0.3f), Sequence({2, 1, 3, 3}, 0.1f, -0.5f),
                         MakeTensor<float>({2}, {0.25, -0.5})});
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  ExpectTensorNear<float>((*result)[0], {1, 2, 2, 2},
                          {0.262, 0.302, 0.446, 0.542, 0.432, 0.272, -0.056, -0.16}, 1e-5, 1e-5);
}

// The depthwise path (group = channels) against the GEMM path on the same convolution written as
// a dense one whose weights are zero off the diagonal.
TEST(ConvTest, DepthwiseMatchesTheDenseGemmPath) {
  const int64_t channels = 5;
  // 41 columns: rows take the 8-wide, the 4-wide and the checked edge loops.
  const Shape x_shape{2, channels, 11, 41}, w_shape{channels, 1, 3, 3};
  std::vector<float> x(static_cast<size_t>(ElementCount(x_shape))), w(45), dense(5 * 5 * 9, 0);
  for (size_t i = 0; i < x.size(); ++i) x[i] = std::sin(static_cast<float>(i) * 0.7f);
  for (size_t i = 0; i < w.size(); ++i) w[i] = std::cos(static_cast<float>(i) * 1.3f);
  for (int64_t c = 0; c < channels; ++c) {
    std::copy_n(w.begin() + c * 9, 9, dense.begin() + (c * channels + c) * 9);
  }
  const std::vector<float> bias{0.5f, -1, 2, 0, 0.25f};
  const Shape bias_shape{channels};
  WindowAttributes strided, dilated;
  strided.strides = {2, 2};
  strided.pads = {1, 1, 1, 1};
  dilated.dilations = {2, 2};
  dilated.pads = {2, 1, 0, 2};
  for (const WindowAttributes& window : {WindowAttributes{}, strided, dilated}) {
    auto depthwise = PlanConv(x_shape, w_shape, &bias_shape, window, channels);
    auto full = PlanConv(x_shape, {channels, channels, 3, 3}, &bias_shape, window, 1);
    ASSERT_TRUE(depthwise.ok() && full.ok());
    std::vector<float> y(static_cast<size_t>(ElementCount(depthwise->output_shape)), 7);
    std::vector<float> expected(y.size());
    const ConvEpilogue relu{.activation = ConvActivation::kRelu};
    RunConv<float>(*depthwise, x.data(), w.data(), bias.data(), y.data(), nullptr, nullptr, relu);
    RunConv<float>(*full, x.data(), dense.data(), bias.data(), expected.data(), nullptr, nullptr,
                   relu);
    for (size_t i = 0; i < y.size(); ++i) ASSERT_NEAR(y[i], expected[i], 1e-5) << "element " << i;
  }
}

TEST(ConvTest, PointwiseReadsImageDirectly) {
  auto node = NodeBuilder("Conv").Inputs(3).Outputs(1).Build();
  auto result = RunNode(node, 11,
                        {Sequence({1, 3, 2, 2}, 1, 0), Sequence({2, 3, 1, 1}, 0.5f, -1),
                         MakeTensor<float>({2}, {1, 2})},
                        /*inputs_are_constant=*/true);
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  ExpectTensorNear<float>((*result)[0], {1, 2, 2, 2}, {-1, -2.5, -4, -5.5, 18, 21, 24, 27});
}

TEST(ConvTest, OneDimensional) {
  auto node = NodeBuilder("Conv").Inputs(2).Outputs(1).Ints("pads", {1, 1}).Build();
  auto result =
      RunNode(node, 11, {Sequence({1, 1, 5}, 1, 0), MakeTensor<float>({1, 1, 3}, {1, 0, -1})});
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  ExpectTensorNear<float>((*result)[0], {1, 1, 5}, {-1, -2, -2, -2, 3});
}

TEST(ConvTest, ThreeDimensionalDouble) {
  auto node = NodeBuilder("Conv").Inputs(2).Outputs(1).Build();
  std::vector<double> x, w;
  for (int i = 0; i < 27; ++i) x.push_back(i * 0.1);
  for (int i = 0; i < 8; ++i) w.push_back(i - 4.0);
  auto result = RunNode(
      node, 11, {MakeTensor<double>({1, 1, 3, 3, 3}, x), MakeTensor<double>({1, 1, 2, 2, 2}, w)});
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  ExpectTensorNear<double>((*result)[0], {1, 1, 2, 2, 2}, {6, 5.6, 4.8, 4.4, 2.4, 2, 1.2, 0.8},
                           1e-9, 1e-9);
}

TEST(ConvTest, AutoPadSameUpperAndLower) {
  const Tensor x = Sequence({1, 1, 5}, 1, 1);
  const Tensor w = MakeTensor<float>({1, 1, 2}, {1, 2});
  auto upper = RunNode(NodeBuilder("Conv")
                           .Inputs(2)
                           .Outputs(1)
                           .String("auto_pad", "SAME_UPPER")
                           .Ints("strides", {2})
                           .Build(),
                       11, {x, w});
  ASSERT_TRUE(upper.ok()) << upper.status().ToString();
  ExpectTensorNear<float>((*upper)[0], {1, 1, 3}, {5, 11, 5});
  auto lower = RunNode(NodeBuilder("Conv")
                           .Inputs(2)
                           .Outputs(1)
                           .String("auto_pad", "SAME_LOWER")
                           .Ints("strides", {2})
                           .Build(),
                       11, {x, w});
  ASSERT_TRUE(lower.ok()) << lower.status().ToString();
  ExpectTensorNear<float>((*lower)[0], {1, 1, 3}, {2, 8, 14});
}

TEST(ConvTest, RejectsChannelMismatch) {
  auto node = NodeBuilder("Conv").Inputs(2).Outputs(1).Build();
  auto result = RunNode(node, 11, {Sequence({1, 3, 4, 4}, 1, 0), Sequence({2, 2, 3, 3}, 1, 0)});
  ASSERT_FALSE(result.ok());
  EXPECT_NE(result.status().message().find(
                "input 1 (W): 2 channels x group 1 do not match the 3 channels of input 0 (X)"),
            std::string::npos)
      << result.status().message();
}

TEST(ConvTest, RejectsBadAttributes) {
  const Tensor x = Sequence({1, 1, 4, 4}, 1, 0), w = Sequence({1, 1, 3, 3}, 1, 0);
  auto strides =
      RunNode(NodeBuilder("Conv").Inputs(2).Outputs(1).Ints("strides", {1}).Build(), 11, {x, w});
  ASSERT_FALSE(strides.ok());
  EXPECT_NE(strides.status().message().find("attribute strides: expected 2 values, got 1"),
            std::string::npos)
      << strides.status().message();
  auto auto_pad = RunNode(
      NodeBuilder("Conv").Inputs(2).Outputs(1).String("auto_pad", "SAME").Build(), 11, {x, w});
  ASSERT_FALSE(auto_pad.ok());
  EXPECT_NE(auto_pad.status().message().find("auto_pad: unknown value 'SAME'"), std::string::npos);
  auto too_small = RunNode(NodeBuilder("Conv").Inputs(2).Outputs(1).Build(), 11,
                           {Sequence({1, 1, 2, 2}, 1, 0), w});
  ASSERT_FALSE(too_small.ok());
  EXPECT_NE(too_small.status().message().find("smaller than the window 3"), std::string::npos)
      << too_small.status().message();
}

}  // namespace
}  // namespace mlos::engine::testing
