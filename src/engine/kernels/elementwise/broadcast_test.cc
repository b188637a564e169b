#include "engine/kernels/elementwise/broadcast.h"

#include <gtest/gtest.h>

#include <array>

namespace mlos::engine {
namespace {

TEST(BroadcastShapesTest, AlignsTrailingDimensionsAndStretchesOnes) {
  const std::array<Shape, 3> shapes = {Shape{2, 1, 4}, Shape{3, 1}, Shape{}};
  StatusOr<Shape> result = BroadcastShapes(shapes);
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(*result, (Shape{2, 3, 4}));
}

TEST(BroadcastShapesTest, ZeroSizedDimensionBroadcastsWithOne) {
  const std::array<Shape, 2> shapes = {Shape{0, 3}, Shape{1, 3}};
  EXPECT_EQ(*BroadcastShapes(shapes), (Shape{0, 3}));
}

TEST(BroadcastShapesTest, MismatchNamesTheInputAndDimension) {
  const std::array<Shape, 2> shapes = {Shape{2, 3}, Shape{4}};
  StatusOr<Shape> result = BroadcastShapes(shapes);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(result.status().message(),
            "input 1 has shape [4], which does not broadcast with [3] (dimension 0: 4 vs 3)");
}

TEST(PlanBroadcastTest, SameShapesCollapseToOneRow) {
  const std::array<Shape, 2> shapes = {Shape{2, 3, 4}, Shape{2, 3, 4}};
  BroadcastPlan plan = *PlanBroadcast(shapes);
  EXPECT_EQ(plan.dims, (std::vector<int64_t>{24}));
  EXPECT_EQ(plan.strides[0], (std::vector<int64_t>{1}));
  EXPECT_EQ(plan.strides[1], (std::vector<int64_t>{1}));
}

TEST(PlanBroadcastTest, BiasRowKeepsTwoDimensions) {
  const std::array<Shape, 2> shapes = {Shape{2, 3, 4}, Shape{4}};
  BroadcastPlan plan = *PlanBroadcast(shapes);
  EXPECT_EQ(plan.output_shape, (Shape{2, 3, 4}));
  EXPECT_EQ(plan.dims, (std::vector<int64_t>{6, 4}));
  EXPECT_EQ(plan.strides[0], (std::vector<int64_t>{4, 1}));
  EXPECT_EQ(plan.strides[1], (std::vector<int64_t>{0, 1}));
}

TEST(PlanBroadcastTest, ScalarOutputWalksOneElement) {
  const std::array<Shape, 2> shapes = {Shape{}, Shape{1}};
  BroadcastPlan plan = *PlanBroadcast(shapes);
  EXPECT_EQ(plan.output_shape, (Shape{1}));
  EXPECT_EQ(plan.dims, (std::vector<int64_t>{1}));
}

TEST(ForEachSpanTest, VisitsSpansWithInputOffsets) {
  // Column [3, 1] against row [1, 2]: output [3, 2]; a range starting mid-row.
  const std::array<Shape, 2> shapes = {Shape{3, 1}, Shape{1, 2}};
  BroadcastPlan plan = *PlanBroadcast(shapes);
  std::vector<std::array<int64_t, 4>> spans;  // output, input 0, input 1, count
  ForEachSpan<2>(plan, 1, 6, [&](int64_t output, const std::array<int64_t, 2>& in, int64_t n) {
    spans.push_back({output, in[0], in[1], n});
  });
  const std::vector<std::array<int64_t, 4>> expected = {
      {1, 0, 1, 1}, {2, 1, 0, 2}, {4, 2, 0, 2}};
  EXPECT_EQ(spans, expected);
  EXPECT_EQ(plan.inner_stride(0), 0);
  EXPECT_EQ(plan.inner_stride(1), 1);
}

}  // namespace
}  // namespace mlos::engine
