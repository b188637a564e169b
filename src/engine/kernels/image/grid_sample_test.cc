// Goldens from torch.nn.functional.grid_sample (torch 1.13), which the ONNX reference follows.
#include <gtest/gtest.h>

#include "engine/kernels/common/kernel_test_util.h"

namespace mlos::engine::testing {
namespace {

struct GridCase {
  const char* mode;
  const char* padding;
  int align_corners;
  std::vector<float> expected;
};

TEST(GridSampleTest, EveryModePaddingAndAlignmentMatchesTorch) {
  std::vector<float> values;
  for (int i = 0; i < 12; ++i) {
    values.push_back(static_cast<float>(i * i) * 0.1f - static_cast<float>(i));
  }
  const Tensor x = MakeTensor<float>({1, 1, 3, 4}, values);
  // Points outside [-1, 1] exercise the padding modes.
  const Tensor grid = MakeTensor<float>({1, 2, 3, 2}, {-1.3f, -1.1f, -0.6f, 0.2f, 0.05f, 0.9f, 0.7f,
                                                       -0.45f, 1.2f, 1.4f, 0.33f, -0.8f});
  const std::vector<GridCase> cases = {
      {"bicubic",
       "reflection",
       0,
       {0.3301531f, -2.401857f, -0.06597709f, -2.250027f, 0.9077879f, -1.653142f}},
      {"bicubic",
       "reflection",
       1,
       {-0.3024807f, -2.432903f, -0.4869088f, -2.390852f, 0.08111756f, -1.717457f}},
      {"bicubic",
       "border",
       0,
       {0.1433253f, -2.401857f, -0.1890456f, -2.250027f, 1.107425f, -1.668083f}},
      {"bicubic",
       "border",
       1,
       {0.2426464f, -2.45193f, -0.6111631f, -2.394147f, 1.576402f, -1.79483f}},
      {"bicubic",
       "zeros",
       0,
       {-0.008706976f, -2.747739f, -0.05001094f, -2.63136f, -0.005930712f, -1.391889f}},
      {"bicubic",
       "zeros",
       1,
       {0.1704039f, -2.664397f, -0.6376289f, -2.821571f, 0.818301f, -1.948f}},
      {"nearest", "reflection", 0, {0.0f, -2.4f, 0.0f, -2.1f, 1.1f, -1.6f}},
      {"nearest", "reflection", 1, {0.0f, -2.5f, 0.0f, -2.1f, 1.1f, -1.6f}},
      {"nearest", "border", 0, {0.0f, -2.4f, 0.0f, -2.1f, 1.1f, -1.6f}},
      {"nearest", "border", 1, {0.0f, -2.5f, 0.0f, -2.1f, 1.1f, -1.6f}},
      {"nearest", "zeros", 0, {0.0f, -2.4f, 0.0f, -2.1f, 0.0f, -1.6f}},
      {"nearest", "zeros", 1, {0.0f, -2.5f, 0.0f, -2.1f, 1.1f, -1.6f}},
      {"bilinear",
       "reflection",
       0,
       {-0.08999991f, -2.118f, -0.3599999f, -2.076f, 0.7799999f, -1.68f}},
      {"bilinear", "reflection", 1, {-0.609f, -2.204f, -0.5885f, -2.073f, -0.4140003f, -1.7573f}},
      {"bilinear", "border", 0, {0.0f, -2.118f, -0.3599999f, -2.076f, 1.1f, -1.68f}},
      {"bilinear", "border", 1, {0.0f, -2.204f, -0.5885f, -2.073f, 1.1f, -1.7573f}},
      {"bilinear", "zeros", 0, {0.0f, -2.118f, -0.234f, -2.076f, 0.0f, -1.344f}},
      {"bilinear", "zeros", 1, {0.0f, -2.204f, -0.5885f, -2.073f, 0.462f, -1.7573f}},
  };
  for (const GridCase& c : cases) {
    SCOPED_TRACE(std::string(c.mode) + " " + c.padding +
                 " align_corners=" + std::to_string(c.align_corners));
    NodeBuilder node("GridSample");
    node.Inputs(2).Outputs(1).String("mode", c.mode).String("padding_mode", c.padding);
    node.Int("align_corners", c.align_corners);
    ExpectTensorNear<float>(RunOne(node, {x, grid}, 16), {1, 1, 2, 3}, c.expected, 1e-5, 1e-5);
  }
}

TEST(GridSampleTest, RejectsGridOfWrongShape) {
  NodeBuilder node("GridSample");
  node.Inputs(2).Outputs(1);
  EXPECT_NE(RunError(node, {Iota<float>({1, 1, 2, 2}), Iota<float>({1, 2, 2, 3})}, 16)
                .find("input 1 (grid): expected shape [1, H_out, W_out, 2]"),
            std::string::npos);
}

}  // namespace
}  // namespace mlos::engine::testing
