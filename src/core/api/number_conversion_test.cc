#include "core/api/number_conversion.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>

#include "core/api/float16.h"

namespace mlos::core {
namespace {

template <typename T>
T Store(const JsonScalar& value, DataType dtype) {
  T result{};
  Status status = StoreJsonScalar(value, dtype, &result);
  EXPECT_TRUE(status.ok()) << status.ToString();
  return result;
}

std::string Error(const JsonScalar& value, DataType dtype) {
  int64_t scratch = 0;
  Status status = StoreJsonScalar(value, dtype, &scratch);
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  return status.message();
}

TEST(NumberConversionTest, ConvertsToEveryIntegerType) {
  EXPECT_EQ(Store<int64_t>(JsonScalar(-9223372036854775807LL - 1), DataType::kInt64), INT64_MIN);
  EXPECT_EQ(Store<uint64_t>(JsonScalar(18446744073709551615ULL), DataType::kUInt64), UINT64_MAX);
  EXPECT_EQ(Store<int32_t>(JsonScalar(-5), DataType::kInt32), -5);
  EXPECT_EQ(Store<int16_t>(JsonScalar(32767), DataType::kInt16), 32767);
  EXPECT_EQ(Store<int8_t>(JsonScalar(-128), DataType::kInt8), -128);
  EXPECT_EQ(Store<uint8_t>(JsonScalar(255), DataType::kUInt8), 255);
  EXPECT_EQ(Store<uint16_t>(JsonScalar(65535), DataType::kUInt16), 65535);
  EXPECT_EQ(Store<uint32_t>(JsonScalar(uint64_t{4294967295U}), DataType::kUInt32), 4294967295U);
  EXPECT_EQ(Store<int64_t>(JsonScalar(3.0), DataType::kInt64), 3);  // integral floats are fine
  EXPECT_EQ(Store<int32_t>(JsonScalar(true), DataType::kInt32), 1);
}

TEST(NumberConversionTest, RejectsOutOfRangeIntegers) {
  EXPECT_EQ(Error(JsonScalar(300), DataType::kUInt8), "300 is out of range for UINT8");
  EXPECT_EQ(Error(JsonScalar(-1), DataType::kUInt32), "-1 is out of range for UINT32");
  EXPECT_EQ(Error(JsonScalar(-129), DataType::kInt8), "-129 is out of range for INT8");
  EXPECT_EQ(Error(JsonScalar(18446744073709551615ULL), DataType::kInt64),
            "18446744073709551615 is out of range for INT64");
  EXPECT_EQ(Error(JsonScalar(9.3e18), DataType::kInt64), "9.3e+18 is out of range for INT64");
  EXPECT_EQ(Error(JsonScalar(-1.0), DataType::kUInt64), "-1.0 is out of range for UINT64");
}

TEST(NumberConversionTest, RejectsNonIntegralValuesForIntegers) {
  EXPECT_EQ(Error(JsonScalar(1.5), DataType::kInt64), "1.5 is not an integer, as INT64 requires");
}

TEST(NumberConversionTest, WritesValuesAsJson) {
  EXPECT_EQ(JsonScalarText(JsonScalar(-3)), "-3");
  EXPECT_EQ(JsonScalarText(JsonScalar(uint64_t{18446744073709551615U})), "18446744073709551615");
  EXPECT_EQ(JsonScalarText(JsonScalar(1.0)), "1.0");
  EXPECT_EQ(JsonScalarText(JsonScalar(9.3e18)), "9.3e+18");
  EXPECT_EQ(JsonScalarText(JsonScalar(false)), "false");
}

TEST(NumberConversionTest, ConvertsFloats) {
  EXPECT_EQ(Store<float>(JsonScalar(0.1), DataType::kFloat32), 0.1f);
  EXPECT_EQ(Store<double>(JsonScalar(0.1), DataType::kFloat64), 0.1);
  EXPECT_EQ(Store<float>(JsonScalar(7), DataType::kFloat32), 7.0f);
  EXPECT_EQ(HalfToFloat(Store<uint16_t>(JsonScalar(1.5), DataType::kFloat16)), 1.5f);
  EXPECT_EQ(BFloat16ToFloat(Store<uint16_t>(JsonScalar(2.0), DataType::kBFloat16)), 2.0f);
  EXPECT_EQ(Error(JsonScalar(1e39), DataType::kFloat32), "1e+39 is out of range for FP32");
  EXPECT_EQ(Error(JsonScalar(70000), DataType::kFloat16), "70000 is out of range for FP16");
}

TEST(NumberConversionTest, ConvertsBooleans) {
  EXPECT_EQ(Store<uint8_t>(JsonScalar(true), DataType::kBool), 1);
  EXPECT_EQ(Store<uint8_t>(JsonScalar(0), DataType::kBool), 0);
  EXPECT_EQ(Store<uint8_t>(JsonScalar(1), DataType::kBool), 1);
  EXPECT_EQ(Store<uint8_t>(JsonScalar(1.0), DataType::kBool), 1);
  EXPECT_EQ(Error(JsonScalar(2), DataType::kBool), "2 is not a boolean (true, false, 0 or 1)");
  EXPECT_EQ(Error(JsonScalar(0.5), DataType::kBool), "0.5 is not a boolean (true, false, 0 or 1)");
}

TEST(Float16Test, RoundsToNearestEven) {
  EXPECT_EQ(FloatToHalf(1.0f), 0x3c00);
  EXPECT_EQ(FloatToHalf(-2.0f), 0xc000);
  EXPECT_EQ(FloatToHalf(65504.0f), 0x7bff);
  EXPECT_EQ(FloatToHalf(65520.0f), 0x7c00);            // rounds up to infinity
  EXPECT_EQ(FloatToHalf(1.0f + 1.0f / 2048), 0x3c00);  // tie goes to even
  EXPECT_EQ(FloatToHalf(1.0f + 3.0f / 2048), 0x3c02);
  EXPECT_EQ(FloatToHalf(std::ldexp(1.0f, -24)), 0x0001);  // smallest subnormal
  EXPECT_EQ(FloatToHalf(std::ldexp(1.0f, -26)), 0x0000);
  EXPECT_EQ(FloatToHalf(INFINITY), 0x7c00);
  EXPECT_TRUE(std::isnan(HalfToFloat(FloatToHalf(NAN))));
}

TEST(Float16Test, EveryHalfRoundTripsThroughFloat) {
  for (uint32_t bits = 0; bits <= 0xffff; ++bits) {
    const auto half = static_cast<uint16_t>(bits);
    const float value = HalfToFloat(half);
    if (std::isnan(value)) continue;
    ASSERT_EQ(FloatToHalf(value), half) << "half bits " << bits;
  }
}

TEST(Float16Test, BFloat16RoundsToNearestEven) {
  EXPECT_EQ(FloatToBFloat16(1.0f), 0x3f80);
  EXPECT_EQ(BFloat16ToFloat(0x3f80), 1.0f);
  EXPECT_EQ(FloatToBFloat16(std::bit_cast<float>(0x3f808000u)), 0x3f80);  // tie to even
  EXPECT_EQ(FloatToBFloat16(std::bit_cast<float>(0x3f818000u)), 0x3f82);
}

}  // namespace
}  // namespace mlos::core
