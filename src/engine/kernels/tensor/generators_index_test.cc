// Tests of generators.cc (Constant, ConstantOfShape, Range, OneHot) and index_kernels.cc
// (NonZero, Trilu). Goldens from numpy (np.arange, np.eye, np.nonzero, np.triu, np.tril).
#include "engine/kernels/common/kernel_test_util.h"

namespace mlos::engine::testing {
namespace {

onnx::TensorProto Int32Proto(std::vector<int64_t> dims, std::vector<int32_t> values) {
  onnx::TensorProto proto;
  proto.set_data_type(onnx::TensorProto::INT32);
  for (int64_t dim : dims) proto.add_dims(dim);
  for (int32_t value : values) proto.add_int32_data(value);
  return proto;
}

TEST(ConstantKernelTest, ValueAndValueFloats) {
  NodeBuilder tensor = Node("Constant", 0);
  tensor.TensorAttribute("value", Int32Proto({2}, {7, 8}));
  ExpectTensorNear<int32_t>(RunOne(tensor, {}), {2}, {7, 8});
  NodeBuilder floats = Node("Constant", 0);
  floats.Floats("value_floats", {0.5f, 1.5f});
  ExpectTensorNear<float>(RunOne(floats, {}, 13), {2}, {0.5f, 1.5f});
  NodeBuilder scalar = Node("Constant", 0);
  scalar.Int("value_int", 4);
  ExpectTensorNear<int64_t>(RunOne(scalar, {}, 13), {}, {4});
}

TEST(ConstantOfShapeKernelTest, FillsWithValueOrZero) {
  NodeBuilder node = Node("ConstantOfShape", 1);
  node.TensorAttribute("value", Int32Proto({1}, {3}));
  ExpectTensorNear<int32_t>(RunOne(node, {MakeTensor<int64_t>({2}, {2, 2})}), {2, 2},
                            {3, 3, 3, 3});
  ExpectTensorNear<float>(RunOne(Node("ConstantOfShape", 1), {MakeTensor<int64_t>({1}, {3})}),
                          {3}, {0, 0, 0});
  EXPECT_EQ(RunError(Node("ConstantOfShape", 1), {MakeTensor<int64_t>({2}, {2, -3})}),
            "input 0 (input): -3 is not a valid dimension");
}

TEST(RangeKernelTest, IntegerAndFloatRanges) {
  ExpectTensorNear<int64_t>(RunOne(Node("Range", 3), {MakeTensor<int64_t>({}, {10}),
                                                     MakeTensor<int64_t>({}, {4}),
                                                     MakeTensor<int64_t>({}, {-3})}),
                            {2}, {10, 7});
  ExpectTensorNear<float>(RunOne(Node("Range", 3), {MakeTensor<float>({}, {1}),
                                                   MakeTensor<float>({}, {2}),
                                                   MakeTensor<float>({}, {0.3f})}),
                          {4}, {1, 1.3f, 1.6f, 1.9f});
  ExpectTensorNear<int32_t>(RunOne(Node("Range", 3), {MakeTensor<int32_t>({}, {5}),
                                                     MakeTensor<int32_t>({}, {1}),
                                                     MakeTensor<int32_t>({}, {2})}),
                            {0}, {});
  EXPECT_EQ(RunError(Node("Range", 3), {MakeTensor<int32_t>({}, {0}), MakeTensor<int32_t>({}, {1}),
                                        MakeTensor<int32_t>({}, {0})}),
            "input 2 (delta): must not be zero");
  EXPECT_EQ(RunError(Node("Range", 3), {MakeTensor<int32_t>({}, {0}), MakeTensor<int64_t>({}, {1}),
                                        MakeTensor<int32_t>({}, {1})}),
            "input 1 (limit): expected a single int32, got int64 of shape []");
}

TEST(OneHotKernelTest, LastAndFirstAxis) {
  Tensor indices = MakeTensor<int64_t>({3}, {0, 2, -1});
  Tensor depth = MakeTensor<float>({}, {3});
  Tensor values = MakeTensor<float>({2}, {0, 1});
  ExpectTensorNear<float>(RunOne(Node("OneHot", 3), {indices, depth, values}), {3, 3},
                          {1, 0, 0, 0, 0, 1, 0, 0, 1});
  NodeBuilder first = Node("OneHot", 3);
  first.Int("axis", 0);
  ExpectTensorNear<float>(RunOne(first, {indices, depth, values}), {3, 3},
                          {1, 0, 0, 0, 0, 0, 0, 1, 1});
  // Out-of-range indices give all-off rows.
  ExpectTensorNear<int64_t>(
      RunOne(Node("OneHot", 3), {MakeTensor<int32_t>({1}, {5}), MakeTensor<int64_t>({}, {2}),
                                 MakeTensor<int64_t>({2}, {-1, 7})}),
      {1, 2}, {-1, -1});
}

TEST(NonZeroKernelTest, CoordinatesInRowMajorOrder) {
  ExpectTensorNear<int64_t>(RunOne(Node("NonZero", 1), {MakeTensor<float>({2, 2}, {1, 0, 0, 3})}),
                            {2, 2}, {0, 1, 0, 1});
  ExpectTensorNear<int64_t>(RunOne(Node("NonZero", 1), {MakeTensor<bool>({3}, {false, true, true})}),
                            {1, 2}, {1, 2});
}

TEST(TriluKernelTest, UpperAndLowerWithK) {
  std::vector<int32_t> values(12);
  for (int i = 0; i < 12; ++i) values[static_cast<size_t>(i)] = i + 1;
  Tensor m = MakeTensor<int32_t>({3, 4}, values);
  ExpectTensorNear<int32_t>(RunOne(Node("Trilu", 2), {m, MakeTensor<int64_t>({}, {1})}), {3, 4},
                            {0, 2, 3, 4, 0, 0, 7, 8, 0, 0, 0, 12});
  NodeBuilder lower = Node("Trilu", 2);
  lower.Int("upper", 0);
  ExpectTensorNear<int32_t>(RunOne(lower, {m, MakeTensor<int64_t>({}, {-1})}), {3, 4},
                            {0, 0, 0, 0, 5, 0, 0, 0, 9, 10, 0, 0});
  EXPECT_EQ(RunError(Node("Trilu", 1), {MakeTensor<int32_t>({2}, {1, 2})}),
            "input 0 (input): expected rank >= 2, got shape [2]");
}

}  // namespace
}  // namespace mlos::engine::testing
