// Goldens from the ONNX Unique examples and numpy.unique (return_index, return_inverse,
// return_counts).
#include <gtest/gtest.h>

#include "engine/kernels/common/kernel_test_util.h"

namespace mlos::engine::testing {
namespace {

std::vector<Tensor> RunUnique(NodeBuilder node, const Tensor& x) {
  StatusOr<std::vector<Tensor>> result = RunNode(node.Build(), 11, {x});
  EXPECT_TRUE(result.ok()) << result.status().ToString();
  return result.ok() ? *result : std::vector<Tensor>(4);
}

void ExpectIndexOutputs(const std::vector<Tensor>& outputs, const std::vector<int64_t>& indices,
                        const std::vector<int64_t>& inverse, const std::vector<int64_t>& counts) {
  ExpectTensorNear<int64_t>(outputs[1], {static_cast<int64_t>(indices.size())}, indices);
  ExpectTensorNear<int64_t>(outputs[2], {static_cast<int64_t>(inverse.size())}, inverse);
  ExpectTensorNear<int64_t>(outputs[3], {static_cast<int64_t>(counts.size())}, counts);
}

TEST(UniqueTest, FlattenedSorted) {
  auto outputs = RunUnique(Node("Unique", 1, 4), MakeTensor<int32_t>({2, 2}, {1, 3, 2, 3}));
  ExpectTensorNear<int32_t>(outputs[0], {3}, {1, 2, 3});
  ExpectIndexOutputs(outputs, {0, 2, 1}, {0, 2, 1, 2}, {1, 1, 2});
}

TEST(UniqueTest, FlattenedInFirstOccurrenceOrder) {
  auto outputs =
      RunUnique(Node("Unique", 1, 4).Int("sorted", 0), MakeTensor<float>({6}, {2, 1, 1, 3, 4, 3}));
  ExpectTensorNear<float>(outputs[0], {4}, {2, 1, 3, 4});
  ExpectIndexOutputs(outputs, {0, 1, 3, 4}, {0, 1, 1, 2, 3, 2}, {1, 2, 2, 1});
}

TEST(UniqueTest, SlicesAlongMiddleAxis) {
  auto outputs =
      RunUnique(Node("Unique", 1, 4).Int("axis", 1),
                MakeTensor<double>({2, 4, 2}, {1, 1, 0, 1, 2, 1, 0, 1, 1, 1, 0, 1, 2, 1, 0, 1}));
  ExpectTensorNear<double>(outputs[0], {2, 3, 2}, {0, 1, 1, 1, 2, 1, 0, 1, 1, 1, 2, 1});
  ExpectIndexOutputs(outputs, {1, 0, 2}, {1, 0, 2, 0}, {2, 1, 1});
}

TEST(UniqueTest, StringRowsUnsortedWithNegativeAxis) {
  Tensor x(DataType::kString, {3, 2});
  x.strings() = {"b", "a", "a", "a", "b", "a"};
  auto outputs = RunUnique(Node("Unique", 1, 4).Int("axis", -2).Int("sorted", 0), x);
  ASSERT_EQ(outputs[0].shape(), (Shape{2, 2}));
  EXPECT_EQ(outputs[0].strings(), (std::vector<std::string>{"b", "a", "a", "a"}));
  ExpectIndexOutputs(outputs, {0, 1}, {0, 1, 0}, {2, 1});
}

TEST(UniqueTest, NansAreEqualAndLastAndOnlyYIsRequired) {
  const float nan = std::nanf("");
  StatusOr<std::vector<Tensor>> result =
      RunNode(Node("Unique", 1, 1).Build(), 11, {MakeTensor<float>({4}, {nan, 1, nan, -1})});
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  ASSERT_EQ(result->size(), 1u);
  const Tensor& y = (*result)[0];
  ASSERT_EQ(y.shape(), (Shape{3}));
  EXPECT_EQ(y.data<float>()[0], -1);
  EXPECT_EQ(y.data<float>()[1], 1);
  EXPECT_TRUE(std::isnan(y.data<float>()[2]));
}

TEST(UniqueTest, RejectsAxisOutOfRange) {
  EXPECT_NE(RunError(Node("Unique", 1).Int("axis", 2), {Iota<float>({2, 2})}, 11)
                .find("attribute axis: axis 2 is out of range [-2, 1]"),
            std::string::npos);
}

}  // namespace
}  // namespace mlos::engine::testing
