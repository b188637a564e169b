// Tests of Cast, CastLike (cast.cc), Where (where.cc) and Min/Max/Sum/Mean (variadic.cc).
#include <limits>

#include "engine/kernels/common/element_types.h"
#include "engine/kernels/common/kernel_test_util.h"

namespace mlos::engine::testing {
namespace {

Tensor Cast(const Tensor& input, DataType to) {
  NodeBuilder node("Cast");
  node.Inputs(1).Outputs(1).Int("to", static_cast<int64_t>(to));
  return RunOne(node, {input});
}

TEST(CastKernelTest, FloatToIntegerTruncatesAndToBoolTestsNonzero) {
  Tensor x = MakeTensor<float>({4}, {-1.7f, 0.0f, 0.2f, 3.9f});
  ExpectTensorNear<int32_t>(Cast(x, DataType::kInt32), {4}, {-1, 0, 0, 3});
  ExpectTensorNear<bool>(Cast(x, DataType::kBool), {4}, {true, false, true, true});
  ExpectTensorNear<double>(Cast(MakeTensor<int64_t>({2}, {-3, 5}), DataType::kFloat64), {2},
                           {-3.0, 5.0});
  ExpectTensorNear<float>(Cast(MakeTensor<bool>({2}, {true, false}), DataType::kFloat32), {2},
                          {1, 0});
  ExpectTensorNear<uint8_t>(Cast(MakeTensor<int32_t>({2}, {7, 255}), DataType::kUInt8), {2},
                            {7, 255});
}

TEST(CastKernelTest, Float16RoundTrip) {
  Tensor half = Cast(MakeTensor<float>({3}, {1.0f / 3.0f, -2.5f, 65504.0f}), DataType::kFloat16);
  ASSERT_EQ(half.dtype(), DataType::kFloat16);
  EXPECT_EQ(half.data<Float16>()[0].bits, 13653);
  EXPECT_EQ(half.data<Float16>()[1].bits, 49408);
  EXPECT_EQ(half.data<Float16>()[2].bits, 31743);
  ExpectTensorNear<float>(Cast(half, DataType::kFloat32), {3}, {0.33325195f, -2.5f, 65504.0f});
  ExpectTensorNear<int64_t>(Cast(half, DataType::kInt64), {3}, {0, -2, 65504});
}

TEST(CastKernelTest, NumbersToStringsAndBack) {
  Tensor strings = Cast(MakeTensor<float>({4}, {0.9767611f, 1e-5f, -2.0f, 0.1f}), DataType::kString);
  EXPECT_EQ(strings.strings(), (std::vector<std::string>{"0.9767611", "1e-05", "-2", "0.1"}));
  Tensor text(DataType::kString, {4});
  text.strings() = {"0.5", "+INF", "-inf", "12"};
  Tensor numbers = Cast(text, DataType::kFloat32);  // infinities: compared exactly
  ASSERT_EQ(numbers.dtype(), DataType::kFloat32);
  EXPECT_EQ(std::vector<float>(numbers.values<float>().begin(), numbers.values<float>().end()),
            (std::vector<float>{0.5f, std::numeric_limits<float>::infinity(),
                                -std::numeric_limits<float>::infinity(), 12.0f}));
  ExpectTensorNear<int64_t>(Cast(text, DataType::kInt64), {4},
                            {0, std::numeric_limits<int64_t>::max(),
                             std::numeric_limits<int64_t>::min(), 12});
}

TEST(CastKernelTest, UnparsableStringIsAnError) {
  NodeBuilder node("Cast");
  node.Inputs(1).Outputs(1).Int("to", static_cast<int64_t>(DataType::kFloat32));
  Tensor text(DataType::kString, {2});
  text.strings() = {"1", "one"};
  EXPECT_EQ(RunNode(node.Build(), 13, {text}).status().message(),
            "input 0 (input): element 1 'one' is not a number");
}

TEST(CastKernelTest, UnknownTargetTypeIsAnError) {
  NodeBuilder node("Cast");
  node.Inputs(1).Outputs(1).Int("to", 99);
  auto result = RunNode(node.Build(), 13, {MakeTensor<float>({1}, {1})});
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().message(), "attribute to: 99 is not a known element type");
}

TEST(CastKernelTest, CastLikeTakesTheSecondInputsType) {
  NodeBuilder node("CastLike");
  node.Inputs(2).Outputs(1);
  ExpectTensorNear<int64_t>(
      RunOne(node, {MakeTensor<float>({2}, {2.9f, -2.9f}), MakeTensor<int64_t>({1}, {0})}), {2},
      {2, -2});
}

TEST(WhereKernelTest, BroadcastsConditionAndBranches) {
  NodeBuilder node("Where");
  node.Inputs(3).Outputs(1);
  Tensor condition = MakeTensor<bool>({2, 1}, {true, false});
  Tensor x = MakeTensor<int64_t>({3}, {1, 2, 3});
  Tensor y = MakeTensor<int64_t>({}, {-1});
  ExpectTensorNear<int64_t>(RunOne(node, {condition, x, y}), {2, 3}, {1, 2, 3, -1, -1, -1});
}

TEST(WhereKernelTest, SelectsStrings) {
  NodeBuilder node("Where");
  node.Inputs(3).Outputs(1);
  Tensor x(DataType::kString, {2});
  x.strings() = {"a", "b"};
  Tensor y(DataType::kString, {2});
  y.strings() = {"c", "d"};
  Tensor out = RunOne(node, {MakeTensor<bool>({2}, {false, true}), x, y});
  EXPECT_EQ(out.strings(), (std::vector<std::string>{"c", "b"}));
}

TEST(WhereKernelTest, BranchTypeMismatchIsAnError) {
  NodeBuilder node("Where");
  node.Inputs(3).Outputs(1);
  auto result = RunNode(node.Build(), 16,
                        {MakeTensor<bool>({1}, {true}), MakeTensor<float>({1}, {1}),
                         MakeTensor<int64_t>({1}, {1})});
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().message(),
            "input 2 (Y): element type int64 does not match input 1 (X) type float32");
}

TEST(VariadicKernelsTest, MinMaxSumMeanBroadcastAllInputs) {
  Tensor a = MakeTensor<float>({2, 2}, {1, 5, 3, 8});
  Tensor b = MakeTensor<float>({2}, {2, 4});
  Tensor c = MakeTensor<float>({}, {3});
  for (const char* op : {"Min", "Max", "Sum", "Mean"}) {
    SCOPED_TRACE(op);
    NodeBuilder node(op);
    node.Inputs(3).Outputs(1);
    Tensor out = RunOne(node, {a, b, c});
    const std::string name = op;
    if (name == "Min") ExpectTensorNear<float>(out, {2, 2}, {1, 3, 2, 3});
    if (name == "Max") ExpectTensorNear<float>(out, {2, 2}, {3, 5, 3, 8});
    if (name == "Sum") ExpectTensorNear<float>(out, {2, 2}, {6, 12, 8, 15});
    if (name == "Mean") ExpectTensorNear<float>(out, {2, 2}, {2, 4, 8.0f / 3, 5});
  }
}

TEST(VariadicKernelsTest, SingleInputIsCopied) {
  NodeBuilder node("Max");
  node.Inputs(1).Outputs(1);
  ExpectTensorNear<int32_t>(RunOne(node, {MakeTensor<int32_t>({2}, {4, -4})}), {2}, {4, -4});
}

TEST(VariadicKernelsTest, MismatchNamesTheInput) {
  NodeBuilder node("Sum");
  node.Inputs(3).Outputs(1);
  auto result = RunNode(node.Build(), 13,
                        {MakeTensor<float>({2}, {1, 2}), MakeTensor<float>({1}, {1}),
                         MakeTensor<float>({3}, {1, 2, 3})});
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().message(),
            "input 2 has shape [3], which does not broadcast with [2] (dimension 0: 3 vs 2)");
}

}  // namespace
}  // namespace mlos::engine::testing
