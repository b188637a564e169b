#include "common/dtype.h"

#include <gtest/gtest.h>

#include "mlos/smi.h"

namespace mlos {
namespace {

TEST(DataTypeTest, CodesMatchSmi) {
  EXPECT_EQ(static_cast<int32_t>(DataType::kFloat32), SMI_DTYPE_FLOAT32);
  EXPECT_EQ(static_cast<int32_t>(DataType::kInt64), SMI_DTYPE_INT64);
  EXPECT_EQ(static_cast<int32_t>(DataType::kBFloat16), SMI_DTYPE_BFLOAT16);
}

TEST(DataTypeTest, ParsesBothNamings) {
  EXPECT_EQ(ParseDataType("FP32"), DataType::kFloat32);
  EXPECT_EQ(ParseDataType("int64"), DataType::kInt64);
  EXPECT_EQ(ParseDataType("Bytes"), DataType::kString);
  EXPECT_EQ(ParseDataType("complex64"), std::nullopt);
  EXPECT_STREQ(KServeName(DataType::kFloat16), "FP16");
  EXPECT_EQ(ElementSize(DataType::kFloat64), 8u);
}

TEST(DataTypeTest, RejectsUnknownCodes) {
  EXPECT_EQ(DataTypeFromCode(14), std::nullopt);  // complex64: not supported
  EXPECT_EQ(DataTypeFromCode(9), DataType::kBool);
}

}  // namespace
}  // namespace mlos
