#include <gtest/gtest.h>

#include "engine/kernels/common/kernel_test_util.h"

namespace mlos::engine::testing {
namespace {

TEST(LrnTest, AcrossChannels) {
  std::vector<float> values;
  for (int i = 0; i < 8; ++i) values.push_back(static_cast<float>(i) * 0.5f - 1);
  auto node = NodeBuilder("LRN")
                  .Inputs(1)
                  .Outputs(1)
                  .Int("size", 3)
                  .Float("alpha", 0.1f)
                  .Float("bias", 2)
                  .Build();
  auto result = RunNode(node, 13, {MakeTensor<float>({1, 4, 1, 2}, values)});
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  ExpectTensorNear<float>(
      (*result)[0], {1, 4, 1, 2},
      {-0.5872778f, -0.2954571f, 0, 0.2874754f, 0.5599586f, 0.805337f, 1.119917f, 1.345901f});
}

TEST(LrnTest, RejectsMissingSize) {
  auto result = RunNode(NodeBuilder("LRN").Inputs(1).Outputs(1).Build(), 13,
                        {MakeTensor<float>({1, 1, 1}, {1})});
  ASSERT_FALSE(result.ok());
  EXPECT_NE(result.status().message().find("attribute size"), std::string::npos);
}

}  // namespace
}  // namespace mlos::engine::testing
