#include "engine/kernels/common/kernel_test_util.h"

namespace mlos::engine::testing {
namespace {

// X [1, 2, 2]; per channel scale, B, mean, var.
std::vector<Tensor> Inputs() {
  return {MakeTensor<float>({1, 2, 2}, {1, 2, 3, 4}), MakeTensor<float>({2}, {2, 1}),
          MakeTensor<float>({2}, {0, 1}), MakeTensor<float>({2}, {1, 3}),
          MakeTensor<float>({2}, {4, 1})};
}

TEST(BatchNormLegacyTest, Opset6InTestModeUsesTheGivenStatistics) {
  // y = (x - mean) / sqrt(var + eps) * scale + B, eps = 0: channel 0 (x - 1) / 2 * 2 + 0,
  // channel 1 (x - 3) / 1 * 1 + 1.
  NodeBuilder node = Node("BatchNormalization", 5).Int("is_test", 1).Float("epsilon", 0);
  ExpectTensorNear<float>(RunOne(node, Inputs(), 6), {1, 2, 2}, {0, 1, 1, 2});
}

TEST(BatchNormLegacyTest, Opset6TrainingModeUsesTheBatchStatistics) {
  // is_test defaults to 0: channel 0 has mean 1.5, variance 0.25, channel 1 mean 3.5, 0.25.
  NodeBuilder node = Node("BatchNormalization", 5).Float("epsilon", 0);
  ExpectTensorNear<float>(RunOne(node, Inputs(), 6), {1, 2, 2}, {-2, 2, 0, 2});
}

}  // namespace
}  // namespace mlos::engine::testing
