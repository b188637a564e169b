#include "core/api/inference_response.h"

#include <gtest/gtest.h>

#include <cstring>
#include <nlohmann/json.hpp>

#include "core/api/float16.h"

namespace mlos::core {
namespace {

template <typename T>
OutputTensor Output(const std::string& name, DataType dtype, Shape shape, std::vector<T> values) {
  OutputTensor output{name, dtype, std::move(shape),
                      Tensor(DataType::kUInt8, {static_cast<int64_t>(values.size() * sizeof(T))})};
  std::memcpy(output.bytes.raw_data(), values.data(), values.size() * sizeof(T));
  return output;
}

std::string Data(const OutputTensor& output) {
  std::string json;
  Status status = AppendJsonData(output, &json);
  EXPECT_TRUE(status.ok()) << status.ToString();
  return json;
}

TEST(InferenceResponseTest, FloatsPrintInTheirShortestExactForm) {
  const std::vector<float> values = {0.1f, 1.0f / 3.0f, -2.5e-8f, 3.4028235e38f, 1.0f};
  const std::string json = Data(Output("y", DataType::kFloat32, {5}, values));
  EXPECT_EQ(json, "[0.1,0.33333334,-2.5e-08,3.4028235e+38,1]");
  const auto parsed = nlohmann::json::parse(json);
  for (size_t i = 0; i < values.size(); ++i) {
    EXPECT_EQ(static_cast<float>(parsed[i].get<double>()), values[i]);
  }
  EXPECT_EQ(Data(Output("d", DataType::kFloat64, {1}, std::vector<double>{0.1})), "[0.1]");
}

TEST(InferenceResponseTest, NonFiniteValuesBecomeNull) {
  EXPECT_EQ(Data(Output("y", DataType::kFloat32, {2}, std::vector<float>{NAN, -INFINITY})),
            "[null,null]");
}

TEST(InferenceResponseTest, IntegersBooleansHalvesAndStrings) {
  EXPECT_EQ(Data(Output("i", DataType::kInt8, {2}, std::vector<int8_t>{-1, 65})), "[-1,65]");
  EXPECT_EQ(Data(Output("u", DataType::kUInt64, {1}, std::vector<uint64_t>{UINT64_MAX})),
            "[18446744073709551615]");
  EXPECT_EQ(Data(Output("b", DataType::kBool, {2}, std::vector<uint8_t>{1, 0})), "[true,false]");
  EXPECT_EQ(Data(Output("h", DataType::kFloat16, {1}, std::vector<uint16_t>{FloatToHalf(0.1f)})),
            "[0.099975586]");
  std::vector<uint8_t> bytes = {2, 0, 0, 0, 'h', 'i', 1, 0, 0, 0, '"'};
  EXPECT_EQ(Data(Output("s", DataType::kString, {2}, bytes)), R"(["hi","\""])");
}

TEST(InferenceResponseTest, MalformedBytesIsAnError) {
  std::vector<uint8_t> bytes = {9, 0, 0, 0, 'h'};
  std::string json;
  Status status = AppendJsonData(Output("s", DataType::kString, {1}, bytes), &json);
  EXPECT_EQ(status.message(), "output 's': BYTES element 0 runs past the data");
}

TEST(InferenceResponseTest, ReplyCarriesEveryOutputWithItsShape) {
  InferenceReply reply{"local/mlp@v1",
                       "v1",
                       12,
                       3,
                       {Output("y", DataType::kFloat32, {1, 2}, std::vector<float>{1.5f, 2})}};
  auto json = EncodeInferenceReply(reply, true);
  ASSERT_TRUE(json.ok());
  EXPECT_EQ(*json, R"({"status":"success","model_id":"local/mlp@v1","model_version":"v1",)"
                   R"("inference_time_us":12,"queue_time_us":3,"outputs":{"y":{"datatype":"FP32",)"
                   R"("shape":[1,2],"data":[1.5,2]}},"output_size":8})");
  json = EncodeInferenceReply(reply, false);
  ASSERT_TRUE(json.ok());
  EXPECT_EQ(nlohmann::json::parse(*json)["outputs"]["y"].contains("data"), false);
}

}  // namespace
}  // namespace mlos::core
