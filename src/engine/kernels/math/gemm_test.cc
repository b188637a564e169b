#include <gtest/gtest.h>

#include "engine/kernels/common/kernel_test_util.h"

namespace mlos::engine::testing {
namespace {

Tensor A() { return MakeTensor<float>({2, 3}, {1, 2, 3, 4, 5, 6}); }
Tensor B() { return MakeTensor<float>({3, 2}, {1, 0.5, -1, 2, 0.25, 3}); }

TEST(GemmTest, AlphaBetaAndRowBroadcastBias) {
  auto node =
      NodeBuilder("Gemm").Inputs(3).Outputs(1).Float("alpha", 0.5f).Float("beta", 2.0f).Build();
  auto result = RunNode(node, 13, {A(), B(), MakeTensor<float>({2}, {1, -1})});
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  ExpectTensorNear<float>((*result)[0], {2, 2}, {1.875, 4.75, 2.25, 13});
}

TEST(GemmTest, TransposedOperandsAndConstantInputs) {
  auto node = NodeBuilder("Gemm").Inputs(3).Outputs(1).Int("transA", 1).Int("transB", 1).Build();
  auto result = RunNode(
      node, 11,
      {MakeTensor<float>({3, 2}, {1, 4, 2, 5, 3, 6}),
       MakeTensor<float>({2, 3}, {1, -1, 0.25, 0.5, 2, 3}), MakeTensor<float>({2, 1}, {1, 2})},
      /*inputs_are_constant=*/true);
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  ExpectTensorNear<float>((*result)[0], {2, 2}, {0.75, 14.5, 2.5, 32});
}

TEST(GemmTest, OptionalBiasFromOpset11) {
  auto node = NodeBuilder("Gemm").Inputs(3, {2}).Outputs(1).Build();
  auto result = RunNode(node, 13, {A(), B(), Tensor()});
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  ExpectTensorNear<float>((*result)[0], {2, 2}, {-0.25, 13.5, 0.5, 30});
  auto old = RunNode(node, 9, {A(), B(), Tensor()});
  ASSERT_FALSE(old.ok());
  EXPECT_NE(old.status().message().find("input 2 (C) is required"), std::string::npos);
}

TEST(GemmTest, BiasBroadcastsBeforeOpset7OnlyWhenAsked) {
  auto broadcast = NodeBuilder("Gemm").Inputs(3).Outputs(1).Int("broadcast", 1).Build();
  auto result = RunNode(broadcast, 6, {A(), B(), MakeTensor<float>({2}, {1, -1})});
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  ExpectTensorNear<float>((*result)[0], {2, 2}, {0.75, 12.5, 1.5, 29});
  auto exact = NodeBuilder("Gemm").Inputs(3).Outputs(1).Build();
  auto rejected = RunNode(exact, 6, {A(), B(), MakeTensor<float>({2}, {1, -1})});
  ASSERT_FALSE(rejected.ok());
  EXPECT_NE(rejected.status().message().find(
                "input 2 (C): shape [2] must be [2, 2] when attribute 'broadcast' is 0"),
            std::string::npos)
      << rejected.status().message();
}

TEST(GemmTest, RejectsMismatchedInnerDimension) {
  auto node = NodeBuilder("Gemm").Inputs(2).Outputs(1).Build();
  auto result = RunNode(node, 13, {A(), MakeTensor<float>({2, 2}, {1, 2, 3, 4})});
  ASSERT_FALSE(result.ok());
  EXPECT_NE(result.status().message().find("input 1 (B): inner dimension 2 does not match 3"),
            std::string::npos)
      << result.status().message();
}

TEST(GemmTest, RejectsBiasThatDoesNotBroadcast) {
  auto node = NodeBuilder("Gemm").Inputs(3).Outputs(1).Build();
  auto result = RunNode(node, 13, {A(), B(), MakeTensor<float>({3}, {1, 2, 3})});
  ASSERT_FALSE(result.ok());
  EXPECT_NE(result.status().message().find("input 2 (C): shape [3] cannot be broadcast to [2, 2]"),
            std::string::npos)
      << result.status().message();
}

TEST(GemmTest, RejectsNonMatrix) {
  auto node = NodeBuilder("Gemm").Inputs(2).Outputs(1).Build();
  auto result = RunNode(node, 13, {MakeTensor<float>({3}, {1, 2, 3}), B()});
  ASSERT_FALSE(result.ok());
  EXPECT_NE(result.status().message().find("input 0 (A): Gemm needs a matrix"), std::string::npos);
}

}  // namespace
}  // namespace mlos::engine::testing
