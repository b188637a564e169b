// Goldens from torchvision.ops.roi_align (0.14): aligned=True is half_pixel, aligned=False is
// output_half_pixel; sampling_ratio 0 is the adaptive grid.
#include <gtest/gtest.h>

#include <cmath>

#include "engine/kernels/common/kernel_test_util.h"

namespace mlos::engine::testing {
namespace {

// X [2, 2, 5, 6] = 3 * sin(0.37 * i); three boxes on images 1, 0, 1, the last partly outside.
std::vector<Tensor> Inputs() {
  std::vector<float> values;
  for (int i = 0; i < 120; ++i) values.push_back(3 * std::sin(static_cast<float>(i) * 0.37f));
  return {
      MakeTensor<float>({2, 2, 5, 6}, values),
      MakeTensor<float>({3, 4}, {0.4f, 0.2f, 4.3f, 3.9f, 1.5f, 0.5f, 2.5f, 1.5f, -1, -0.5f, 7, 6}),
      MakeTensor<int64_t>({3}, {1, 0, 1})};
}

NodeBuilder RoiAlignNode(const std::string& coordinates) {
  NodeBuilder node("RoiAlign");
  node.Inputs(3).Outputs(1).Int("output_height", 2).Int("output_width", 3);
  node.Float("spatial_scale", 0.8f).Int("sampling_ratio", 0);
  node.String("coordinate_transformation_mode", coordinates);
  return node;
}

TEST(RoiAlignTest, HalfPixelMatchesTorchvisionAligned) {
  ExpectTensorNear<float>(
      RunOne(RoiAlignNode("half_pixel"), Inputs(), 16), {3, 2, 2, 3},
      {-1.236132f,  -1.404048f,  -1.366677f,  1.215411f,    1.203592f,   1.015994f,
       0.5583952f,  0.02883297f, -0.5042546f, -0.08006415f, 0.3875196f,  0.7979021f,
       0.9844741f,  1.207693f,   1.405342f,   1.306216f,    1.323873f,   1.311563f,
       -2.189414f,  -2.067579f,  -1.897667f,  -0.06241429f, 0.06629314f, 0.1945901f,
       -0.8378007f, -1.026331f,  -0.7272302f, -0.1301264f,  -0.2030284f, -0.1849551f,
       0.5461482f,  -0.1012467f, -0.7974481f, 0.1588791f,   0.03746006f, -0.1215303f},
      1e-4, 1e-4);
}

TEST(RoiAlignTest, OutputHalfPixelMatchesTorchvisionUnaligned) {
  ExpectTensorNear<float>(
      RunOne(RoiAlignNode("output_half_pixel"), Inputs(), 16), {3, 2, 2, 3},
      {-0.6853307f, -0.2551973f, 0.2116297f,   0.8980091f,  0.400965f,    -0.1539501f,
       -1.078151f,  -1.214623f,  -1.173731f,   1.236158f,   1.434948f,    1.424159f,
       1.276396f,   1.16259f,    1.044001f,    0.5842588f,  0.3077167f,   0.03090929f,
       0.9791859f,  1.12005f,    1.25529f,     2.241913f,   2.271856f,    2.291429f,
       -0.2296099f, -0.2171709f, -0.09248853f, -0.6595515f, -0.08861136f, 0.5382922f,
       0.05180371f, -0.1178537f, -0.2297683f,  -0.659851f,  -0.871053f,   -0.6367499f},
      1e-4, 1e-4);
}

TEST(RoiAlignTest, Opset10DefaultsToOutputHalfPixel) {
  NodeBuilder node("RoiAlign");
  node.Inputs(3).Outputs(1).Int("output_height", 2).Int("output_width", 3);
  node.Float("spatial_scale", 0.8f);
  ExpectTensorNear<float>(
      RunOne(node, Inputs(), 10), {3, 2, 2, 3},
      {-0.6853307f, -0.2551973f, 0.2116297f,   0.8980091f,  0.400965f,    -0.1539501f,
       -1.078151f,  -1.214623f,  -1.173731f,   1.236158f,   1.434948f,    1.424159f,
       1.276396f,   1.16259f,    1.044001f,    0.5842588f,  0.3077167f,   0.03090929f,
       0.9791859f,  1.12005f,    1.25529f,     2.241913f,   2.271856f,    2.291429f,
       -0.2296099f, -0.2171709f, -0.09248853f, -0.6595515f, -0.08861136f, 0.5382922f,
       0.05180371f, -0.1178537f, -0.2297683f,  -0.659851f,  -0.871053f,   -0.6367499f},
      1e-4, 1e-4);
}

TEST(RoiAlignTest, MaxTakesTheLargestWeightedCorner) {
  // One 2x2 bin sampled once at (0.5, 0.5) of [[1, 2], [3, 4]]: every corner weighs 0.25, so the
  // onnxruntime/reference max is 0.25 * 4 (avg would be 2.5).
  NodeBuilder node("RoiAlign");
  node.Inputs(3).Outputs(1).String("mode", "max").Int("sampling_ratio", 1);
  node.String("coordinate_transformation_mode", "output_half_pixel");
  Tensor y = RunOne(node,
                    {MakeTensor<float>({1, 1, 2, 2}, {1, 2, 3, 4}),
                     MakeTensor<float>({1, 4}, {0, 0, 1, 1}), MakeTensor<int64_t>({1}, {0})},
                    16);
  ExpectTensorNear<float>(y, {1, 1, 1, 1}, {1.0f});
}

TEST(RoiAlignTest, RejectsBatchIndexOutOfRange) {
  std::vector<Tensor> inputs = Inputs();
  inputs[2] = MakeTensor<int64_t>({3}, {0, 2, 1});
  EXPECT_NE(RunError(RoiAlignNode("half_pixel"), inputs, 16).find("2 is out of range [0, 1]"),
            std::string::npos);
}

}  // namespace
}  // namespace mlos::engine::testing
