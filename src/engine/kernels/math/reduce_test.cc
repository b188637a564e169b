#include <gtest/gtest.h>

#include "engine/kernels/common/kernel_test_util.h"

namespace mlos::engine::testing {
namespace {

Tensor Data() { return MakeTensor<float>({2, 3, 2}, {1, 2, 3, 4, 5, 6, -1, 0.5, 2, -3, 0.25, 1}); }

// Runs `op` at opset 11 (axes as an attribute for every Reduce op) with keepdims.
StatusOr<std::vector<Tensor>> Reduce(const std::string& op, std::vector<int64_t> axes,
                                     int64_t keepdims, const Tensor& data) {
  NodeBuilder builder(op);
  builder.Inputs(1).Outputs(1).Int("keepdims", keepdims);
  if (!axes.empty()) builder.Ints("axes", axes);
  return RunNode(builder.Build(), 11, {data});
}

TEST(ReduceTest, MeanKeepsDims) {
  auto result = Reduce("ReduceMean", {1}, 1, Data());
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  ExpectTensorNear<float>((*result)[0], {2, 1, 2}, {3, 4, 0.41666666f, -0.5});
}

TEST(ReduceTest, EachReducerAlongOneAxis) {
  struct Case {
    std::string op;
    int64_t axis;
    Shape shape;
    std::vector<float> expected;
  };
  const std::vector<Case> cases = {
      {"ReduceMax", -1, {2, 3}, {2, 4, 6, 0.5, 2, 1}},
      {"ReduceMin", 1, {2, 2}, {1, 2, -1, -3}},
      {"ReduceProd", 2, {2, 3}, {2, 12, 30, -0.5, -6, 0.25}},
      {"ReduceL1", 1, {2, 2}, {9, 12, 3.25, 4.5}},
      {"ReduceL2", 1, {2, 2}, {5.91608f, 7.483315f, 2.25f, 3.2015622f}},
      {"ReduceSumSquare", 2, {2, 3}, {5, 25, 61, 1.25, 13, 1.0625}},
      {"ReduceLogSumExp", 1, {2, 2}, {5.1429315f, 6.1429315f, 2.2017653f, 1.4854132f}},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.op);
    auto result = Reduce(c.op, {c.axis}, 0, Data());
    ASSERT_TRUE(result.ok()) << result.status().ToString();
    ExpectTensorNear<float>((*result)[0], c.shape, c.expected);
  }
}

TEST(ReduceTest, LogSum) {
  auto result = Reduce("ReduceLogSum", {2}, 0, MakeTensor<float>({1, 3, 2}, {2, 3, 4, 5, 6, 7}));
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  ExpectTensorNear<float>((*result)[0], {1, 3}, {1.6094379f, 2.1972246f, 2.5649493f});
}

TEST(ReduceTest, NoAxesReducesEverything) {
  auto result = Reduce("ReduceSum", {}, 0, Data());
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  ExpectTensorNear<float>((*result)[0], {}, {20.75});
}

TEST(ReduceTest, ReduceSumTakesAxesAsInputFromOpset13) {
  auto node = NodeBuilder("ReduceSum").Inputs(2).Outputs(1).Int("keepdims", 0).Build();
  auto result = RunNode(node, 13, {Data(), MakeTensor<int64_t>({2}, {0, -1})});
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  ExpectTensorNear<float>((*result)[0], {3}, {2.5, 6, 12.25});
}

TEST(ReduceTest, NoopWithEmptyAxesIsIdentity) {
  auto node = NodeBuilder("ReduceSum").Inputs(1).Outputs(1).Int("noop_with_empty_axes", 1).Build();
  auto result = RunNode(node, 13, {Data()});
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  ExpectTensorNear<float>((*result)[0], {2, 3, 2}, {1, 2, 3, 4, 5, 6, -1, 0.5, 2, -3, 0.25, 1});
}

TEST(ReduceTest, IntegerSumAndMax) {
  auto sum = Reduce("ReduceSum", {1}, 0, MakeTensor<int64_t>({2, 2}, {1, 2, 3, 4}));
  ASSERT_TRUE(sum.ok()) << sum.status().ToString();
  ExpectTensorNear<int64_t>((*sum)[0], {2}, {3, 7});
  auto max = Reduce("ReduceMax", {0}, 1, MakeTensor<int32_t>({2, 2}, {1, 5, 3, 4}));
  ASSERT_TRUE(max.ok()) << max.status().ToString();
  ExpectTensorNear<int32_t>((*max)[0], {1, 2}, {3, 5});
}

TEST(ReduceTest, RejectsOutOfRangeAxis) {
  auto result = Reduce("ReduceMean", {3}, 1, Data());
  ASSERT_FALSE(result.ok());
  EXPECT_NE(result.status().message().find("axis 3 is out of range [-3, 2]"), std::string::npos)
      << result.status().message();
}

TEST(ReduceTest, RejectsRepeatedAxis) {
  auto result = Reduce("ReduceMean", {1, -2}, 1, Data());
  ASSERT_FALSE(result.ok());
  EXPECT_NE(result.status().message().find("repeated"), std::string::npos);
}

}  // namespace
}  // namespace mlos::engine::testing
