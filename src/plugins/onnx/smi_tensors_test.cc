#include "plugins/onnx/smi_tensors.h"

#include <gtest/gtest.h>

#include <cstring>

namespace mlos::plugins::onnx {
namespace {

smi_tensor_view View(smi_dtype dtype, const std::vector<int64_t>& shape, const void* data,
                     uint64_t byte_size) {
  return {"in", dtype, static_cast<int32_t>(shape.size()), shape.data(), data, byte_size};
}

TEST(SmiTensorsTest, BorrowsDenseInputs) {
  const float values[] = {1, 2, 3, 4, 5, 6};
  const std::vector<int64_t> shape = {2, 3};
  StatusOr<engine::NamedTensor> input = TensorFromView(View(SMI_DTYPE_FLOAT32, shape, values, 24));
  ASSERT_TRUE(input.ok()) << input.status().ToString();
  EXPECT_EQ(input->name, "in");
  EXPECT_EQ(input->tensor.shape(), (Shape{2, 3}));
  EXPECT_EQ(input->tensor.raw_data(), static_cast<const void*>(values));  // zero-copy
}

TEST(SmiTensorsTest, RejectsInconsistentViews) {
  const float values[6] = {};
  const std::vector<int64_t> shape = {2, 3};
  Status status = TensorFromView(View(SMI_DTYPE_FLOAT32, shape, values, 20)).status();
  EXPECT_EQ(status.message(), "input 'in': byte_size 20 does not fit float32 [2, 3] (24 bytes)");
  status = TensorFromView(View(42, shape, values, 24)).status();
  EXPECT_EQ(status.message(), "input 'in': unknown datatype code 42");
  const std::vector<int64_t> negative = {-1, 3};
  status = TensorFromView(View(SMI_DTYPE_FLOAT32, negative, values, 24)).status();
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  status = TensorFromView(View(SMI_DTYPE_FLOAT32, shape, nullptr, 24)).status();
  EXPECT_EQ(status.message(), "input 'in': data is NULL");
}

TEST(SmiTensorsTest, StringsRoundTrip) {
  const std::string encoded("\x02\0\0\0hi\x00\0\0\0\x03\0\0\0abc", 17);
  const std::vector<int64_t> shape = {3};
  StatusOr<engine::NamedTensor> input =
      TensorFromView(View(SMI_DTYPE_STRING, shape, encoded.data(), encoded.size()));
  ASSERT_TRUE(input.ok()) << input.status().ToString();
  EXPECT_EQ(input->tensor.strings(), (std::vector<std::string>{"hi", "", "abc"}));

  std::string copied;
  smi_allocator allocator{&copied,
                          [](void* context, const char*, smi_dtype dtype, int32_t rank,
                             const int64_t*, uint64_t byte_size) -> void* {
                            EXPECT_EQ(dtype, SMI_DTYPE_STRING);
                            EXPECT_EQ(rank, 1);
                            auto* out = static_cast<std::string*>(context);
                            out->resize(byte_size);
                            return out->data();
                          }};
  ASSERT_TRUE(CopyToHost(*input, allocator).ok());
  EXPECT_EQ(copied, encoded);

  const std::vector<int64_t> two = {2};
  Status truncated = TensorFromView(View(SMI_DTYPE_STRING, two, encoded.data(), 7)).status();
  EXPECT_EQ(truncated.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(truncated.message().find("input 'in'"), std::string::npos);
}

TEST(SmiTensorsTest, AllocatorFailureIsOutOfMemory) {
  engine::NamedTensor output{"y", Tensor(DataType::kFloat32, {4})};
  smi_allocator refusing{
      nullptr, [](void*, const char*, smi_dtype, int32_t, const int64_t*, uint64_t) -> void* {
        return nullptr;
      }};
  Status status = CopyToHost(output, refusing);
  EXPECT_EQ(status.code(), StatusCode::kOutOfMemory);
  EXPECT_NE(status.message().find("output 'y'"), std::string::npos);
}

}  // namespace
}  // namespace mlos::plugins::onnx
