#include "tools/mlos-conformance/value_files.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

namespace mlos::conformance {
namespace {

using engine::Value;

onnx::TensorProto FloatProto(std::vector<float> values) {
  onnx::TensorProto proto;
  proto.set_data_type(onnx::TensorProto::FLOAT);
  proto.add_dims(static_cast<int64_t>(values.size()));
  for (float value : values) proto.add_float_data(value);
  return proto;
}

TEST(ValueFromOptionalProto, EmptyTensorAndSequence) {
  onnx::OptionalProto empty;
  StatusOr<Value> value = ValueFromOptionalProto(empty, DataType::kFloat32);
  ASSERT_TRUE(value.ok()) << value.status().ToString();
  EXPECT_TRUE(value->is_empty_optional());

  onnx::OptionalProto tensor;
  tensor.set_elem_type(onnx::OptionalProto::TENSOR);
  *tensor.mutable_tensor_value() = FloatProto({1, 2});
  value = ValueFromOptionalProto(tensor, DataType::kFloat32);
  ASSERT_TRUE(value.ok()) << value.status().ToString();
  ASSERT_TRUE(value->is_tensor());
  EXPECT_EQ(value->tensor().shape(), Shape({2}));

  onnx::OptionalProto sequence;
  sequence.set_elem_type(onnx::OptionalProto::SEQUENCE);
  *sequence.mutable_sequence_value()->add_tensor_values() = FloatProto({3});
  value = ValueFromOptionalProto(sequence, DataType::kFloat32);
  ASSERT_TRUE(value.ok()) << value.status().ToString();
  ASSERT_TRUE(value->is_sequence());
  EXPECT_EQ(value->items().size(), 1u);
}

TEST(ValueFromSequenceProto, EmptySequenceTakesTheDeclaredElementType) {
  StatusOr<Value> value = ValueFromSequenceProto(onnx::SequenceProto(), DataType::kInt64);
  ASSERT_TRUE(value.ok()) << value.status().ToString();
  ASSERT_TRUE(value->is_sequence());
  EXPECT_TRUE(value->items().empty());
  EXPECT_EQ(value->element_type(), DataType::kInt64);
}

TEST(ReadValueFile, Uint16FileForBFloat16IsReadAsItsBits) {
  onnx::TensorProto proto;
  proto.set_data_type(onnx::TensorProto::UINT16);
  proto.add_dims(1);
  proto.add_int32_data(0x3F80);  // bfloat16 1.0
  const std::string path =
      (std::filesystem::temp_directory_path() / "mlos_conformance_bfloat16.pb").string();
  {
    std::ofstream file(path, std::ios::binary);
    ASSERT_TRUE(proto.SerializeToOstream(&file));
  }
  DeclaredValue declared;
  declared.name = "x";
  declared.element_type = DataType::kBFloat16;
  const StatusOr<Value> value = ReadValueFile(path, declared);
  std::remove(path.c_str());
  ASSERT_TRUE(value.ok()) << value.status().ToString();
  ASSERT_TRUE(value->is_tensor());
  EXPECT_EQ(value->tensor().dtype(), DataType::kBFloat16);
  EXPECT_EQ(value->tensor().data<uint16_t>()[0], 0x3F80);
}

TEST(ReadValueFile, MissingFileFails) {
  EXPECT_FALSE(ReadValueFile("/nonexistent/input_0.pb", DeclaredValue()).ok());
}

}  // namespace
}  // namespace mlos::conformance
