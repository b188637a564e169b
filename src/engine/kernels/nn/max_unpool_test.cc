#include <gtest/gtest.h>

#include "engine/kernels/common/kernel_test_util.h"

namespace mlos::engine::testing {
namespace {

TEST(MaxUnpoolTest, ScattersIntoTheInferredShapeWithPads) {
  // 1-D, kernel 3, stride 2, pads (1, 0): output (3 - 1) * 2 - 1 + 3 = 6 per channel; indices
  // are flat over the whole [1, 2, 6] output, as MaxPool returns them.
  NodeBuilder node("MaxUnpool");
  node.Inputs(2).Outputs(1).Ints("kernel_shape", {3}).Ints("strides", {2}).Ints("pads", {1, 0});
  Tensor y = RunOne(node,
                    {MakeTensor<float>({1, 2, 3}, {1, 2, 3, 4, 5, 6}),
                     MakeTensor<int64_t>({1, 2, 3}, {0, 3, 4, 6, 8, 11})},
                    11);
  ExpectTensorNear<float>(y, {1, 2, 6}, {1, 0, 0, 2, 3, 0, 4, 0, 5, 0, 0, 6});
}

TEST(MaxUnpoolTest, OutputShapeKeepsPositionsOfTheInferredShape) {
  // Inferred [1, 2, 4]; output_shape [1, 2, 5] pads each row at its end (ONNX reference).
  NodeBuilder node("MaxUnpool");
  node.Inputs(3).Outputs(1).Ints("kernel_shape", {2}).Ints("strides", {2});
  Tensor y =
      RunOne(node,
             {MakeTensor<float>({1, 2, 2}, {1, 2, 3, 4}),
              MakeTensor<int64_t>({1, 2, 2}, {1, 2, 4, 7}), MakeTensor<int64_t>({3}, {1, 2, 5})},
             11);
  ExpectTensorNear<float>(y, {1, 2, 5}, {0, 1, 2, 0, 0, 3, 0, 0, 4, 0});
}

TEST(MaxUnpoolTest, RejectsIndexOutsideTheOutput) {
  NodeBuilder node("MaxUnpool");
  node.Inputs(2).Outputs(1).Ints("kernel_shape", {2}).Ints("strides", {2});
  EXPECT_NE(
      RunError(node, {MakeTensor<float>({1, 1, 2}, {1, 2}), MakeTensor<int64_t>({1, 1, 2}, {1, 4})},
               11)
          .find("index 4 is out of range [0, 4)"),
      std::string::npos);
}

}  // namespace
}  // namespace mlos::engine::testing
