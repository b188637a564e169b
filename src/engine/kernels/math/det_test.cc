#include <gtest/gtest.h>

#include "engine/kernels/common/kernel_test_util.h"

namespace mlos::engine::testing {
namespace {

// Goldens from numpy.linalg.det.
TEST(DetTest, BatchOfTwoByTwo) {
  Tensor y =
      RunOne(Node("Det", 1), {MakeTensor<float>({3, 2, 2}, {1, 2, 3, 4, 1, 2, 2, 1, 1, 3, 3, 1})});
  ExpectTensorNear<float>(y, {3}, {-2, -3, -8});
}

TEST(DetTest, FourByFourNeedsPivoting) {
  Tensor y =
      RunOne(Node("Det", 1),
             {MakeTensor<double>({4, 4}, {0, -1, 0, 3, 1, 4, -2, 0, 2, 5, 1, -1, 3, 0, 2, 6})});
  ExpectTensorNear<double>(y, {}, {-70});
}

TEST(DetTest, SingularAndEmpty) {
  ExpectTensorNear<float>(RunOne(Node("Det", 1), {MakeTensor<float>({2, 2}, {1, 2, 2, 4})}), {},
                          {0});
  ExpectTensorNear<float>(RunOne(Node("Det", 1), {MakeTensor<float>({2, 0, 0}, {})}), {2}, {1, 1});
}

TEST(DetTest, Float16) {
  Tensor x(DataType::kFloat16, {2, 2});
  const float values[] = {2, 1, 1, 3};
  for (int i = 0; i < 4; ++i) x.data<Float16>()[i] = Float16(values[i]);
  Tensor y = RunOne(Node("Det", 1), {x});
  ASSERT_EQ(y.dtype(), DataType::kFloat16);
  EXPECT_EQ(static_cast<float>(y.data<Float16>()[0]), 5.0f);
}

TEST(DetTest, RejectsNonSquare) {
  EXPECT_NE(RunError(Node("Det", 1), {MakeTensor<float>({2, 3}, {1, 2, 3, 4, 5, 6})})
                .find("input 0 (X): expected square matrices"),
            std::string::npos);
}

}  // namespace
}  // namespace mlos::engine::testing
