// Goldens from torch.nn.functional.interpolate (torch 1.13) unless noted; the ONNX backend
// suite covers the rest (its Resize cases pass through the conformance runner).
#include <gtest/gtest.h>

#include <algorithm>

#include "engine/kernels/common/kernel_test_util.h"

namespace mlos::engine::testing {
namespace {

// x = i * i * 0.1 - i over [1, 1, 3, 4].
Tensor Parabola() {
  std::vector<float> values;
  for (int i = 0; i < 12; ++i) {
    values.push_back(static_cast<float>(i * i) * 0.1f - static_cast<float>(i));
  }
  return MakeTensor<float>({1, 1, 3, 4}, values);
}

Tensor Sizes(std::vector<int64_t> sizes) {
  const int64_t count = static_cast<int64_t>(sizes.size());
  return MakeTensor<int64_t>({count}, sizes);
}

// Resize-13 with inputs (X, "", "", sizes).
NodeBuilder ResizeBySizes(const std::string& mode, const std::string& coordinates) {
  NodeBuilder node("Resize");
  node.Inputs(4, {1, 2}).Outputs(1).String("mode", mode);
  node.String("coordinate_transformation_mode", coordinates);
  return node;
}

TEST(ResizeTest, LinearHalfPixelMatchesTorchBilinear) {
  Tensor y =
      RunOne(ResizeBySizes("linear", "half_pixel"), {Parabola(), {}, {}, Sizes({1, 1, 5, 7})});
  ExpectTensorNear<float>(
      y, {1, 1, 5, 7},
      {0.0f,        -0.3214286f, -0.8357143f, -1.25f,      -1.635714f,  -1.921429f,  -2.1f,
       -0.9600001f, -1.167143f,  -1.498572f,  -1.73f,      -1.932857f,  -2.035714f,  -2.1f,
       -2.4f,       -2.435714f,  -2.492857f,  -2.45f,      -2.378571f,  -2.207142f,  -2.1f,
       -1.92f,      -1.784285f,  -1.567143f,  -1.25f,      -0.9042854f, -0.4585709f, -0.1799995f,
       -1.6f,       -1.35f,      -0.9499996f, -0.4499997f, 0.07857159f, 0.7071433f,  1.1f},
      1e-5, 1e-5);
}

TEST(ResizeTest, CubicHalfPixelMatchesTorchBicubic) {
  Tensor y =
      RunOne(ResizeBySizes("cubic", "half_pixel"), {Parabola(), {}, {}, Sizes({1, 1, 5, 7})});
  ExpectTensorNear<float>(
      y, {1, 1, 5, 7},
      {0.3273146f, -0.05466631f, -0.6546297f, -1.1723f,    -1.592084f,  -1.951231f,  -2.157228f,
       -0.924588f, -1.181827f,   -1.578313f,  -1.8971f,    -2.118f,     -2.273669f,  -2.354926f,
       -2.390079f, -2.440224f,   -2.498897f,  -2.4875f,    -2.378216f,  -2.196073f,  -2.070235f,
       -2.12757f,  -1.970621f,   -1.691482f,  -1.3499f,    -0.9104317f, -0.3904766f, -0.05754378f,
       -1.600272f, -1.318582f,   -0.8359653f, -0.2954999f, 0.3428513f,  1.066284f,   1.523958f},
      1e-5, 1e-5);
}

TEST(ResizeTest, CubicAlignCornersMatchesTorch) {
  Tensor y =
      RunOne(ResizeBySizes("cubic", "align_corners"), {Parabola(), {}, {}, Sizes({1, 1, 2, 3})});
  ExpectTensorNear<float>(y, {1, 1, 2, 3}, {0.0f, -1.2875f, -2.1f, -1.6f, -0.4874998f, 1.1f}, 1e-5,
                          1e-5);
}

// torch (like Pillow) drops the taps outside the input and renormalizes, which is ONNX's
// exclude_outside; its antialiased bicubic uses a = -0.5.
TEST(ResizeTest, AntialiasMatchesTorch) {
  auto linear = ResizeBySizes("linear", "half_pixel");
  linear.Int("antialias", 1).Int("exclude_outside", 1);
  ExpectTensorNear<float>(RunOne(linear, {Parabola(), {}, {}, Sizes({1, 1, 2, 2})}, 18),
                          {1, 1, 2, 2}, {-1.3f, -1.928571f, -1.585714f, -0.642857f}, 1e-5, 1e-5);
  auto cubic = ResizeBySizes("cubic", "half_pixel");
  cubic.Int("antialias", 1).Int("exclude_outside", 1).Float("cubic_coeff_a", -0.5f);
  ExpectTensorNear<float>(
      RunOne(cubic, {Parabola(), {}, {}, Sizes({1, 1, 2, 3})}, 18), {1, 1, 2, 3},
      {-1.007219f, -1.764241f, -2.191958f, -1.901805f, -1.212074f, -0.1930379f}, 1e-5, 1e-5);
}

TEST(ResizeTest, TrilinearMatchesTorch) {
  Tensor x = MakeTensor<float>({1, 1, 2, 2, 2}, {0, 1, 4, 9, 16, 25, 36, 49});
  Tensor y =
      RunOne(ResizeBySizes("linear", "pytorch_half_pixel"), {x, {}, {}, Sizes({1, 1, 3, 3, 3})});
  ExpectTensorNear<float>(y, {1, 1, 3, 3, 3},
                          {0.0f,  0.5f,  1.0f,  2.0f,  3.5f,  5.0f,  4.0f,  6.5f,  8.999999f,
                           8.0f,  10.5f, 13.0f, 14.0f, 17.5f, 21.0f, 20.0f, 24.5f, 29.0f,
                           16.0f, 20.5f, 25.0f, 26.0f, 31.5f, 37.0f, 36.0f, 42.5f, 48.99999f},
                          1e-5, 1e-5);
}

TEST(ResizeTest, NearestRoundPreferCeilMatchesTorchNearestExact) {
  auto node = ResizeBySizes("nearest", "half_pixel");
  node.String("nearest_mode", "round_prefer_ceil");
  ExpectTensorNear<float>(
      RunOne(node, {Parabola(), {}, {}, Sizes({1, 1, 5, 7})}), {1, 1, 5, 7},
      {0.0f,  0.0f,  -0.9f, -1.6f,       -1.6f, -2.1f,       -2.1f, 0.0f,  0.0f,
       -0.9f, -1.6f, -1.6f, -2.1f,       -2.1f, -2.4f,       -2.4f, -2.5f, -2.4f,
       -2.4f, -2.1f, -2.1f, -1.6f,       -1.6f, -0.8999996f, 0.0f,  0.0f,  1.1f,
       1.1f,  -1.6f, -1.6f, -0.8999996f, 0.0f,  0.0f,        1.1f,  1.1f},
      1e-5, 1e-5);
}

TEST(ResizeTest, HalfPixelSymmetricCentersTheFractionalOutput) {
  // Hand-computed from the ONNX formula: scale 1.7 on 3 gives 5 outputs (5.1 resized),
  // offset 1.5 * (1 - 5 / 5.1) = 0.0294; x(o) = 0.0294 + (o + 0.5) / 1.7 - 0.5.
  NodeBuilder node("Resize");
  node.Inputs(3, {1}).Outputs(1).String("mode", "linear");
  node.String("coordinate_transformation_mode", "half_pixel_symmetric");
  Tensor x = MakeTensor<float>({3}, {0, 10, 20});
  Tensor y = RunOne(node, {x, {}, MakeTensor<float>({1}, {1.7f})}, 19);
  std::vector<float> expected;
  for (int o = 0; o < 5; ++o) {
    const double position = 1.5 * (1 - 5 / (1.7 * 3)) + (o + 0.5) / 1.7 - 0.5;
    expected.push_back(static_cast<float>(10 * std::clamp(position, 0.0, 2.0)));
  }
  ExpectTensorNear<float>(y, {5}, expected, 1e-5, 1e-5);
}

TEST(ResizeTest, AxesAndKeepAspectRatio) {
  auto node = ResizeBySizes("nearest", "asymmetric");
  node.Ints("axes", {2, 3}).String("keep_aspect_ratio_policy", "not_larger");
  // Scale min(6 / 3, 6 / 4) = 1.5: [3, 4] -> [round(4.5), 6] = [5, 6]; x = o / 1.5, rounded.
  Tensor y = RunOne(node, {Iota<float>({1, 1, 3, 4}), {}, {}, Sizes({6, 6})}, 18);
  ExpectTensorNear<float>(y, {1, 1, 5, 6}, {0, 1, 1, 2, 3, 3, 4,  5,  5,  6, 7, 7, 4,  5,  5,
                                            6, 7, 7, 8, 9, 9, 10, 11, 11, 8, 9, 9, 10, 11, 11});
}

TEST(ResizeTest, TfCropAndResizeNearestExtrapolates) {
  NodeBuilder node("Resize");
  node.Inputs(4, {2}).Outputs(1).String("mode", "nearest");
  node.String("coordinate_transformation_mode", "tf_crop_and_resize");
  node.Float("extrapolation_value", -1);
  // roi [0.5, 1.5] of a length-3 axis: x(o) = 1 + o * 2 / 3 over 4 outputs -> 1, 1.67, 2.33, 3.
  Tensor y = RunOne(
      node,
      {MakeTensor<float>({3}, {10, 20, 30}), MakeTensor<float>({2}, {0.5f, 1.5f}), {}, Sizes({4})});
  ExpectTensorNear<float>(y, {4}, {20, 30, -1, -1});
}

TEST(ResizeTest, IntegerLinearRounds) {
  NodeBuilder node("Resize");
  node.Inputs(3, {1}).Outputs(1).String("mode", "linear");
  Tensor y = RunOne(node, {MakeTensor<uint8_t>({2}, {0, 255}), {}, MakeTensor<float>({1}, {2})});
  // half_pixel: x = -0.25, 0.25, 0.75, 1.25 -> 0, 63.75, 191.25, 255.
  ExpectTensorNear<uint8_t>(y, {4}, {0, 64, 191, 255});
}

TEST(ResizeTest, UpsampleOpset7RepeatsByAttributeScales) {
  NodeBuilder node("Upsample");
  node.Inputs(1).Outputs(1).String("mode", "nearest").Floats("scales", {1, 2, 3});
  Tensor y = RunOne(node, {Iota<float>({1, 1, 2})}, 7);
  ExpectTensorNear<float>(y, {1, 2, 6}, {0, 0, 0, 1, 1, 1, 0, 0, 0, 1, 1, 1});
}

TEST(ResizeTest, Resize10LinearIsAsymmetric) {
  NodeBuilder node("Resize");
  node.Inputs(2).Outputs(1).String("mode", "linear");
  Tensor y = RunOne(node, {MakeTensor<float>({2}, {0, 8}), MakeTensor<float>({1}, {2})}, 10);
  ExpectTensorNear<float>(y, {4}, {0, 4, 8, 8});
}

TEST(ResizeTest, RejectsScalesTogetherWithSizes) {
  NodeBuilder node("Resize");
  node.Inputs(4, {1}).Outputs(1);
  EXPECT_NE(
      RunError(node, {Parabola(), {}, MakeTensor<float>({4}, {1, 1, 2, 2}), Sizes({1, 1, 6, 8})})
          .find("exactly one of input 2 (scales) and input 3 (sizes)"),
      std::string::npos);
}

TEST(ResizeTest, RejectsUnknownMode) {
  NodeBuilder node("Resize");
  node.Inputs(3, {1}).Outputs(1).String("mode", "bilinear");
  EXPECT_NE(RunError(node, {Parabola(), {}, MakeTensor<float>({4}, {1, 1, 2, 2})})
                .find("attribute mode: 'bilinear'"),
            std::string::npos);
}

}  // namespace
}  // namespace mlos::engine::testing
