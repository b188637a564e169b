#include <gtest/gtest.h>

#include "engine/kernels/common/kernel_test_util.h"

namespace mlos::engine::testing {
namespace {

Tensor Data() { return MakeTensor<float>({3, 2}, {3, 4, 0, 0, 1, -1}); }

TEST(LpNormalizationTest, L2AlongLastAxisLeavesZeroRows) {
  auto result = RunNode(NodeBuilder("LpNormalization").Inputs(1).Outputs(1).Build(), 1, {Data()});
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  ExpectTensorNear<float>((*result)[0], {3, 2}, {0.6, 0.8, 0, 0, 0.70710678f, -0.70710678f});
}

TEST(LpNormalizationTest, L1AlongFirstAxis) {
  auto result = RunNode(
      NodeBuilder("LpNormalization").Inputs(1).Outputs(1).Int("axis", 0).Int("p", 1).Build(), 1,
      {Data()});
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  ExpectTensorNear<float>((*result)[0], {3, 2}, {0.75, 0.8, 0, 0, 0.25, -0.2});
}

TEST(LpNormalizationTest, RejectsUnsupportedP) {
  auto result =
      RunNode(NodeBuilder("LpNormalization").Inputs(1).Outputs(1).Int("p", 3).Build(), 1, {Data()});
  ASSERT_FALSE(result.ok());
  EXPECT_NE(result.status().message().find("attribute p: must be 1 or 2, got 3"),
            std::string::npos);
}

}  // namespace
}  // namespace mlos::engine::testing
