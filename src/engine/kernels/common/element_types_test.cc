#include "engine/kernels/common/element_types.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

namespace mlos::engine {
namespace {

// Bit patterns from numpy: np.float16(x).view(np.uint16).
TEST(Float16Test, RoundsToNearestEven) {
  EXPECT_EQ(Float16(1.0f / 3.0f).bits, 13653);
  EXPECT_EQ(Float16(65504.0f).bits, 31743);
  EXPECT_EQ(Float16(-2.5f).bits, 49408);
  EXPECT_EQ(Float16(2049.0f).bits, 26624);  // tie: rounds down to even 2048
  EXPECT_EQ(Float16(2051.0f).bits, 26626);  // tie: rounds up to even 2052
}

TEST(Float16Test, HandlesSubnormalsOverflowAndNaN) {
  EXPECT_EQ(Float16(1e-7f).bits, 2);
  EXPECT_EQ(Float16(70000.0f).bits, 31744);  // +infinity
  EXPECT_TRUE(std::isnan(static_cast<float>(Float16(std::nanf("")))));
  EXPECT_FLOAT_EQ(static_cast<float>(Float16(1.0f / 3.0f)), 0.33325195f);
  Float16 smallest;
  smallest.bits = 1;
  EXPECT_FLOAT_EQ(static_cast<float>(smallest), 5.9604645e-08f);
}

TEST(BFloat16Test, KeepsUpperHalfRounded) {
  EXPECT_EQ(BFloat16(1.0f).bits, 0x3f80);
  EXPECT_FLOAT_EQ(static_cast<float>(BFloat16(3.140625f)), 3.140625f);
  EXPECT_EQ(BFloat16(1.00390625f).bits, 0x3f80);  // halfway: to even
}

TEST(ConvertElementTest, FollowsCastRules) {
  EXPECT_EQ(ConvertElement<int32_t>(-2.7f), -2);
  EXPECT_EQ(ConvertElement<bool>(0.5f), true);
  EXPECT_EQ(ConvertElement<float>(true), 1.0f);
  EXPECT_EQ(ConvertElement<int8_t>(1000.0), std::numeric_limits<int8_t>::max());
  EXPECT_EQ(ConvertElement<int64_t>(std::nanf("")), 0);
  EXPECT_EQ(ConvertElement<Float16>(int64_t{3}).bits, Float16(3.0f).bits);
}

TEST(DispatchByTypeTest, UnsupportedTypeNamesWhat) {
  Status status = DispatchByType<FloatTypes>(DataType::kInt32, "input 0 (X)",
                                             [](auto) { return Status::Ok(); });
  EXPECT_EQ(status.code(), StatusCode::kUnimplemented);
  EXPECT_EQ(status.message(), "input 0 (X): element type int32 is not supported");
}

}  // namespace
}  // namespace mlos::engine
