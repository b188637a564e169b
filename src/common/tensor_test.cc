#include "common/tensor.h"

#include <gtest/gtest.h>

#include <cstdint>

namespace mlos {
namespace {

TEST(TensorTest, ZeroFilledAndAligned) {
  Tensor tensor(DataType::kFloat32, {2, 3});
  EXPECT_EQ(tensor.element_count(), 6);
  EXPECT_EQ(tensor.byte_size(), 24u);
  EXPECT_EQ(reinterpret_cast<uintptr_t>(tensor.raw_data()) % 64, 0u);
  for (float v : tensor.values<float>()) EXPECT_EQ(v, 0.0f);
}

TEST(TensorTest, UninitializedHasShapeAndAlignmentButNoFill) {
  Tensor tensor = Tensor::Uninitialized(DataType::kFloat32, {5, 7});
  EXPECT_EQ(tensor.dtype(), DataType::kFloat32);
  EXPECT_EQ(tensor.byte_size(), 140u);
  EXPECT_EQ(reinterpret_cast<uintptr_t>(tensor.raw_data()) % 64, 0u);
  tensor.data<float>()[34] = 2.5f;  // writable to the last element
  EXPECT_EQ(tensor.values<float>()[34], 2.5f);
  EXPECT_NE(Tensor::Uninitialized(DataType::kInt8, {0}).raw_data(), nullptr);
  Tensor strings = Tensor::Uninitialized(DataType::kString, {3});
  ASSERT_EQ(strings.strings().size(), 3u);
  EXPECT_EQ(strings.strings()[2], "");
}

TEST(TensorTest, ReshapeSharesCloneCopies) {
  Tensor tensor(DataType::kInt64, {6});
  Tensor view = tensor.Reshaped({2, 3});
  Tensor copy = tensor.Clone();
  tensor.data<int64_t>()[5] = 7;
  EXPECT_EQ(view.data<int64_t>()[5], 7);
  EXPECT_EQ(copy.data<int64_t>()[5], 0);
  EXPECT_EQ(ShapeToString(view.shape()), "[2, 3]");
}

TEST(TensorTest, StringTensorsHoldStrings) {
  Tensor tensor(DataType::kString, {2});
  tensor.strings()[1] = "hello";
  EXPECT_EQ(tensor.Clone().strings()[1], "hello");
  EXPECT_EQ(tensor.byte_size(), 0u);
}

TEST(TensorTest, ScalarHasOneElement) {
  EXPECT_EQ(Tensor(DataType::kBool, {}).element_count(), 1);
  EXPECT_EQ(Tensor(DataType::kBool, {0, 4}).element_count(), 0);
}

}  // namespace
}  // namespace mlos
