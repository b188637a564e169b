#include "engine/kernels/common/kernel_test_util.h"

namespace mlos::engine::testing {
namespace {

// Runs a two-input, one-output node at `opset` and returns its output.
Tensor RunBinary(const std::string& op, const Tensor& a, const Tensor& b, int opset = 17,
                 const NodeBuilder* node = nullptr) {
  NodeBuilder plain(op);
  plain.Inputs(2).Outputs(1);
  StatusOr<std::vector<Tensor>> result = RunNode((node ? *node : plain).Build(), opset, {a, b});
  EXPECT_TRUE(result.ok()) << result.status().ToString();
  return result.ok() ? (*result)[0] : Tensor();
}

TEST(BinaryKernelsTest, AddBroadcastsRowOverMatrix) {
  Tensor a = MakeTensor<float>({2, 3}, {1, 2, 3, 4, 5, 6});
  Tensor b = MakeTensor<float>({3}, {10, 20, 30});
  ExpectTensorNear<float>(RunBinary("Add", a, b), {2, 3}, {11, 22, 33, 14, 25, 36});
}

TEST(BinaryKernelsTest, SubBroadcastsColumnAgainstRow) {
  Tensor a = MakeTensor<int64_t>({2, 1}, {10, 20});
  Tensor b = MakeTensor<int64_t>({1, 3}, {1, 2, 3});
  ExpectTensorNear<int64_t>(RunBinary("Sub", a, b), {2, 3}, {9, 8, 7, 19, 18, 17});
}

TEST(BinaryKernelsTest, MulScalarTimesTensor) {
  Tensor a = MakeTensor<double>({}, {2.5});
  Tensor b = MakeTensor<double>({2, 2}, {1, -2, 3, -4});
  ExpectTensorNear<double>(RunBinary("Mul", a, b), {2, 2}, {2.5, -5, 7.5, -10});
}

TEST(BinaryKernelsTest, DivInt32TruncatesTowardZero) {
  Tensor a = MakeTensor<int32_t>({4}, {7, -7, 9, -2147483647 - 1});
  Tensor b = MakeTensor<int32_t>({4}, {2, 2, -3, -1});
  ExpectTensorNear<int32_t>(RunBinary("Div", a, b), {4}, {3, -3, -3, -2147483647 - 1});
}

TEST(BinaryKernelsTest, DivFloat) {
  Tensor a = MakeTensor<float>({3}, {1, 3, -4});
  Tensor b = MakeTensor<float>({1}, {2});
  ExpectTensorNear<float>(RunBinary("Div", a, b), {3}, {0.5f, 1.5f, -2});
}

TEST(BinaryKernelsTest, IntegerDivisionByZeroIsAnError) {
  NodeBuilder node("Div");
  node.Inputs(2).Outputs(1);
  auto result = RunNode(node.Build(), 14,
                        {MakeTensor<int64_t>({2}, {1, 2}), MakeTensor<int64_t>({2}, {1, 0})});
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().message(), "input 1 (B): integer division by zero");
}

TEST(BinaryKernelsTest, BroadcastMismatchIsAnError) {
  NodeBuilder node("Add");
  node.Inputs(2).Outputs(1);
  auto result = RunNode(node.Build(), 14,
                        {MakeTensor<float>({2, 3}, {1, 2, 3, 4, 5, 6}),
                         MakeTensor<float>({2}, {1, 2})});
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(result.status().message(),
            "input 1 has shape [2], which does not broadcast with [3] (dimension 0: 2 vs 3)");
}

TEST(BinaryKernelsTest, MismatchedTypesAreAnError) {
  NodeBuilder node("Add");
  node.Inputs(2).Outputs(1);
  auto result = RunNode(node.Build(), 14,
                        {MakeTensor<float>({1}, {1}), MakeTensor<int64_t>({1}, {1})});
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().message(),
            "input 1 (B): element type int64 does not match input 0 (A) type float32");
}

TEST(BinaryKernelsTest, AddRejectsStringsByType) {
  NodeBuilder node("Add");
  node.Inputs(2).Outputs(1);
  Tensor strings(DataType::kString, {1});
  auto result = RunNode(node.Build(), 14, {strings, strings});
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), StatusCode::kUnimplemented);
}

TEST(BinaryKernelsTest, ModSignFollowsDivisorUnlessFmod) {
  Tensor a = MakeTensor<int32_t>({4}, {5, -5, 5, -5});
  Tensor b = MakeTensor<int32_t>({4}, {3, 3, -3, -3});
  ExpectTensorNear<int32_t>(RunBinary("Mod", a, b), {4}, {2, 1, -1, -2});
  NodeBuilder fmod("Mod");
  fmod.Inputs(2).Outputs(1).Int("fmod", 1);
  ExpectTensorNear<int32_t>(RunBinary("Mod", a, b, 17, &fmod), {4}, {2, -2, 2, -2});
  Tensor x = MakeTensor<float>({2}, {5.5f, -5.5f});
  Tensor y = MakeTensor<float>({1}, {2});
  ExpectTensorNear<float>(RunBinary("Mod", x, y, 17, &fmod), {2}, {1.5f, -1.5f});
}

TEST(BinaryKernelsTest, FloatModWithoutFmodIsAnError) {
  NodeBuilder node("Mod");
  node.Inputs(2).Outputs(1);
  auto result = RunNode(node.Build(), 13, {MakeTensor<float>({1}, {1}), MakeTensor<float>({1}, {2})});
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().message(), "attribute fmod must be 1 for floating-point inputs");
}

TEST(BinaryKernelsTest, PowWithFloatAndIntegerExponents) {
  Tensor base = MakeTensor<float>({3}, {2, 3, 4});
  ExpectTensorNear<float>(RunBinary("Pow", base, MakeTensor<float>({1}, {2})), {3}, {4, 9, 16});
  ExpectTensorNear<float>(RunBinary("Pow", base, MakeTensor<float>({1}, {0.5f})), {3},
                          {1.4142135f, 1.7320508f, 2});
  ExpectTensorNear<float>(RunBinary("Pow", base, MakeTensor<int64_t>({3}, {3, 0, -1})), {3},
                          {8, 1, 0.25f});
  ExpectTensorNear<int32_t>(
      RunBinary("Pow", MakeTensor<int32_t>({2}, {2, 5}), MakeTensor<int32_t>({1}, {3})), {2},
      {8, 125});
}

TEST(BinaryKernelsTest, ComparisonsProduceBool) {
  Tensor a = MakeTensor<int64_t>({4}, {1, 2, 3, 4});
  Tensor b = MakeTensor<int64_t>({1}, {2});
  ExpectTensorNear<bool>(RunBinary("Equal", a, b), {4}, {false, true, false, false});
  ExpectTensorNear<bool>(RunBinary("Less", a, b), {4}, {true, false, false, false});
  ExpectTensorNear<bool>(RunBinary("Greater", a, b), {4}, {false, false, true, true});
  ExpectTensorNear<bool>(RunBinary("LessOrEqual", a, b), {4}, {true, true, false, false});
  ExpectTensorNear<bool>(RunBinary("GreaterOrEqual", a, b), {4}, {false, true, true, true});
}

TEST(BinaryKernelsTest, BitShiftBothDirections) {
  NodeBuilder right("BitShift");
  right.Inputs(2).Outputs(1).String("direction", "RIGHT");
  ExpectTensorNear<uint8_t>(
      RunBinary("BitShift", MakeTensor<uint8_t>({3}, {16, 4, 1}),
                MakeTensor<uint8_t>({3}, {1, 2, 40}), 11, &right),
      {3}, {8, 1, 0});
  NodeBuilder left("BitShift");
  left.Inputs(2).Outputs(1).String("direction", "LEFT");
  ExpectTensorNear<uint8_t>(RunBinary("BitShift", MakeTensor<uint8_t>({2}, {1, 2}),
                                      MakeTensor<uint8_t>({1}, {3}), 11, &left),
                            {2}, {8, 16});
}

TEST(BinaryKernelsTest, LogicalOperators) {
  Tensor a = MakeTensor<bool>({4}, {false, false, true, true});
  Tensor b = MakeTensor<bool>({4}, {false, true, false, true});
  ExpectTensorNear<bool>(RunBinary("And", a, b), {4}, {false, false, false, true});
  ExpectTensorNear<bool>(RunBinary("Or", a, b), {4}, {false, true, true, true});
  ExpectTensorNear<bool>(RunBinary("Xor", a, b), {4}, {false, true, true, false});
  ExpectTensorNear<bool>(RunBinary("Equal", a, b), {4}, {true, false, false, true});
}

TEST(BinaryKernelsTest, PReluBroadcastsSlopePerChannel) {
  Tensor x = MakeTensor<float>({2, 2}, {-1, 2, -3, 4});
  Tensor slope = MakeTensor<float>({2}, {0.1f, 0.5f});
  ExpectTensorNear<float>(RunBinary("PRelu", x, slope), {2, 2}, {-0.1f, 2, -0.3f, 4});
}

TEST(BinaryKernelsTest, PReluSlopeMustNotGrowTheOutput) {
  NodeBuilder node("PRelu");
  node.Inputs(2).Outputs(1);
  auto result = RunNode(node.Build(), 16,
                        {MakeTensor<float>({2}, {1, 2}), MakeTensor<float>({2, 2}, {1, 2, 3, 4})});
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().message(),
            "input 1 (slope) has shape [2, 2], which does not broadcast to input 0 (X) shape [2]");
}

TEST(BinaryKernelsTest, LargeBroadcastRunsOnThreadPool) {
  constexpr int64_t kRows = 300;
  constexpr int64_t kColumns = 500;
  std::vector<float> values(kRows * kColumns);
  for (size_t i = 0; i < values.size(); ++i) values[i] = static_cast<float>(i % 7);
  std::vector<float> column(kRows);
  for (int64_t r = 0; r < kRows; ++r) column[r] = static_cast<float>(r);
  Tensor a = MakeTensor<float>({kRows, kColumns}, values);
  Tensor b = MakeTensor<float>({kRows, 1}, column);
  NodeBuilder node("Add");
  node.Inputs(2).Outputs(1);
  auto registration = KernelRegistry::BuiltIn().Find("", "Add", 14, DataType::kFloat32);
  ASSERT_TRUE(registration.ok());
  KernelInit init{node.Build(), NodeAttributes(node.Build()), 14, {nullptr, nullptr}, {}};
  auto kernel = (*registration)->factory(init);
  ASSERT_TRUE(kernel.ok());
  ThreadPool pool(2);
  const Tensor* inputs[] = {&a, &b};
  std::vector<Tensor> outputs(1);
  KernelContext context{inputs, outputs, &pool};
  ASSERT_TRUE((*kernel)->Compute(context).ok());
  const float* out = outputs[0].data<float>();
  for (int64_t r = 0; r < kRows; ++r) {
    for (int64_t c = 0; c < kColumns; ++c) {
      ASSERT_EQ(out[r * kColumns + c], values[r * kColumns + c] + static_cast<float>(r));
    }
  }
}

}  // namespace
}  // namespace mlos::engine::testing
