#include "engine/input_validation.h"

#include <gtest/gtest.h>

namespace mlos::engine {
namespace {

const std::vector<TensorInfo> kDeclared = {
    {"tokens", DataType::kInt64, {-1, 16}, true},
    {"scale", DataType::kFloat32, {}, false},
};

std::vector<NamedValue> Values(const std::vector<NamedTensor>& tensors) {
  std::vector<NamedValue> values;
  for (const NamedTensor& tensor : tensors) values.push_back({tensor.name, tensor.tensor});
  return values;
}

std::string MessageFor(std::vector<NamedTensor> provided) {
  StatusOr<std::vector<const Value*>> matched = MatchInputs(kDeclared, Values(provided));
  EXPECT_FALSE(matched.ok());
  EXPECT_EQ(matched.status().code(), StatusCode::kInvalidArgument);
  return matched.status().message();
}

TEST(InputValidationTest, MatchesInDeclaredOrder) {
  std::vector<NamedValue> provided = Values({{"scale", Tensor(DataType::kFloat32, {3})},
                                              {"tokens", Tensor(DataType::kInt64, {2, 16})}});
  StatusOr<std::vector<const Value*>> matched = MatchInputs(kDeclared, provided);
  ASSERT_TRUE(matched.ok()) << matched.status().ToString();
  EXPECT_EQ((*matched)[0], &provided[1].value);
  EXPECT_EQ((*matched)[1], &provided[0].value);
}

TEST(InputValidationTest, SequencesAndTensorsAreNotInterchangeable) {
  const std::vector<TensorInfo> declared = {
      {"items", DataType::kFloat32, {}, false, TensorInfo::Kind::kSequence}};
  std::vector<NamedValue> tensor = {{"items", Tensor(DataType::kFloat32, {2})}};
  StatusOr<std::vector<const Value*>> matched = MatchInputs(declared, tensor);
  ASSERT_FALSE(matched.ok());
  EXPECT_EQ(matched.status().message(),
            "input 'items': expected sequence of float32, got float32 [2]");
  std::vector<NamedValue> sequence = {{"items", Value::Sequence(DataType::kFloat32, {})}};
  EXPECT_TRUE(MatchInputs(declared, sequence).ok());
}

TEST(InputValidationTest, MessagesNameTheInputWhatWasExpectedAndWhatCame) {
  const Tensor scale(DataType::kFloat32, {});
  EXPECT_EQ(MessageFor({{"tokens", Tensor(DataType::kFloat32, {2, 16})}, {"scale", scale}}),
            "input 'tokens': expected int64 [-1, 16], got float32 [2, 16]");
  EXPECT_EQ(MessageFor({{"tokens", Tensor(DataType::kInt64, {16})}, {"scale", scale}}),
            "input 'tokens': expected int64 [-1, 16], got int64 [16]");
  EXPECT_EQ(MessageFor({{"tokens", Tensor(DataType::kInt64, {2, 8})}, {"scale", scale}}),
            "input 'tokens': expected int64 [-1, 16], got int64 [2, 8]");
  EXPECT_EQ(MessageFor({{"scale", scale}}), "missing input 'tokens' (expected int64 [-1, 16])");
  EXPECT_EQ(MessageFor({{"mask", scale}}),
            "unknown input 'mask'; the model's inputs are 'tokens', 'scale'");
  EXPECT_EQ(MessageFor({{"scale", scale}, {"scale", scale}}), "input 'scale' is given twice");
  EXPECT_EQ(MessageFor({{"scale", Tensor(DataType::kInt32, {})}}),
            "input 'scale': expected float32 (rank unknown), got int32 []");
}

}  // namespace
}  // namespace mlos::engine
