#include <gtest/gtest.h>

#include "engine/kernels/common/kernel_test_util.h"

namespace mlos::engine::testing {
namespace {

TEST(MatMulIntegerTest, SubtractsZeroPoints) {
  auto node = NodeBuilder("MatMulInteger").Inputs(4).Outputs(1).Build();
  auto result = RunNode(node, 10,
                        {MakeTensor<uint8_t>({2, 3}, {11, 12, 13, 14, 15, 16}),
                         MakeTensor<uint8_t>({3, 2}, {1, 2, 3, 4, 5, 6}),
                         MakeTensor<uint8_t>({}, {12}), MakeTensor<uint8_t>({}, {2})});
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  ExpectTensorNear<int32_t>((*result)[0], {2, 2}, {4, 4, 13, 22});
}

TEST(MatMulIntegerTest, RejectsPerRowZeroPoint) {
  auto node = NodeBuilder("MatMulInteger").Inputs(3).Outputs(1).Build();
  auto result = RunNode(node, 10,
                        {MakeTensor<uint8_t>({2, 1}, {1, 2}), MakeTensor<uint8_t>({1, 1}, {3}),
                         MakeTensor<uint8_t>({2}, {0, 1})});
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), StatusCode::kUnimplemented);
  EXPECT_NE(result.status().message().find("input 2 (a_zero_point)"), std::string::npos)
      << result.status().message();
}

TEST(QLinearMatMulTest, RequantizesTheProduct) {
  auto node = NodeBuilder("QLinearMatMul").Inputs(8).Outputs(1).Build();
  auto result =
      RunNode(node, 10,
              {MakeTensor<uint8_t>({2, 3}, {11, 12, 13, 14, 15, 16}), MakeTensor<float>({}, {0.5}),
               MakeTensor<uint8_t>({}, {12}), MakeTensor<uint8_t>({3, 2}, {1, 2, 3, 4, 5, 6}),
               MakeTensor<float>({}, {0.25}), MakeTensor<uint8_t>({}, {2}),
               MakeTensor<float>({}, {0.0625}), MakeTensor<uint8_t>({}, {100})});
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  ExpectTensorNear<uint8_t>((*result)[0], {2, 2}, {108, 108, 126, 144});
}

}  // namespace
}  // namespace mlos::engine::testing
