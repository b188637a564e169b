#include "core/api/grpc/grpc_tensors.h"

#include <gtest/gtest.h>

#include <cstring>

namespace mlos::core {
namespace {

using inference::ModelInferRequest;
using inference::ModelInferResponse;

ModelSignature Signature() {
  ModelSignature signature;
  signature.inputs = {{"x", DataType::kFloat32, Shape{-1, 3}},
                      {"ids", DataType::kInt64, Shape{-1}},
                      {"flag", DataType::kInt8, std::nullopt}};
  signature.outputs = {{"y", DataType::kFloat32, Shape{-1, 3}},
                       {"half", DataType::kFloat16, Shape{-1}}};
  return signature;
}

ModelInferRequest::InferInputTensor* AddInput(ModelInferRequest* request, const char* name,
                                              const char* datatype, Shape shape) {
  auto* input = request->add_inputs();
  input->set_name(name);
  input->set_datatype(datatype);
  input->mutable_shape()->Add(shape.begin(), shape.end());
  return input;
}

ModelInferRequest TypedRequest() {
  ModelInferRequest request;
  auto* x = AddInput(&request, "x", "FP32", {1, 3});
  for (float value : {1.5f, -2.0f, 3.25f}) x->mutable_contents()->add_fp32_contents(value);
  auto* ids = AddInput(&request, "ids", "INT64", {2});
  for (int64_t value : {7, -9}) ids->mutable_contents()->add_int64_contents(value);
  AddInput(&request, "flag", "INT8", {1})->mutable_contents()->add_int_contents(-128);
  return request;
}

std::string Error(const ModelInferRequest& request) {
  auto decoded = DecodeGrpcInferRequest(request, Signature());
  EXPECT_FALSE(decoded.ok());
  return decoded.ok() ? "" : decoded.status().message();
}

TEST(GrpcTensorsTest, DecodesTypedContentsInDeclaredOrder) {
  ModelInferRequest request = TypedRequest();
  request.mutable_inputs()->SwapElements(0, 2);  // any request order
  auto decoded = DecodeGrpcInferRequest(request, Signature());
  ASSERT_TRUE(decoded.ok()) << decoded.status().message();
  ASSERT_EQ(decoded->inputs.size(), 3u);
  EXPECT_EQ(decoded->inputs[0].name, "x");
  EXPECT_EQ(decoded->inputs[0].tensor.shape(), (Shape{1, 3}));
  EXPECT_EQ(decoded->inputs[0].tensor.data<float>()[2], 3.25f);
  EXPECT_EQ(decoded->inputs[1].tensor.data<int64_t>()[1], -9);
  EXPECT_EQ(decoded->inputs[2].tensor.data<int8_t>()[0], -128);
  EXPECT_TRUE(decoded->raw_outputs);
  EXPECT_TRUE(decoded->output_names.empty());
}

TEST(GrpcTensorsTest, DecodesRawContents) {
  ModelInferRequest request;
  AddInput(&request, "x", "FP32", {2, 3});
  AddInput(&request, "ids", "INT64", {1});
  AddInput(&request, "flag", "INT8", {2, 2});
  const float x[6] = {1, 2, 3, 4, 5, 6};
  const int64_t ids[1] = {42};
  request.add_raw_input_contents(reinterpret_cast<const char*>(x), sizeof(x));
  request.add_raw_input_contents(reinterpret_cast<const char*>(ids), sizeof(ids));
  request.add_raw_input_contents(std::string("\x01\x02\x03\xff", 4));
  auto decoded = DecodeGrpcInferRequest(request, Signature());
  ASSERT_TRUE(decoded.ok()) << decoded.status().message();
  EXPECT_EQ(decoded->inputs[0].tensor.data<float>()[5], 6.0f);
  EXPECT_EQ(decoded->inputs[1].tensor.data<int64_t>()[0], 42);
  EXPECT_EQ(decoded->inputs[2].tensor.data<int8_t>()[3], -1);
}

TEST(GrpcTensorsTest, RefusesBadInputsNamingTheTensor) {
  ModelInferRequest request = TypedRequest();
  request.mutable_inputs(0)->mutable_contents()->add_fp32_contents(4);
  EXPECT_EQ(Error(request),
            "input 'x' (FP32 [-1, 3]): shape [1, 3] needs 3 elements, "
            "contents.fp32_contents has 4");

  request = TypedRequest();
  request.mutable_inputs(0)->set_datatype("FP64");
  EXPECT_EQ(Error(request),
            "input 'x' (FP32 [-1, 3]): datatype \"FP64\" given, the model "
            "expects FP32");

  request = TypedRequest();
  request.mutable_inputs(0)->mutable_contents()->add_int64_contents(1);
  EXPECT_NE(Error(request).find("contents.int64_contents is given; a FP32 tensor uses "
                                "contents.fp32_contents"),
            std::string::npos);

  request = TypedRequest();
  request.mutable_inputs(2)->mutable_contents()->set_int_contents(0, 200);
  EXPECT_EQ(Error(request),
            "input 'flag' (INT8 [any rank]): element 0 is 200, outside the "
            "range of INT8");

  request = TypedRequest();
  request.mutable_inputs(1)->set_name("nope");
  EXPECT_NE(Error(request).find("unknown input 'nope'"), std::string::npos);

  request = TypedRequest();
  request.mutable_inputs()->RemoveLast();
  EXPECT_NE(Error(request).find("missing input flag (INT8 [any rank])"), std::string::npos);

  request = TypedRequest();
  request.add_raw_input_contents("x");
  EXPECT_EQ(Error(request),
            "raw_input_contents has 1 entries for 3 inputs; it needs one per "
            "input, in order");

  request = TypedRequest();
  request.mutable_inputs(0)->set_shape(1, 4);
  EXPECT_NE(Error(request).find("dimension 1 must be 3"), std::string::npos);
}

TEST(GrpcTensorsTest, OutputSelectionAndTypedOutputs) {
  ModelInferRequest request = TypedRequest();
  request.add_outputs()->set_name("y");
  (*request.mutable_parameters())["binary_data_output"].set_bool_param(false);
  auto decoded = DecodeGrpcInferRequest(request, Signature());
  ASSERT_TRUE(decoded.ok()) << decoded.status().message();
  EXPECT_EQ(decoded->output_names, std::vector<std::string>{"y"});
  EXPECT_FALSE(decoded->raw_outputs);

  request.clear_outputs();  // every output, FP16 "half" included: no typed field for it
  EXPECT_NE(Error(request).find("output half (FP16 [-1]) has no typed contents field"),
            std::string::npos);
  request.add_outputs()->set_name("z");
  EXPECT_NE(Error(request).find("unknown output 'z' requested"), std::string::npos);
}

OutputTensor Output(const char* name, DataType dtype, Shape shape, const std::string& bytes) {
  Tensor tensor(DataType::kUInt8, {static_cast<int64_t>(bytes.size())});
  std::memcpy(tensor.raw_data(), bytes.data(), bytes.size());
  return {name, dtype, std::move(shape), tensor};
}

TEST(GrpcTensorsTest, EncodesRawAndTypedOutputs) {
  const float values[2] = {0.5f, -1.0f};
  const std::string floats(reinterpret_cast<const char*>(values), sizeof(values));
  const std::string strings("\x02\0\0\0hi\x00\0\0\0", 10);
  const std::vector<OutputTensor> outputs = {Output("y", DataType::kFloat32, {1, 2}, floats),
                                             Output("s", DataType::kString, {2}, strings)};
  ModelInferResponse raw;
  ASSERT_TRUE(EncodeGrpcInferOutputs(outputs, true, &raw).ok());
  ASSERT_EQ(raw.raw_output_contents_size(), 2);
  EXPECT_EQ(raw.raw_output_contents(0), floats);
  EXPECT_EQ(raw.raw_output_contents(1), strings);
  EXPECT_EQ(raw.outputs(1).datatype(), "BYTES");
  EXPECT_EQ(raw.outputs(0).shape(1), 2);

  ModelInferResponse typed;
  ASSERT_TRUE(EncodeGrpcInferOutputs(outputs, false, &typed).ok());
  EXPECT_EQ(typed.raw_output_contents_size(), 0);
  EXPECT_EQ(typed.outputs(0).contents().fp32_contents(1), -1.0f);
  ASSERT_EQ(typed.outputs(1).contents().bytes_contents_size(), 2);
  EXPECT_EQ(typed.outputs(1).contents().bytes_contents(0), "hi");
  EXPECT_EQ(typed.outputs(1).contents().bytes_contents(1), "");

  ModelInferResponse broken;
  const Status status = EncodeGrpcInferOutputs(
      {Output("s", DataType::kString, {1}, std::string("\x09\0\0\0x", 5))}, false, &broken);
  EXPECT_EQ(status.code(), StatusCode::kInternal);
}

}  // namespace
}  // namespace mlos::core
