#include "tools/mlos-conformance/compare.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

namespace mlos::conformance {
namespace {

using engine::Value;

template <typename T>
Tensor Make(DataType dtype, Shape shape, std::vector<T> values) {
  Tensor tensor(dtype, std::move(shape));
  for (size_t i = 0; i < values.size(); ++i) tensor.data<T>()[i] = values[i];
  return tensor;
}

Tensor Floats(std::vector<float> values, Shape shape = {}) {
  if (shape.empty()) shape = {static_cast<int64_t>(values.size())};
  return Make<float>(DataType::kFloat32, std::move(shape), std::move(values));
}

std::optional<std::string> Compare(const Value& got, const Value& expected) {
  return CompareValues(got, expected, Tolerance());
}

constexpr float kInf = std::numeric_limits<float>::infinity();
constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();

TEST(CompareValues, EqualTensorsMatch) {
  EXPECT_EQ(Compare(Floats({1, 2, 3}), Floats({1, 2, 3})), std::nullopt);
}

TEST(CompareValues, WithinRelativeAndAbsoluteTolerance) {
  // |a - e| <= 1e-7 + 1e-3 * |e|
  EXPECT_EQ(Compare(Floats({1000.9f}), Floats({1000})), std::nullopt);
  EXPECT_EQ(Compare(Floats({0.5e-7f}), Floats({0})), std::nullopt);
  EXPECT_NE(Compare(Floats({1001.2f}), Floats({1000})), std::nullopt);
  EXPECT_NE(Compare(Floats({2e-7f}), Floats({0})), std::nullopt);
}

TEST(CompareValues, MismatchNamesIndexGotAndExpected) {
  const std::optional<std::string> mismatch =
      Compare(Floats({1, 2, 3, 4, 5, 7}, {2, 3}), Floats({1, 2, 3, 4, 5, 6}, {2, 3}));
  ASSERT_TRUE(mismatch.has_value());
  EXPECT_EQ(*mismatch, "index [1, 2]: got 7, expected 6");
}

TEST(CompareValues, NaNMatchesOnlyNaN) {
  EXPECT_EQ(Compare(Floats({kNaN}), Floats({kNaN})), std::nullopt);
  EXPECT_NE(Compare(Floats({1}), Floats({kNaN})), std::nullopt);
  EXPECT_NE(Compare(Floats({kNaN}), Floats({1})), std::nullopt);
}

TEST(CompareValues, InfinityMatchesOnlyItself) {
  EXPECT_EQ(Compare(Floats({kInf, -kInf}), Floats({kInf, -kInf})), std::nullopt);
  EXPECT_NE(Compare(Floats({-kInf}), Floats({kInf})), std::nullopt);
  EXPECT_NE(Compare(Floats({3e38f}), Floats({kInf})), std::nullopt);
  EXPECT_NE(Compare(Floats({kInf}), Floats({3e38f})), std::nullopt);
}

TEST(CompareValues, DoublesAndHalfFloatsUseTheTolerance) {
  const Tensor got = Make<double>(DataType::kFloat64, {1}, {1.0005});
  const Tensor expected = Make<double>(DataType::kFloat64, {1}, {1.0});
  EXPECT_EQ(Compare(got, expected), std::nullopt);
  // float16 0x3C00 = 1.0, 0x3C01 = 1.0009765625 (inside 1e-3 + 1e-7), 0x3C02 outside.
  const Tensor one = Make<uint16_t>(DataType::kFloat16, {1}, {0x3C00});
  EXPECT_EQ(Compare(Make<uint16_t>(DataType::kFloat16, {1}, {0x3C01}), one), std::nullopt);
  EXPECT_NE(Compare(Make<uint16_t>(DataType::kFloat16, {1}, {0x3C02}), one), std::nullopt);
}

TEST(CompareValues, IntegersBoolsAndStringsAreExact) {
  EXPECT_NE(Compare(Make<int64_t>(DataType::kInt64, {1}, {1000001}),
                    Make<int64_t>(DataType::kInt64, {1}, {1000000})),
            std::nullopt);
  EXPECT_EQ(Compare(Make<bool>(DataType::kBool, {2}, {true, false}),
                    Make<bool>(DataType::kBool, {2}, {true, false})),
            std::nullopt);
  EXPECT_EQ(
      *Compare(Make<bool>(DataType::kBool, {1}, {true}), Make<bool>(DataType::kBool, {1}, {false})),
      "index [0]: got true, expected false");
  Tensor got(DataType::kString, {1});
  Tensor expected(DataType::kString, {1});
  got.strings()[0] = "a";
  expected.strings()[0] = "b";
  EXPECT_EQ(*Compare(got, expected), "index [0]: got \"a\", expected \"b\"");
}

TEST(CompareValues, DtypeMismatch) {
  const Tensor got = Make<double>(DataType::kFloat64, {1}, {1.0});
  EXPECT_EQ(*Compare(got, Floats({1})), "dtype: got float64, expected float32");
}

TEST(CompareValues, ShapeMismatch) {
  EXPECT_EQ(*Compare(Floats({1, 2}, {1, 2}), Floats({1, 2}, {2, 1})),
            "shape: got [1, 2], expected [2, 1]");
  EXPECT_NE(Compare(Floats({1}, {1}), Tensor(DataType::kFloat32, {})), std::nullopt);
}

TEST(CompareValues, SequencesItemByItem) {
  const Value expected = Value::Sequence(DataType::kFloat32, {Floats({1}), Floats({2, 3})});
  EXPECT_EQ(Compare(Value::Sequence(DataType::kFloat32, {Floats({1}), Floats({2, 3})}), expected),
            std::nullopt);
  EXPECT_EQ(*Compare(Value::Sequence(DataType::kFloat32, {Floats({1}), Floats({2, 4})}), expected),
            "item 1: index [1]: got 4, expected 3");
  EXPECT_EQ(*Compare(Value::Sequence(DataType::kFloat32, {Floats({1})}), expected),
            "sequence length: got 1, expected 2");
  EXPECT_NE(Compare(Floats({1}), expected), std::nullopt);
  EXPECT_EQ(
      Compare(Value::Sequence(DataType::kFloat32, {}), Value::Sequence(DataType::kFloat32, {})),
      std::nullopt);
  EXPECT_NE(Compare(Value::Sequence(DataType::kInt64, {}), Value::Sequence(DataType::kFloat32, {})),
            std::nullopt);
}

TEST(CompareValues, EmptyOptionalMatchesOnlyEmptyOptional) {
  EXPECT_EQ(Compare(Value::EmptyOptional(), Value::EmptyOptional()), std::nullopt);
  EXPECT_NE(Compare(Floats({1}), Value::EmptyOptional()), std::nullopt);
  EXPECT_NE(Compare(Value::EmptyOptional(), Floats({1})), std::nullopt);
  EXPECT_NE(Compare(Value::Sequence(DataType::kFloat32, {}), Value::EmptyOptional()), std::nullopt);
}

TEST(CheckRandomValue, ChecksDtypeShapeAndRangeOnly) {
  const RandomOutputCheck any;
  EXPECT_EQ(CheckRandomValue(Floats({5, 6}), Floats({1, 2}), any), std::nullopt);
  EXPECT_NE(CheckRandomValue(Floats({5}), Floats({1, 2}), any), std::nullopt);

  RandomOutputCheck between;
  between.range = RandomOutputCheck::Range::kBetween;
  between.low = -1;
  between.high = 1;
  EXPECT_EQ(CheckRandomValue(Floats({-1, 0.5f, 1}), Floats({0, 0, 0}), between), std::nullopt);
  EXPECT_EQ(*CheckRandomValue(Floats({0, 1.5f}), Floats({0, 0}), between),
            "index [1]: got 1.5, expected a value in [-1, 1]");

  RandomOutputCheck zero_or_one;
  zero_or_one.range = RandomOutputCheck::Range::kZeroOrOne;
  EXPECT_EQ(CheckRandomValue(Floats({0, 1, 1}), Floats({1, 1, 0}), zero_or_one), std::nullopt);
  EXPECT_NE(CheckRandomValue(Floats({0.5f}), Floats({1}), zero_or_one), std::nullopt);
}

}  // namespace
}  // namespace mlos::conformance
