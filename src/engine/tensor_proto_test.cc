#include "engine/tensor_proto.h"

#include <gtest/gtest.h>

namespace mlos::engine {
namespace {

onnx::TensorProto Proto(const std::string& name, onnx::TensorProto::DataType type, Shape dims) {
  onnx::TensorProto proto;
  proto.set_name(name);
  proto.set_data_type(type);
  for (int64_t dim : dims) proto.add_dims(dim);
  return proto;
}

TEST(TensorProtoTest, ReadsRawData) {
  onnx::TensorProto proto = Proto("w", onnx::TensorProto::FLOAT, {2, 2});
  const float values[] = {1.5f, -2.0f, 3.0f, 4.25f};
  proto.set_raw_data(values, sizeof(values));
  StatusOr<Tensor> tensor = TensorFromProto(proto);
  ASSERT_TRUE(tensor.ok()) << tensor.status().ToString();
  EXPECT_EQ(tensor->shape(), (Shape{2, 2}));
  EXPECT_EQ(tensor->dtype(), DataType::kFloat32);
  EXPECT_EQ(tensor->data<float>()[3], 4.25f);
}

TEST(TensorProtoTest, ReadsTypedFields) {
  onnx::TensorProto int8 = Proto("a", onnx::TensorProto::INT8, {3});
  for (int v : {-128, 0, 127}) int8.add_int32_data(v);
  StatusOr<Tensor> a = TensorFromProto(int8);
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  EXPECT_EQ(a->data<int8_t>()[0], -128);
  EXPECT_EQ(a->data<int8_t>()[2], 127);

  onnx::TensorProto half = Proto("h", onnx::TensorProto::FLOAT16, {2});
  half.add_int32_data(0x3C00);  // 1.0
  half.add_int32_data(0xC000);  // -2.0
  StatusOr<Tensor> h = TensorFromProto(half);
  ASSERT_TRUE(h.ok()) << h.status().ToString();
  EXPECT_EQ(h->data<uint16_t>()[1], 0xC000);

  onnx::TensorProto flags = Proto("b", onnx::TensorProto::BOOL, {2});
  flags.add_int32_data(1);
  flags.add_int32_data(0);
  StatusOr<Tensor> b = TensorFromProto(flags);
  ASSERT_TRUE(b.ok()) << b.status().ToString();
  EXPECT_TRUE(b->data<bool>()[0]);
  EXPECT_FALSE(b->data<bool>()[1]);

  onnx::TensorProto big = Proto("u", onnx::TensorProto::UINT64, {1});
  big.add_uint64_data(~uint64_t{0});
  StatusOr<Tensor> u = TensorFromProto(big);
  ASSERT_TRUE(u.ok()) << u.status().ToString();
  EXPECT_EQ(u->data<uint64_t>()[0], ~uint64_t{0});

  onnx::TensorProto scalar = Proto("d", onnx::TensorProto::DOUBLE, {});
  scalar.add_double_data(2.5);
  StatusOr<Tensor> d = TensorFromProto(scalar);
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  EXPECT_TRUE(d->shape().empty());
  EXPECT_EQ(d->data<double>()[0], 2.5);
}

TEST(TensorProtoTest, ReadsStrings) {
  onnx::TensorProto proto = Proto("s", onnx::TensorProto::STRING, {2});
  proto.add_string_data("hello");
  proto.add_string_data(std::string("a\0b", 3));
  StatusOr<Tensor> tensor = TensorFromProto(proto);
  ASSERT_TRUE(tensor.ok()) << tensor.status().ToString();
  EXPECT_EQ(tensor->strings()[0], "hello");
  EXPECT_EQ(tensor->strings()[1].size(), 3u);
}

TEST(TensorProtoTest, ErrorsNameTheTensor) {
  onnx::TensorProto short_raw = Proto("weights", onnx::TensorProto::FLOAT, {4});
  short_raw.set_raw_data(std::string(12, '\0'));
  Status status = TensorFromProto(short_raw).status();
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(status.message().find("tensor 'weights'"), std::string::npos) << status.message();
  EXPECT_NE(status.message().find("12 bytes"), std::string::npos) << status.message();

  onnx::TensorProto few = Proto("bias", onnx::TensorProto::INT64, {3});
  few.add_int64_data(1);
  status = TensorFromProto(few).status();
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(
      status.message().find("tensor 'bias': int64_data holds 1 values, the shape [3] needs 3"),
      std::string::npos)
      << status.message();

  onnx::TensorProto unknown = Proto("odd", onnx::TensorProto::COMPLEX64, {1});
  status = TensorFromProto(unknown).status();
  EXPECT_EQ(status.code(), StatusCode::kUnimplemented);
  EXPECT_NE(status.message().find("tensor 'odd'"), std::string::npos) << status.message();
}

void ExpectInvalid(const onnx::TensorProto& proto, const std::string& message) {
  const Status status = TensorFromProto(proto).status();
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument) << status.ToString();
  EXPECT_NE(status.message().find("tensor '" + proto.name() + "'"), std::string::npos)
      << status.message();
  EXPECT_NE(status.message().find(message), std::string::npos)
      << "'" << message << "' not in: " << status.message();
}

TEST(TensorProtoTest, HugeDimsWithoutDataFailBeforeAllocating) {
  onnx::TensorProto typed = Proto("huge", onnx::TensorProto::FLOAT, {1'000'000'000'000});
  ExpectInvalid(typed, "float_data holds 0 values, the shape [1000000000000] needs 1000000000000");

  onnx::TensorProto raw = Proto("huge_raw", onnx::TensorProto::INT64, {1'000'000, 1'000'000});
  raw.set_raw_data(std::string(8, '\0'));
  ExpectInvalid(raw, "raw_data has 8 bytes, int64 [1000000, 1000000] needs 8000000000000");

  onnx::TensorProto strings = Proto("huge_strings", onnx::TensorProto::STRING, {1'000'000'000'000});
  strings.add_string_data("one");
  ExpectInvalid(strings, "string_data holds 1 values");
}

TEST(TensorProtoTest, NegativeAndOverflowingDims) {
  ExpectInvalid(Proto("negative", onnx::TensorProto::FLOAT, {2, -1}),
                "negative dimension in [2, -1]");
  const int64_t big = int64_t{1} << 40;
  ExpectInvalid(Proto("elements", onnx::TensorProto::FLOAT, {big, big}), "more than 2^63 elements");
  // A zero dimension does not excuse the others: kernels multiply subsets of the dims.
  ExpectInvalid(Proto("hidden", onnx::TensorProto::FLOAT, {big, 0, big}),
                "more than 2^63 elements");
  ExpectInvalid(Proto("bytes", onnx::TensorProto::DOUBLE, {int64_t{1} << 61}),
                "float64 [2305843009213693952] needs more than 2^63 bytes");
}

TEST(TensorProtoTest, EmptyTensorsNeedNoData) {
  StatusOr<Tensor> tensor = TensorFromProto(Proto("empty", onnx::TensorProto::FLOAT, {0, 5}));
  ASSERT_TRUE(tensor.ok()) << tensor.status().ToString();
  EXPECT_EQ(tensor->shape(), (Shape{0, 5}));
  EXPECT_EQ(tensor->element_count(), 0);
}

TEST(TensorProtoTest, StringTensorErrors) {
  onnx::TensorProto raw = Proto("raw_strings", onnx::TensorProto::STRING, {1});
  raw.set_raw_data("abcd");
  ExpectInvalid(raw, "string tensors cannot use raw_data");

  onnx::TensorProto few = Proto("few_strings", onnx::TensorProto::STRING, {3});
  few.add_string_data("a");
  ExpectInvalid(few, "string_data holds 1 values, the shape [3] needs 3");
}

TEST(TensorProtoTest, WrongDataTypeCodes) {
  onnx::TensorProto undefined = Proto("undefined", onnx::TensorProto::UNDEFINED, {1});
  ExpectInvalid(undefined, "data_type 0 is not an ONNX data type");
  onnx::TensorProto unknown = Proto("unknown", onnx::TensorProto::FLOAT, {1});
  unknown.set_data_type(1234);
  ExpectInvalid(unknown, "data_type 1234 is not an ONNX data type");
  unknown.set_data_type(-7);
  ExpectInvalid(unknown, "data_type -7 is not an ONNX data type");

  onnx::TensorProto complex = Proto("complex", onnx::TensorProto::COMPLEX128, {1});
  const Status status = TensorFromProto(complex).status();
  EXPECT_EQ(status.code(), StatusCode::kUnimplemented) << status.ToString();
  EXPECT_NE(status.message().find("COMPLEX128 is not supported"), std::string::npos)
      << status.message();
}

TEST(TensorProtoTest, UnresolvedExternalData) {
  onnx::TensorProto external = Proto("external", onnx::TensorProto::FLOAT, {1});
  external.set_data_location(onnx::TensorProto::EXTERNAL);
  ExpectInvalid(external, "external data was not resolved");
}

TEST(TensorProtoTest, RawByteSize) {
  StatusOr<uint64_t> bytes = RawByteSize(Proto("w", onnx::TensorProto::FLOAT16, {3, 5}));
  ASSERT_TRUE(bytes.ok()) << bytes.status().ToString();
  EXPECT_EQ(*bytes, 30u);
  EXPECT_EQ(RawByteSize(Proto("s", onnx::TensorProto::STRING, {1})).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(RawByteSize(Proto("n", onnx::TensorProto::INT8, {-2})).status().code(),
            StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace mlos::engine
