#include <gtest/gtest.h>

#include "engine/kernels/common/kernel_test_util.h"

namespace mlos::engine::testing {
namespace {

StatusOr<std::vector<Tensor>> Einsum(const std::string& equation,
                                     const std::vector<Tensor>& inputs) {
  auto node = NodeBuilder("Einsum")
                  .Inputs(static_cast<int>(inputs.size()))
                  .Outputs(1)
                  .String("equation", equation)
                  .Build();
  return RunNode(node, 12, inputs);
}

TEST(EinsumTest, MatrixProductExplicitAndImplicit) {
  const Tensor a = Sequence({2, 3}, 1, 0), b = Sequence({3, 4}, 0.5f, -1);
  for (const std::string equation : {"ij,jk->ik", "ij,jk"}) {
    SCOPED_TRACE(equation);
    auto result = Einsum(equation, {a, b});
    ASSERT_TRUE(result.ok()) << result.status().ToString();
    ExpectTensorNear<float>((*result)[0], {2, 4}, {7, 8.5, 10, 11.5, 16, 22, 28, 34});
  }
}

TEST(EinsumTest, BatchedMatrixProduct) {
  auto result = Einsum("bij,bjk->bik", {Sequence({2, 2, 3}, 0.5f, 0), Sequence({2, 3, 2}, 1, -2)});
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  ExpectTensorNear<float>((*result)[0], {2, 2, 2}, {2, 3.5, 2, 8, 65, 75.5, 92, 107});
}

TEST(EinsumTest, DiagonalTraceAndTranspose) {
  const Tensor square = Sequence({3, 3}, 1, 0);
  auto diagonal = Einsum("ii->i", {square});
  ASSERT_TRUE(diagonal.ok()) << diagonal.status().ToString();
  ExpectTensorNear<float>((*diagonal)[0], {3}, {0, 4, 8});
  auto trace = Einsum("ii", {square});
  ASSERT_TRUE(trace.ok()) << trace.status().ToString();
  ExpectTensorNear<float>((*trace)[0], {}, {12});
  auto transpose = Einsum("ij->ji", {Sequence({2, 3}, 1, 0)});
  ASSERT_TRUE(transpose.ok()) << transpose.status().ToString();
  ExpectTensorNear<float>((*transpose)[0], {3, 2}, {0, 3, 1, 4, 2, 5});
  auto total = Einsum("ij->", {Sequence({2, 3}, 1, 0)});
  ASSERT_TRUE(total.ok()) << total.status().ToString();
  ExpectTensorNear<float>((*total)[0], {}, {15});
}

TEST(EinsumTest, EllipsisOuterProductAndThreeOperands) {
  auto ellipsis = Einsum("...j,kj->...k", {Sequence({2, 1, 3}, 1, 0), Sequence({4, 3}, 0.5f, 0)});
  ASSERT_TRUE(ellipsis.ok()) << ellipsis.status().ToString();
  ExpectTensorNear<float>((*ellipsis)[0], {2, 1, 4}, {2.5, 7, 11.5, 16, 7, 25, 43, 61});
  auto outer =
      Einsum("i,j->ij", {MakeTensor<float>({2}, {1, 2}), MakeTensor<float>({3}, {3, 4, 5})});
  ASSERT_TRUE(outer.ok()) << outer.status().ToString();
  ExpectTensorNear<float>((*outer)[0], {2, 3}, {3, 4, 5, 6, 8, 10});
  const Tensor a = Sequence({2, 3}, 1, 0);
  auto three = Einsum("ij,ij,ij->i", {a, a, a});
  ASSERT_TRUE(three.ok()) << three.status().ToString();
  ExpectTensorNear<float>((*three)[0], {2}, {9, 216});
}

TEST(EinsumTest, RejectsBadEquations) {
  const Tensor a = Sequence({2, 3}, 1, 0);
  auto rank = Einsum("ijk->i", {a});
  ASSERT_FALSE(rank.ok());
  EXPECT_NE(rank.status().message().find("input 0: Einsum term 'ijk' has 3 labels for rank 2"),
            std::string::npos)
      << rank.status().message();
  auto sizes = Einsum("ij,ij->i", {a, Sequence({2, 4}, 1, 0)});
  ASSERT_FALSE(sizes.ok());
  EXPECT_NE(sizes.status().message().find("label 'j' has sizes 3 and 4"), std::string::npos)
      << sizes.status().message();
  auto unknown = Einsum("ij->k", {a});
  ASSERT_FALSE(unknown.ok());
  EXPECT_NE(unknown.status().message().find("output label 'k' appears in no input"),
            std::string::npos);
  auto character = Einsum("i1->i", {a});
  ASSERT_FALSE(character.ok());
  EXPECT_NE(character.status().message().find("unexpected character '1'"), std::string::npos);
}

}  // namespace
}  // namespace mlos::engine::testing
