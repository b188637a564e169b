#include "core/api/kserve/kserve_tensors.h"

#include <gtest/gtest.h>

#include <cstring>
#include <nlohmann/json.hpp>

#include "core/api/float16.h"

namespace mlos::core {
namespace {

using Json = nlohmann::json;

// x: FP32 [-1, 3]; ids: INT64 [-1]; text: BYTES [-1]. Outputs mirror them.
ModelSignature Signature() {
  return {{{"x", DataType::kFloat32, Shape{-1, 3}},
           {"ids", DataType::kInt64, Shape{-1}},
           {"text", DataType::kString, Shape{-1}}},
          {{"y", DataType::kFloat32, Shape{-1, 3}}, {"z", DataType::kInt64, Shape{-1}}}};
}

// The inputs the tests usually give, with `change` applied to the one named `name`.
Json Inputs(const std::string& name = "", const Json& change = Json::object()) {
  Json inputs = Json::array({
      {{"name", "x"}, {"shape", {1, 3}}, {"datatype", "FP32"}, {"data", {1.5, 2, 3}}},
      {{"name", "ids"}, {"shape", {2}}, {"datatype", "INT64"}, {"data", {7, -8}}},
      {{"name", "text"}, {"shape", {1}}, {"datatype", "BYTES"}, {"data", {"hi"}}},
  });
  for (Json& input : inputs) {
    if (input["name"] == name) input.update(change);
  }
  return inputs;
}

StatusOr<KServeInferRequest> Decode(const Json& request, const std::string& binary = "",
                                    bool framed = false,
                                    const ModelSignature& signature = Signature()) {
  const std::string json = request.dump();
  const bool with_header = framed || !binary.empty();
  return DecodeKServeInferRequest(
      json + binary, with_header ? std::optional<size_t>(json.size()) : std::nullopt, signature);
}

std::string Error(const StatusOr<KServeInferRequest>& result) {
  EXPECT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), StatusCode::kInvalidArgument) << result.status().ToString();
  return result.status().message();
}

template <typename T>
std::string Bytes(std::initializer_list<T> values) {
  std::string bytes(values.size() * sizeof(T), '\0');
  std::memcpy(bytes.data(), std::data(values), bytes.size());
  return bytes;
}

std::string Strings(std::initializer_list<std::string> values) {
  std::string bytes;
  for (const std::string& value : values) {
    const auto length = static_cast<uint32_t>(value.size());
    bytes.append(reinterpret_cast<const char*>(&length), 4);
    bytes += value;
  }
  return bytes;
}

TEST(KServeTensorsTest, DecodesJsonInputsInDeclaredOrder) {
  Json inputs = Inputs();
  std::swap(inputs[0], inputs[2]);
  inputs[2]["data"] = {{1.5, 2, 3}};  // nested
  auto request = Decode({{"id", "r1"}, {"inputs", inputs}});
  ASSERT_TRUE(request.ok()) << request.status().ToString();
  EXPECT_EQ(request->id, "r1");
  ASSERT_EQ(request->inputs.size(), 3u);
  EXPECT_EQ(request->inputs[0].name, "x");
  EXPECT_EQ(request->inputs[0].tensor.shape(), (Shape{1, 3}));
  EXPECT_EQ(request->inputs[0].tensor.data<float>()[0], 1.5f);
  EXPECT_EQ(request->inputs[1].tensor.data<int64_t>()[1], -8);
  EXPECT_EQ(request->inputs[2].tensor.strings(), std::vector<std::string>{"hi"});
  EXPECT_TRUE(request->output_names.empty());
  EXPECT_FALSE(request->BinaryOutput("y"));
}

TEST(KServeTensorsTest, DecodesEveryDatatypeFromJson) {
  const std::vector<std::pair<DataType, Json>> cases = {
      {DataType::kBool, {true, false, 1}},
      {DataType::kInt8, {-128, 127, 0}},
      {DataType::kInt16, {-32768, 32767, 0}},
      {DataType::kInt32, {-1, 2, 3}},
      {DataType::kInt64, {-1, 2, 3}},
      {DataType::kUInt8, {0, 255, 1}},
      {DataType::kUInt16, {0, 65535, 1}},
      {DataType::kUInt32, {0, 4294967295u, 1}},
      {DataType::kUInt64, {0, 18446744073709551615u, 1}},
      {DataType::kFloat16, {0.5, -2, 65504}},
      {DataType::kBFloat16, {0.5, -2, 1}},
      {DataType::kFloat32, {0.5, -2, 1e38}},
      {DataType::kFloat64, {0.5, -2, 1e308}},
      {DataType::kString, {"a", "", "\u00e9"}},
  };
  for (const auto& [dtype, data] : cases) {
    SCOPED_TRACE(KServeName(dtype));
    const ModelSignature signature{{{"t", dtype, Shape{3}}}, {}};
    auto request = Decode(
        {{"inputs",
          {{{"name", "t"}, {"shape", {3}}, {"datatype", KServeName(dtype)}, {"data", data}}}}},
        "", false, signature);
    ASSERT_TRUE(request.ok()) << request.status().ToString();
    const Tensor& tensor = request->inputs[0].tensor;
    EXPECT_EQ(tensor.dtype(), dtype);
    if (dtype == DataType::kFloat16) {
      EXPECT_EQ(HalfToFloat(tensor.data<uint16_t>()[2]), 65504.f);
    } else if (dtype == DataType::kUInt64) {
      EXPECT_EQ(tensor.data<uint64_t>()[1], UINT64_MAX);
    } else if (dtype == DataType::kString) {
      EXPECT_EQ(tensor.strings()[2], "\u00e9");
    }
  }
}

TEST(KServeTensorsTest, DecodesBinaryInputsInRequestOrder) {
  const std::string text = Strings({"hello", "ab"});
  Json inputs = Inputs();
  inputs[0].erase("data");
  inputs[0]["parameters"] = {{"binary_data_size", 12}};
  inputs[2].erase("data");
  inputs[2]["shape"] = {2};
  inputs[2]["parameters"] = {{"binary_data_size", text.size()}};
  std::swap(inputs[0], inputs[2]);  // text's bytes come first, then x's; ids stays JSON
  auto request = Decode({{"inputs", inputs}}, text + Bytes<float>({1, 2, 3}));
  ASSERT_TRUE(request.ok()) << request.status().ToString();
  EXPECT_EQ(request->inputs[0].name, "x");
  EXPECT_EQ(request->inputs[0].tensor.data<float>()[2], 3.f);
  EXPECT_EQ(request->inputs[1].tensor.data<int64_t>()[0], 7);
  EXPECT_EQ(request->inputs[2].tensor.strings(), (std::vector<std::string>{"hello", "ab"}));
}

TEST(KServeTensorsTest, DecodesBinaryStringsBoolsAndBFloat16) {
  const ModelSignature signature{{{"s", DataType::kString, Shape{-1}},
                                  {"b", DataType::kBool, Shape{2}},
                                  {"h", DataType::kBFloat16, Shape{1}}},
                                 {}};
  const std::string strings = Strings({"hello", "", "ab"});
  const Json request = {{"inputs",
                         {{{"name", "s"},
                           {"shape", {3}},
                           {"datatype", "BYTES"},
                           {"parameters", {{"binary_data_size", strings.size()}}}},
                          {{"name", "b"},
                           {"shape", {2}},
                           {"datatype", "BOOL"},
                           {"parameters", {{"binary_data_size", 2}}}},
                          {{"name", "h"},
                           {"shape", {1}},
                           {"datatype", "BF16"},
                           {"parameters", {{"binary_data_size", 2}}}}}}};
  const uint16_t half = FloatToBFloat16(-1.5f);
  auto decoded = Decode(request, strings + std::string("\x01\x00", 2) + Bytes<uint16_t>({half}),
                        true, signature);
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  EXPECT_EQ(decoded->inputs[0].tensor.strings(), (std::vector<std::string>{"hello", "", "ab"}));
  EXPECT_EQ(decoded->inputs[1].tensor.data<uint8_t>()[0], 1);
  EXPECT_EQ(decoded->inputs[1].tensor.data<uint8_t>()[1], 0);
  EXPECT_EQ(BFloat16ToFloat(decoded->inputs[2].tensor.data<uint16_t>()[0]), -1.5f);

  EXPECT_NE(Error(Decode(request, strings + std::string("\x02\x00", 2) + Bytes<uint16_t>({half}),
                         true, signature))
                .find("input 'b' (BOOL [2]): binary BOOL element 0 is 2"),
            std::string::npos);
  const std::string four_strings = Strings({"hello", "", "ab", "x"});
  Json wrong_count = request;
  wrong_count["inputs"][0]["parameters"]["binary_data_size"] = four_strings.size();
  EXPECT_NE(
      Error(Decode(wrong_count, four_strings + std::string("\x01\x00", 2) + Bytes<uint16_t>({half}),
                   true, signature))
          .find("input 's' (BYTES [-1]): binary BYTES data of 3 elements ends after 19 "
                "bytes, binary_data_size is 24"),
      std::string::npos);
}

TEST(KServeTensorsTest, RequestedOutputsAndBinaryFlags) {
  auto request = Decode(
      {{"inputs", Inputs()},
       {"parameters", {{"binary_data_output", true}}},
       {"outputs", {{{"name", "z"}, {"parameters", {{"binary_data", false}}}}, {{"name", "y"}}}}});
  ASSERT_TRUE(request.ok()) << request.status().ToString();
  EXPECT_EQ(request->output_names, (std::vector<std::string>{"z", "y"}));
  EXPECT_FALSE(request->BinaryOutput("z"));
  EXPECT_TRUE(request->BinaryOutput("y"));

  EXPECT_EQ(Error(Decode({{"inputs", Inputs()}, {"outputs", {{{"name", "w"}}}}})),
            "unknown output 'w' requested; the model's outputs are: y (FP32 [-1, 3]), "
            "z (INT64 [-1])");
  EXPECT_EQ(Error(Decode({{"inputs", Inputs()}, {"outputs", {{{"name", "y"}}, {{"name", "y"}}}}})),
            "output 'y' is requested twice");
}

TEST(KServeTensorsTest, ErrorsNameTheTensorWhatWasExpectedAndWhatCame) {
  EXPECT_EQ(Error(Decode({{"inputs", Inputs("x", {{"name", "q"}})}})),
            "unknown input 'q'; the model's inputs are: x (FP32 [-1, 3]), ids (INT64 [-1]), "
            "text (BYTES [-1])");
  Json missing = Inputs();
  missing.erase(1);
  EXPECT_EQ(Error(Decode({{"inputs", missing}})),
            "missing input ids (INT64 [-1]); the model's inputs are: x (FP32 [-1, 3]), "
            "ids (INT64 [-1]), text (BYTES [-1])");
  Json twice = Inputs();
  twice.push_back(twice[1]);
  EXPECT_EQ(Error(Decode({{"inputs", twice}})), "input 'ids' is given twice");
  EXPECT_EQ(Error(Decode({{"inputs", Inputs("x", {{"datatype", "FP64"}})}})),
            "input 'x' (FP32 [-1, 3]): datatype \"FP64\" given, the model expects FP32");
  EXPECT_EQ(Error(Decode({{"inputs", Inputs("x", {{"shape", {3}}})}})),
            "input 'x' (FP32 [-1, 3]): shape [3] has rank 1, the model expects [-1, 3] (rank 2)");
  EXPECT_EQ(Error(Decode({{"inputs", Inputs("x", {{"shape", {1, 4}}})}})),
            "input 'x' (FP32 [-1, 3]): shape [1, 4] does not match the model's [-1, 3]: "
            "dimension 1 must be 3");
  EXPECT_EQ(Error(Decode({{"inputs", Inputs("x", {{"shape", {2, 3}}})}})),
            "input 'x' (FP32 [-1, 3]): shape [2, 3] needs 6 elements, \"data\" has 3");
  EXPECT_EQ(Error(Decode({{"inputs", Inputs("x", {{"shape", {1, -3}}})}})),
            "input 'x' (FP32 [-1, 3]): \"shape\" must be an array of at most 32 non-negative "
            "integers, got [1,-3]");
  EXPECT_EQ(Error(Decode({{"inputs", Inputs("ids", {{"data", {1, 1.5}}})}})),
            "input 'ids' (INT64 [-1]): element 1: 1.5 is not an integer, as INT64 requires");
  EXPECT_EQ(Error(Decode({{"inputs", Inputs("ids", {{"data", {1, 9.3e18}}})}})),
            "input 'ids' (INT64 [-1]): element 1: 9.3e+18 is out of range for INT64");
  EXPECT_EQ(Error(Decode({{"inputs", Inputs("x", {{"data", {1, 2, 1e39}}})}})),
            "input 'x' (FP32 [-1, 3]): element 2: 1e+39 is out of range for FP32");
  EXPECT_EQ(Error(Decode({{"inputs", Inputs("x", {{"data", {1, "2", 3}}})}})),
            "input 'x' (FP32 [-1, 3]): element 1: \"2\" is not a number");
  EXPECT_EQ(Error(Decode({{"inputs", Inputs("text", {{"data", {3}}})}})),
            "input 'text' (BYTES [-1]): element 0: 3 is not a string, as BYTES requires");
  EXPECT_EQ(Error(Decode({{"inputs", Inputs("x", {{"datatype", 1}})}})),
            "input 'x' (FP32 [-1, 3]): the input: \"datatype\" must be a string, got number");
}

TEST(KServeTensorsTest, MalformedAndOverflowingJson) {
  const ModelSignature signature = Signature();
  auto bad = DecodeKServeInferRequest("{\"inputs\": [", std::nullopt, signature);
  EXPECT_NE(Error(bad).find("the request is not valid JSON"), std::string::npos);
  auto overflow = DecodeKServeInferRequest(
      R"({"inputs":[{"name":"x","shape":[1,3],"datatype":"FP32","data":[1,2,1e999]}]})",
      std::nullopt, signature);
  EXPECT_NE(Error(overflow).find("1e999"), std::string::npos) << Error(overflow);
  EXPECT_EQ(Error(Decode(Json::array())), "the request must be a JSON object, got array");
  EXPECT_EQ(Error(Decode(Json::object())),
            "the request needs \"inputs\", an array of tensors; the model's inputs are: "
            "x (FP32 [-1, 3]), ids (INT64 [-1]), text (BYTES [-1])");
}

TEST(KServeTensorsTest, BinaryFramingErrors) {
  Json inputs = Inputs();
  inputs[0].erase("data");
  inputs[0]["parameters"] = {{"binary_data_size", 12}};
  const std::string data = Bytes<float>({1, 2, 3});
  ASSERT_TRUE(Decode({{"inputs", inputs}}, data).ok());
  EXPECT_EQ(Error(Decode({{"inputs", inputs}}, data.substr(0, 8), true)),
            "input 'x' (FP32 [-1, 3]): binary_data_size is 12 but only 8 bytes of binary data "
            "remain (the binary section is 8 bytes)");
  EXPECT_EQ(Error(Decode({{"inputs", inputs}}, data + "xy")),
            "the binary section is 14 bytes, the inputs' binary_data_size add up to 12: 2 bytes "
            "too many");
  Json wrong_size = inputs;
  wrong_size[0]["parameters"]["binary_data_size"] = 8;
  EXPECT_EQ(Error(Decode({{"inputs", wrong_size}}, data.substr(0, 8))),
            "input 'x' (FP32 [-1, 3]): binary_data_size is 8, shape [1, 3] of FP32 needs 12 bytes");
  EXPECT_NE(Error(Decode({{"inputs", inputs}})).find("has no Inference-Header-Content-Length"),
            std::string::npos);
  Json both = inputs;
  both[0]["data"] = {1, 2, 3};
  EXPECT_EQ(Error(Decode({{"inputs", both}}, data)),
            "input 'x' (FP32 [-1, 3]): both \"data\" and parameter \"binary_data_size\" are given");
  Json strings = Inputs();
  strings[2].erase("data");
  strings[2]["shape"] = {3};
  strings[2]["parameters"] = {{"binary_data_size", 8}};
  EXPECT_EQ(Error(Decode({{"inputs", strings}}, std::string(8, '\0'))),
            "input 'text' (BYTES [-1]): binary_data_size is 8, too small for the 4-byte lengths "
            "of shape [3]'s 3 BYTES elements");
  Json huge = inputs;
  huge[0]["shape"] = {4611686018427387904, 3};
  EXPECT_EQ(Error(Decode({{"inputs", huge}}, data)),
            "input 'x' (FP32 [-1, 3]): shape [4611686018427387904, 3] has more elements than the "
            "request carries");
}

TEST(KServeTensorsTest, HeaderLength) {
  EXPECT_EQ(*ParseInferenceHeaderLength("", 10), std::nullopt);
  EXPECT_EQ(*ParseInferenceHeaderLength("7", 10), std::optional<size_t>(7));
  EXPECT_FALSE(ParseInferenceHeaderLength("11", 10).ok());
  EXPECT_FALSE(ParseInferenceHeaderLength("-1", 10).ok());
  EXPECT_EQ(ParseInferenceHeaderLength("7x", 10).status().message(),
            "Inference-Header-Content-Length is \"7x\": expected the byte length of the JSON "
            "header, at most the body's 10 bytes");
}

TEST(KServeTensorsTest, RawBinaryRequestFeedsTheOneInput) {
  const ModelSignature signature{{{"x", DataType::kFloat32, Shape{-1, 3}}}, {}};
  auto request = DecodeKServeInferRequest(Bytes<float>({1, 2, 3, 4, 5, 6}), 0, signature);
  ASSERT_TRUE(request.ok()) << request.status().ToString();
  EXPECT_EQ(request->inputs[0].tensor.shape(), (Shape{2, 3}));
  EXPECT_EQ(Error(DecodeKServeInferRequest(Bytes<float>({1, 2}), 0, signature)),
            "input x (FP32 [-1, 3]): 2 values do not fit the model's shape [-1, 3]: the count must "
            "be a multiple of 3");
  EXPECT_NE(
      Error(DecodeKServeInferRequest("abc", 0, Signature())).find("needs a model with one input"),
      std::string::npos);
}

OutputTensor Output(const std::string& name, DataType dtype, Shape shape,
                    const std::string& bytes) {
  Tensor data(DataType::kUInt8, {static_cast<int64_t>(bytes.size())});
  if (!bytes.empty()) std::memcpy(data.raw_data(), bytes.data(), bytes.size());
  return {name, dtype, std::move(shape), data};
}

TEST(KServeTensorsTest, EncodesJsonAndBinaryReplies) {
  KServeInferReply reply{"local/m@1",
                         "1",
                         "r7",
                         {Output("y", DataType::kFloat32, {1, 2}, Bytes<float>({0.1f, 2})),
                          Output("s", DataType::kString, {1}, Strings({"hi"}))}};
  KServeInferRequest all_json;
  auto json = EncodeKServeInferReply(reply, all_json);
  ASSERT_TRUE(json.ok());
  EXPECT_FALSE(json->json_length.has_value());
  EXPECT_EQ(Json::parse(json->body),
            Json::parse(R"({"model_name":"local/m@1","model_version":"1","id":"r7","outputs":[
              {"name":"y","datatype":"FP32","shape":[1,2],"data":[0.1,2]},
              {"name":"s","datatype":"BYTES","shape":[1],"data":["hi"]}]})"));

  KServeInferRequest binary_y;
  binary_y.output_names = {"y", "s"};
  binary_y.binary_outputs = {true, false};
  reply.id.clear();
  auto mixed = EncodeKServeInferReply(reply, binary_y);
  ASSERT_TRUE(mixed.ok());
  ASSERT_TRUE(mixed->json_length.has_value());
  const Json header = Json::parse(mixed->body.substr(0, *mixed->json_length));
  EXPECT_FALSE(header.contains("id"));
  EXPECT_EQ(header["outputs"][0]["parameters"]["binary_data_size"], 8);
  EXPECT_FALSE(header["outputs"][0].contains("data"));
  EXPECT_EQ(header["outputs"][1]["data"], Json::array({"hi"}));
  EXPECT_EQ(mixed->body.substr(*mixed->json_length), Bytes<float>({0.1f, 2}));

  KServeInferRequest all_binary;
  all_binary.binary_data_output = true;
  auto binary = EncodeKServeInferReply(reply, all_binary);
  ASSERT_TRUE(binary.ok());
  EXPECT_EQ(binary->body.substr(*binary->json_length), Bytes<float>({0.1f, 2}) + Strings({"hi"}));
}

}  // namespace
}  // namespace mlos::core
