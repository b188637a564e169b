#include "core/api/json_tensor_reader.h"

#include <gtest/gtest.h>

#include <vector>

namespace mlos::core {
namespace {

JsonDocument Parse(std::string_view text) {
  auto document = JsonDocument::Parse(text, "the body");
  EXPECT_TRUE(document.ok()) << document.status().ToString();
  return std::move(document).value();
}

std::string ParseError(std::string_view text) {
  auto document = JsonDocument::Parse(text, "the body");
  EXPECT_FALSE(document.ok());
  return document.ok() ? "" : document.status().message();
}

template <typename T>
StatusOr<std::vector<T>> Write(std::string_view data, DataType dtype) {
  const JsonDocument document = Parse(data);
  std::vector<T> values(static_cast<size_t>(CountJsonScalars(document.root()).value_or(0)));
  RETURN_IF_ERROR(WriteJsonNumbers(document.root(), dtype, values.data()));
  return values;
}

TEST(JsonTensorReaderTest, ReportsMalformedJsonInNlohmannsWords) {
  EXPECT_EQ(ParseError(R"({"x": [1, 2)"),
            "the body is not valid JSON: [json.exception.parse_error.101] parse error at line 1, "
            "column 12: syntax error while parsing array - unexpected end of input; expected ']'");
  EXPECT_EQ(ParseError("[1, 1e999]"),
            "the body is not valid JSON: [json.exception.out_of_range.406] number overflow "
            "parsing '1e999'");
  EXPECT_NE(ParseError("").find("unexpected end of input"), std::string::npos);
  // What nlohmann took but simdjson cannot hold still fails cleanly.
  EXPECT_NE(ParseError("[100000000000000000000]").find("the body is not valid JSON: "),
            std::string::npos);
}

TEST(JsonTensorReaderTest, TypeNamesAndTextAreNlohmanns) {
  const JsonDocument document =
      Parse(R"([null, true, 1, -2, 18446744073709551615, 1.0, 9.3e18, "s\u00e9", [1], {"b":1,"a":[]}])");
  std::vector<std::string> names, texts;
  for (JsonValue value : JsonArray(document.root())) {
    names.emplace_back(JsonTypeName(value));
    texts.push_back(JsonText(value));
  }
  EXPECT_EQ(names, (std::vector<std::string>{"null", "boolean", "number", "number", "number",
                                             "number", "number", "string", "array", "object"}));
  EXPECT_EQ(texts,
            (std::vector<std::string>{"null", "true", "1", "-2", "18446744073709551615", "1.0",
                                      "9.3e+18", "\"s\u00e9\"", "[1]", R"({"a":[],"b":1})"}));
}

TEST(JsonTensorReaderTest, FieldsFollowObjectSemantics) {
  const JsonDocument document = Parse(R"({"b": 1, "a": 2, "b": 3})");
  const auto fields = JsonFields(document.root());
  ASSERT_EQ(fields.size(), 2u);
  EXPECT_EQ(fields[0].first, "a");
  EXPECT_EQ(fields[1].first, "b");
  EXPECT_EQ(JsonText(fields[1].second), "3");  // the last of repeated keys
  EXPECT_EQ(JsonText(*JsonField(document.root(), "b")), "3");
  EXPECT_FALSE(JsonField(document.root(), "c").has_value());
  EXPECT_FALSE(JsonField(Parse("[1]").root(), "b").has_value());
  EXPECT_TRUE(JsonFields(Parse("7").root()).empty());
}

TEST(JsonTensorReaderTest, ReadsShapes) {
  EXPECT_EQ(*ReadJsonShape(Parse("[1, 0, 224]").root()), (Shape{1, 0, 224}));
  EXPECT_EQ(*ReadJsonShape(Parse("[]").root()), Shape{});
  const std::string message =
      "\"shape\" must be an array of at most 32 non-negative integers, got ";
  EXPECT_EQ(ReadJsonShape(Parse("[1, -3]").root()).status().message(), message + "[1,-3]");
  EXPECT_EQ(ReadJsonShape(Parse("[2.0]").root()).status().message(), message + "[2.0]");
  EXPECT_EQ(ReadJsonShape(Parse("[9223372036854775808]").root()).status().message(),
            message + "[9223372036854775808]");
  EXPECT_EQ(ReadJsonShape(Parse("3").root()).status().message(), message + "3");
  std::string rank33 = "[1";
  for (int i = 0; i < 32; ++i) rank33 += ",1";
  EXPECT_FALSE(ReadJsonShape(Parse(rank33 + "]").root()).ok());
}

TEST(JsonTensorReaderTest, CountsScalarsUpToTheRankLimit) {
  EXPECT_EQ(CountJsonScalars(Parse("7").root()), 1);
  EXPECT_EQ(CountJsonScalars(Parse("[[1,2],[3],[]]").root()), 3);
  EXPECT_EQ(CountJsonScalars(Parse(std::string(32, '[') + std::string(32, ']')).root()), 0);
  EXPECT_EQ(CountJsonScalars(Parse(std::string(33, '[') + std::string(33, ']')).root()),
            std::nullopt);
}

TEST(JsonTensorReaderTest, WritesNumbersInRowMajorOrder) {
  EXPECT_EQ(*Write<float>("[[0.5, 2], [true, -3e2]]", DataType::kFloat32),
            (std::vector<float>{0.5f, 2, 1, -300}));
  EXPECT_EQ(*Write<int64_t>("[9223372036854775807, -1, 2.0]", DataType::kInt64),
            (std::vector<int64_t>{INT64_MAX, -1, 2}));
  EXPECT_EQ(*Write<uint64_t>("[18446744073709551615]", DataType::kUInt64),
            std::vector<uint64_t>{UINT64_MAX});
  EXPECT_EQ(*Write<uint8_t>("7", DataType::kUInt8), std::vector<uint8_t>{7});
}

TEST(JsonTensorReaderTest, WriteErrorsNameTheElement) {
  EXPECT_EQ(Write<float>(R"([1, "2", 3])", DataType::kFloat32).status().message(),
            "element 1: \"2\" is not a number");
  EXPECT_EQ(Write<int64_t>("[[1], [null]]", DataType::kInt64).status().message(),
            "element 1: null is not a number");
  EXPECT_EQ(Write<int64_t>(R"([{"a": 1}])", DataType::kInt64).status().message(),
            "element 0: {\"a\":1} is not a number");
  EXPECT_EQ(Write<uint8_t>("[1, 300]", DataType::kUInt8).status().message(),
            "element 1: 300 is out of range for UINT8");
}

}  // namespace
}  // namespace mlos::core
