#include <gtest/gtest.h>

#include "engine/kernels/common/kernel_test_util.h"

namespace mlos::engine::testing {
namespace {

Tensor Data() { return MakeTensor<float>({2, 3}, {3, 1, 3, 0, 5, 5}); }

TEST(ArgReduceTest, ArgMaxDefaultAxisKeepsDims) {
  auto node = NodeBuilder("ArgMax").Inputs(1).Outputs(1).Build();
  auto result = RunNode(node, 13, {Data()});
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  ExpectTensorNear<int64_t>((*result)[0], {1, 3}, {0, 1, 1});
}

TEST(ArgReduceTest, ArgMaxSelectsFirstOrLastTie) {
  auto first =
      RunNode(NodeBuilder("ArgMax").Inputs(1).Outputs(1).Int("axis", 1).Int("keepdims", 0).Build(),
              13, {Data()});
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  ExpectTensorNear<int64_t>((*first)[0], {2}, {0, 1});
  auto last = RunNode(NodeBuilder("ArgMax")
                          .Inputs(1)
                          .Outputs(1)
                          .Int("axis", -1)
                          .Int("keepdims", 0)
                          .Int("select_last_index", 1)
                          .Build(),
                      13, {Data()});
  ASSERT_TRUE(last.ok()) << last.status().ToString();
  ExpectTensorNear<int64_t>((*last)[0], {2}, {2, 2});
}

TEST(ArgReduceTest, ArgMinOnIntegers) {
  auto node = NodeBuilder("ArgMin").Inputs(1).Outputs(1).Int("axis", 1).Build();
  auto result = RunNode(node, 13, {MakeTensor<int64_t>({2, 3}, {3, 1, 3, 0, 5, 5})});
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  ExpectTensorNear<int64_t>((*result)[0], {2, 1}, {1, 0});
}

TEST(ArgReduceTest, RejectsBadAxis) {
  auto node = NodeBuilder("ArgMax").Inputs(1).Outputs(1).Int("axis", 2).Build();
  auto result = RunNode(node, 13, {Data()});
  ASSERT_FALSE(result.ok());
  EXPECT_NE(result.status().message().find("attribute axis: axis 2 is out of range [-2, 1]"),
            std::string::npos)
      << result.status().message();
}

}  // namespace
}  // namespace mlos::engine::testing
