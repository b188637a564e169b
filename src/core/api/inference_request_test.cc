#include "core/api/inference_request.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <random>

namespace mlos::core {
namespace {

// The body parsed as the MLOS API parses it, then decoded.
StatusOr<std::vector<NamedTensor>> ParseAndDecode(const std::string& body,
                                                  const std::vector<TensorSpec>& inputs) {
  ASSIGN_OR_RETURN(const JsonDocument document, JsonDocument::Parse(body, "request body"));
  return DecodeInferenceInputs(document.root(), inputs);
}

const std::vector<TensorSpec> kVector = {{"x", DataType::kFloat32, Shape{-1, 3}}};
const std::vector<TensorSpec> kText = {{"input_ids", DataType::kInt64, Shape{-1, -1}},
                                       {"attention_mask", DataType::kInt64, Shape{-1, -1}},
                                       {"token_type_ids", DataType::kInt32, Shape{-1, -1}},
                                       {"position_ids", DataType::kInt64, Shape{-1, -1}}};

std::vector<NamedTensor> Decode(const std::string& body, const std::vector<TensorSpec>& inputs) {
  auto decoded = ParseAndDecode(body, inputs);
  EXPECT_TRUE(decoded.ok()) << decoded.status().ToString();
  return decoded.ok() ? *decoded : std::vector<NamedTensor>{};
}

std::string Error(const std::string& body, const std::vector<TensorSpec>& inputs) {
  auto decoded = ParseAndDecode(body, inputs);
  EXPECT_FALSE(decoded.ok());
  return decoded.ok() ? "" : decoded.status().message();
}

template <typename T>
std::vector<T> Values(const Tensor& tensor) {
  auto values = tensor.values<T>();
  return {values.begin(), values.end()};
}

TEST(ResolveFlatShapeTest, FixedDimsAreTakenAndOneDynamicDimAbsorbsTheLength) {
  EXPECT_EQ(*ResolveFlatShape(6, Shape{-1, 3}), (Shape{2, 3}));
  EXPECT_EQ(*ResolveFlatShape(6, Shape{2, 3}), (Shape{2, 3}));
  EXPECT_EQ(*ResolveFlatShape(5, Shape{-1, -1}), (Shape{1, 5}));  // batch 1, sequence 5
  EXPECT_EQ(*ResolveFlatShape(12, Shape{-1, 3, -1}), (Shape{1, 3, 4}));
  EXPECT_EQ(*ResolveFlatShape(4, std::nullopt), (Shape{4}));
  EXPECT_EQ(*ResolveFlatShape(1, Shape{}), (Shape{}));
  EXPECT_EQ(*ResolveFlatShape(0, Shape{-1, 3}), (Shape{0, 3}));
}

TEST(ResolveFlatShapeTest, ReportsCountsThatDoNotFit) {
  EXPECT_EQ(ResolveFlatShape(5, Shape{-1, 3}).status().message(),
            "5 values do not fit the model's shape [-1, 3]: the count must be a multiple of 3");
  EXPECT_EQ(ResolveFlatShape(5, Shape{2, 3}).status().message(),
            "5 values given, the model's shape [2, 3] needs 6");
  EXPECT_EQ(ResolveFlatShape(2, Shape{}).status().message(),
            "the model expects a scalar, got 2 values");
}

TEST(DecodeInferenceInputsTest, FlatArrayAtTopLevel) {
  auto inputs = Decode(R"({"x":[1,2,3,4,5,6]})", kVector);
  ASSERT_EQ(inputs.size(), 1u);
  EXPECT_EQ(inputs[0].name, "x");
  EXPECT_EQ(inputs[0].tensor.dtype(), DataType::kFloat32);
  EXPECT_EQ(inputs[0].tensor.shape(), (Shape{2, 3}));
  EXPECT_EQ(Values<float>(inputs[0].tensor), (std::vector<float>{1, 2, 3, 4, 5, 6}));
}

TEST(DecodeInferenceInputsTest, UnderInputsAndLegacyInput) {
  EXPECT_EQ(Decode(R"({"inputs":{"x":[1,2,3]}})", kVector)[0].tensor.shape(), (Shape{1, 3}));
  EXPECT_EQ(Decode(R"({"input":[1,2,3]})", kVector)[0].tensor.shape(), (Shape{1, 3}));
}

TEST(DecodeInferenceInputsTest, NestedArraysGiveTheShape) {
  auto inputs = Decode(R"({"x":[[1,2,3],[4,5,6]]})", kVector);
  EXPECT_EQ(inputs[0].tensor.shape(), (Shape{2, 3}));
  EXPECT_EQ(Values<float>(inputs[0].tensor), (std::vector<float>{1, 2, 3, 4, 5, 6}));
  const std::vector<TensorSpec> image = {{"image", DataType::kFloat32, Shape{-1, 2, 2}}};
  // Rows without the batch dimension get a batch of one.
  EXPECT_EQ(Decode(R"({"image":[[1,2],[3,4]]})", image)[0].tensor.shape(), (Shape{1, 2, 2}));
}

TEST(DecodeInferenceInputsTest, TensorObjectWithShapeAndDatatype) {
  auto inputs =
      Decode(R"({"x":{"shape":[2,3],"datatype":"FP32","data":[[1,2,3],[4,5,6]]}})", kVector);
  EXPECT_EQ(inputs[0].tensor.shape(), (Shape{2, 3}));
  inputs = Decode(R"({"x":{"shape":[1,3],"data":[1,2,3]}})", kVector);
  EXPECT_EQ(inputs[0].tensor.shape(), (Shape{1, 3}));
  inputs = Decode(R"({"x":{"data":[1,2,3,4,5,6]}})", kVector);
  EXPECT_EQ(inputs[0].tensor.shape(), (Shape{2, 3}));
}

TEST(DecodeInferenceInputsTest, BytesInputsAreJsonStrings) {
  const std::vector<TensorSpec> specs = {{"s", DataType::kString, Shape{-1, 2}}};
  auto inputs = Decode(R"({"s":[["a","\u00e9"],["",  "x y"]]})", specs);
  ASSERT_EQ(inputs.size(), 1u);
  EXPECT_EQ(inputs[0].tensor.shape(), (Shape{2, 2}));
  EXPECT_EQ(inputs[0].tensor.strings(), (std::vector<std::string>{"a", "\xc3\xa9", "", "x y"}));
  EXPECT_EQ(Decode(R"({"s":["p","q"]})", specs)[0].tensor.shape(), (Shape{1, 2}));
  EXPECT_EQ(Error(R"({"s":["p",3]})", specs),
            "input 's' (BYTES [-1, 2]): element 1: 3 is not a string, as BYTES requires");
}

TEST(DecodeInferenceInputsTest, ScalarsAndUnknownRank) {
  const std::vector<TensorSpec> specs = {{"s", DataType::kInt32, Shape{}},
                                         {"any", DataType::kUInt8, std::nullopt}};
  auto inputs = Decode(R"({"s":7,"any":[1,2]})", specs);
  EXPECT_EQ(inputs[0].tensor.shape(), Shape{});
  EXPECT_EQ(Values<int32_t>(inputs[0].tensor), std::vector<int32_t>{7});
  EXPECT_EQ(inputs[1].tensor.shape(), Shape{2});
}

TEST(DecodeInferenceInputsTest, ConvertsToTheDeclaredType) {
  const std::vector<TensorSpec> specs = {{"ids", DataType::kInt64, Shape{-1}},
                                         {"flags", DataType::kBool, Shape{2}},
                                         {"half", DataType::kFloat16, Shape{1}}};
  auto inputs = Decode(R"({"ids":[1,2.0,-3],"flags":[true,0],"half":[1]})", specs);
  EXPECT_EQ(Values<int64_t>(inputs[0].tensor), (std::vector<int64_t>{1, 2, -3}));
  EXPECT_EQ(Values<uint8_t>(inputs[1].tensor), (std::vector<uint8_t>{1, 0}));
  EXPECT_EQ(Values<uint16_t>(inputs[2].tensor), std::vector<uint16_t>{0x3c00});
}

TEST(DecodeInferenceInputsTest, GeneratesStandardTransformerInputs) {
  auto inputs = Decode(R"({"input_ids":[[101,7,102],[101,8,102]]})", kText);
  ASSERT_EQ(inputs.size(), 4u);
  EXPECT_EQ(inputs[1].name, "attention_mask");
  EXPECT_EQ(inputs[1].tensor.shape(), (Shape{2, 3}));
  EXPECT_EQ(Values<int64_t>(inputs[1].tensor), (std::vector<int64_t>{1, 1, 1, 1, 1, 1}));
  EXPECT_EQ(inputs[2].tensor.dtype(), DataType::kInt32);
  EXPECT_EQ(Values<int32_t>(inputs[2].tensor), (std::vector<int32_t>{0, 0, 0, 0, 0, 0}));
  EXPECT_EQ(Values<int64_t>(inputs[3].tensor), (std::vector<int64_t>{0, 1, 2, 0, 1, 2}));
  // A given attention_mask is kept.
  inputs = Decode(R"({"input_ids":[5,6],"attention_mask":[1,0]})", kText);
  EXPECT_EQ(Values<int64_t>(inputs[1].tensor), (std::vector<int64_t>{1, 0}));
}

TEST(DecodeInferenceInputsTest, ErrorMessagesSayWhatAndWhere) {
  EXPECT_EQ(Error(R"([1,2,3])", kVector),
            "the request body must be a JSON object mapping input names to values, got array");
  EXPECT_EQ(Error(R"({"inputs":[1]})", kVector),
            "\"inputs\" must be an object mapping input names to values, got array");
  EXPECT_EQ(Error(R"({"y":[1,2,3]})", kVector),
            "unknown input 'y'; the model's inputs are: x (FP32 [-1, 3])");
  EXPECT_EQ(Error(R"({})", kVector),
            "missing input x (FP32 [-1, 3]); the model's inputs are: x (FP32 [-1, 3])");
  EXPECT_EQ(Error(R"({"x":[1,2,3,4]})", kVector),
            "input 'x' (FP32 [-1, 3]): 4 values do not fit the model's shape [-1, 3]: the count "
            "must be a multiple of 3");
  EXPECT_EQ(Error(R"({"x":[[1,2,3],[4,5]]})", kVector),
            "input 'x' (FP32 [-1, 3]): ragged nested array: element [1] has 2 entries, expected 3");
  EXPECT_EQ(Error(R"({"x":[[1,2,3],4]})", kVector),
            "input 'x' (FP32 [-1, 3]): ragged nested array: element [1] is a number where an "
            "array of 3 was expected");
  EXPECT_EQ(Error(R"({"x":[[1,[2],3]]})", kVector),
            "input 'x' (FP32 [-1, 3]): element [0][1] is an array where a number was expected");
  EXPECT_EQ(Error(R"({"x":[[1,2],[3,4]]})", kVector),
            "input 'x' (FP32 [-1, 3]): got shape [2, 2], the model expects [-1, 3] (dimension 1 "
            "must be 3)");
  EXPECT_EQ(Error(R"({"x":[[[1,2,3]]]})", kVector),
            "input 'x' (FP32 [-1, 3]): got shape [1, 1, 3] (rank 3), the model expects [-1, 3] "
            "(rank 2)");
  EXPECT_EQ(Error(R"({"x":[1,"2",3]})", kVector),
            "input 'x' (FP32 [-1, 3]): element 1: \"2\" is not a number");
  EXPECT_EQ(Error(R"({"x":"text"})", kVector),
            "input 'x' (FP32 [-1, 3]): expected a number, an array or "
            "{\"shape\",\"datatype\",\"data\"}, got string");
  EXPECT_EQ(Error(R"({"x":{"shape":[2,3],"data":[1,2]}})", kVector),
            "input 'x' (FP32 [-1, 3]): shape [2, 3] needs 6 values, \"data\" has 2");
  EXPECT_EQ(Error(R"({"x":{"shape":[-2],"data":[1]}})", kVector),
            "input 'x' (FP32 [-1, 3]): \"shape\" must be an array of at most 32 non-negative "
            "integers, got [-2]");
  EXPECT_EQ(Error(R"({"x":{"shape":[1,3]}})", kVector),
            "input 'x' (FP32 [-1, 3]): a tensor object needs \"data\" (and optionally \"shape\" "
            "and \"datatype\")");
  EXPECT_EQ(Error(R"({"x":{"data":[1,2,3],"dtype":"FP32"}})", kVector),
            "input 'x' (FP32 [-1, 3]): unexpected field \"dtype\"; a tensor object has \"shape\", "
            "\"datatype\" and \"data\"");
  EXPECT_EQ(Error(R"({"x":{"data":[1,2,3],"datatype":"FP33"}})", kVector),
            "input 'x' (FP32 [-1, 3]): unknown datatype \"FP33\"");
  EXPECT_EQ(Error(R"({"x":{"data":[1,2,3],"datatype":"INT64"}})", kVector),
            "input 'x' (FP32 [-1, 3]): datatype INT64 given, the model expects FP32");
  EXPECT_EQ(Error(R"({"input_ids":[1.5]})", kText),
            "input 'input_ids' (INT64 [-1, -1]): element 0: 1.5 is not an integer, as INT64 "
            "requires");
  EXPECT_EQ(Error(R"({"attention_mask":[1]})", kText),
            "missing input input_ids (INT64 [-1, -1]); the model's inputs are: input_ids (INT64 "
            "[-1, -1]), attention_mask (INT64 [-1, -1]), token_type_ids (INT32 [-1, -1]), "
            "position_ids (INT64 [-1, -1])");
}

TEST(DecodeInferenceInputsTest, BodyFieldsFollowJsonObjectSemantics) {
  // Repeated keys: the last wins, as before the decoder read simdjson.
  EXPECT_EQ(Values<float>(Decode(R"({"x":[1,2,3],"x":[4,5,6]})", kVector)[0].tensor),
            (std::vector<float>{4, 5, 6}));
  EXPECT_EQ(Decode(R"({"input":[1,2,3],"input":[1,2,3,4,5,6]})", kVector)[0].tensor.shape(),
            (Shape{2, 3}));
  // Fields are checked in key order: of two bad inputs the first by name is reported.
  EXPECT_EQ(Error(R"({"z":1,"y":2})", kVector),
            "unknown input 'y'; the model's inputs are: x (FP32 [-1, 3])");
}

TEST(DecodeInferenceInputsTest, DecodesALargeImage) {
  const std::vector<TensorSpec> image = {{"pixel_values", DataType::kFloat32, Shape{-1, 3, 4, 5}}};
  std::string body = R"({"pixel_values":[)";
  for (int c = 0; c < 3; ++c) {
    body += c ? ",[" : "[";
    for (int y = 0; y < 4; ++y) {
      body += y ? ",[" : "[";
      for (int x = 0; x < 5; ++x) body += fmt::format("{}{}.25", x ? "," : "", c * 20 + y * 5 + x);
      body += "]";
    }
    body += "]";
  }
  body += "]}";
  auto inputs = Decode(body, image);
  ASSERT_EQ(inputs.size(), 1u);
  EXPECT_EQ(inputs[0].tensor.shape(), (Shape{1, 3, 4, 5}));
  const auto values = Values<float>(inputs[0].tensor);
  for (size_t i = 0; i < values.size(); ++i) ASSERT_EQ(values[i], static_cast<float>(i) + 0.25f);
}

TEST(DecodeInferenceInputsTest, RefusesAbsurdNesting) {
  const std::string deep = std::string(40, '[') + "1" + std::string(40, ']');
  EXPECT_EQ(Error(R"({"x":)" + deep + "}", kVector),
            "input 'x' (FP32 [-1, 3]): arrays nested deeper than 32 levels");
}

// Randomly mutated requests must give a value or an error, never a crash (run under ASan too).
TEST(DecodeInferenceInputsTest, SurvivesMutatedRequests) {
  const std::vector<std::string> seeds = {
      R"({"x":[[1,2,3],[4,5,6]]})",
      R"({"inputs":{"x":{"shape":[1,3],"datatype":"FP32","data":[1,2,3]}}})",
      R"({"input_ids":[[101,7,102]],"attention_mask":[1,1,1]})", R"({"input":[1e3,-2,true]})"};
  const std::string alphabet = "[]{}\",:-.0123456789eE truefalsnul";
  std::mt19937 random(1234);
  for (int round = 0; round < 5000; ++round) {
    std::string text = seeds[random() % seeds.size()];
    for (int edits = 1 + random() % 4; edits > 0 && !text.empty(); --edits) {
      const size_t at = random() % text.size();
      switch (random() % 3) {
        case 0:
          text[at] = alphabet[random() % alphabet.size()];
          break;
        case 1:
          text.erase(at, 1);
          break;
        default:
          text.insert(at, 1, alphabet[random() % alphabet.size()]);
          break;
      }
    }
    (void)ParseAndDecode(text, kVector).ok();
    (void)ParseAndDecode(text, kText).ok();
  }
}

}  // namespace
}  // namespace mlos::core
